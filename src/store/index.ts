export * from './types.js';
export { SqliteStore } from './sqlite.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './types.js';

/** Default database path (issue: `DATABASE_PATH`, default `./data/prebuilds.sqlite`). */
export const DEFAULT_DATABASE_PATH = './data/prebuilds.sqlite';

/**
 * Opens and migrates the store named by `databasePath` (a SQLite file path), with a
 * durability (`full`, the default, or `acknowledged`; see {@link sqliteDurability}).
 * @throws when the file cannot be opened or a migration fails
 */
export async function openStore(databasePath: string = DEFAULT_DATABASE_PATH, durability: 'full' | 'acknowledged' = 'full'): Promise<Store> {
  const store = new SqliteStore(databasePath, durability);
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
