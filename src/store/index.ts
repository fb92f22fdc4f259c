export * from './types.js';
export { SqliteStore } from './sqlite/store.js';
export { PostgresStore } from './postgres/store.js';
import { PostgresStore } from './postgres/store.js';
import { SqliteStore } from './sqlite/store.js';
import type { Store } from './types.js';

/** Default database path (issue: `DATABASE_PATH`, default `./data/prebuilds.sqlite`). */
export const DEFAULT_DATABASE_PATH = './data/prebuilds.sqlite';

/** Whether a store location names a PostgreSQL server (`postgres://` or `postgresql://` URL) rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens and migrates the store at `location`: a `postgres://…` URL selects the
 * PostgreSQL store (several replicas; pool size from `DATABASE_POOL_SIZE`, default 10),
 * anything else is a SQLite file path. Default: `DATABASE_URL`, else `DATABASE_PATH`,
 * else `./data/prebuilds.sqlite`.
 * @throws when the database cannot be reached or opened, `DATABASE_POOL_SIZE` is not a positive integer, or a migration fails.
 */
export async function openStore(location: string = process.env.DATABASE_URL || process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH): Promise<Store> {
  let store: Store;
  if (isPostgresUrl(location)) {
    const raw = process.env.DATABASE_POOL_SIZE;
    const poolSize = raw ? Number(raw) : undefined;
    if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1)) throw new Error(`DATABASE_POOL_SIZE must be a positive whole number, got "${raw}"`);
    store = new PostgresStore({
      connectionString: location,
      poolSize,
      onError: (error) => process.emitWarning(`PostgreSQL connection lost (the pool reconnects): ${error.message}`),
    });
  } else {
    store = new SqliteStore(location);
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
