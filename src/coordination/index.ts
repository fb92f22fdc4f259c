import type { Logger } from 'pino';
import { PostgresStore } from '../store/postgres/store.js';
import type { Store } from '../store/types.js';
import { LocalCoordinator } from './local.js';
import { PostgresCoordinator } from './postgres.js';
import type { Coordinator } from './types.js';

export type { Coordinator } from './types.js';
export { LocalCoordinator } from './local.js';
export { PostgresCoordinator } from './postgres.js';

/**
 * The coordinator a store needs: advisory locks on a PostgreSQL store (any number of
 * replicas share it), in-process locks on SQLite (one process).
 */
export function coordinatorFor(store: Store, log: Logger): Coordinator {
  if (store instanceof PostgresStore) return new PostgresCoordinator({ connection: store.pool.options, log });
  return new LocalCoordinator();
}
