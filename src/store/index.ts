export * from './types.js';
export { SqliteStore } from './sqlite.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

/** Default database path (issue: `DATABASE_PATH`, default `./data/prebuilds.sqlite`). */
export const DEFAULT_DATABASE_PATH = './data/prebuilds.sqlite';

/**
 * Opens and migrates the store named by `databasePath` (a SQLite file path).
 * @throws when the file cannot be opened or a migration fails.
 */
export async function openStore(databasePath: string = DEFAULT_DATABASE_PATH): Promise<Store> {
  const store = new SqliteStore(databasePath);
  await store.migrate();
  return store;
}
