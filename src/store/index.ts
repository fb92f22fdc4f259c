export * from './types.js';
export { SqliteStore } from './sqlite.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

/** Default database path (issue: `DATABASE_PATH`, default `./data/prebuilds.sqlite`). */
export const DEFAULT_DATABASE_PATH = './data/prebuilds.sqlite';

/**
 * Opens and migrates the store named by `databasePath` (a SQLite file path), with the
 * durability `SQLITE_SYNCHRONOUS` names (`full`, the default, or `acknowledged`).
 * @throws when the file cannot be opened, a migration fails or `SQLITE_SYNCHRONOUS` is neither.
 */
export async function openStore(databasePath: string = process.env.DATABASE_PATH || DEFAULT_DATABASE_PATH): Promise<Store> {
  const store = new SqliteStore(databasePath, sqliteDurability(process.env.SQLITE_SYNCHRONOUS));
  await store.migrate();
  return store;
}

/**
 * Reads `SQLITE_SYNCHRONOUS`: `full` (default: every commit fsynced) or `acknowledged`
 * (only what the app acknowledges: deliveries before the 2xx, API writes).
 * @throws Error naming the variable for another value
 */
export function sqliteDurability(value: string | undefined): 'full' | 'acknowledged' {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'full') return 'full';
  if (v === 'acknowledged') return 'acknowledged';
  throw new Error(`SQLITE_SYNCHRONOUS must be full or acknowledged, got "${value}"`);
}
