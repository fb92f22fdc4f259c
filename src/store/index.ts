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

/** How a store is opened (src/env.ts reads them from `DATABASE_POOL_SIZE` and `SQLITE_SYNCHRONOUS`). */
export interface StoreOptions {
  /** PostgreSQL: connections in the pool. Default 10. */
  poolSize?: number;
  /** SQLite: `full` (default) or `acknowledged` durability (see {@link sqliteDurability}). */
  sqliteSynchronous?: 'full' | 'acknowledged';
}

/**
 * Opens and migrates the store at `location`: a `postgres://…` URL selects the
 * PostgreSQL store (several replicas), anything else is a SQLite file path (default
 * `./data/prebuilds.sqlite`).
 * @throws when the database cannot be reached or opened, the pool size is not a positive integer, or a migration fails.
 */
export async function openStore(location: string = DEFAULT_DATABASE_PATH, options: StoreOptions = {}): Promise<Store> {
  let store: Store;
  if (isPostgresUrl(location)) {
    const poolSize = options.poolSize;
    if (poolSize !== undefined && (!Number.isInteger(poolSize) || poolSize < 1))
      throw new Error(`DATABASE_POOL_SIZE must be a positive whole number, got "${poolSize}"`);
    store = new PostgresStore({
      connectionString: location,
      poolSize,
      onError: (error) => process.emitWarning(`PostgreSQL connection lost (the pool reconnects): ${error.message}`),
    });
  } else {
    store = new SqliteStore(location, options.sqliteSynchronous ?? 'full');
  }
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/**
 * Reads `SQLITE_SYNCHRONOUS`: `full` (default: every commit fsynced) or `acknowledged`
 * (only what the app acknowledges or acts on outside the store: deliveries before the 2xx,
 * API writes, a prebuild's dispatch marker before its workflow is dispatched; the rest is
 * repaired by reprocessing the inbox after a power loss, and survives a killed process).
 * @throws Error naming the variable for another value
 */
export function sqliteDurability(value: string | undefined): 'full' | 'acknowledged' {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'full') return 'full';
  if (v === 'acknowledged') return 'acknowledged';
  throw new Error(`SQLITE_SYNCHRONOUS must be full or acknowledged, got "${value}"`);
}
