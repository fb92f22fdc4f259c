/** A repository as the store keys it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/**
 * Opening and closing a store: every implementation has these besides its roles.
 * All times the roles take and return are epoch milliseconds; sizes are bytes.
 */
export interface StoreLifecycle {
  /** Which database this is: `sqlite` (one process) or `postgres` (any number of replicas). */
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending schema migrations (src/store/migrations.ts). Idempotent, safe when several replicas start at once. */
  migrate(): Promise<void>;
  /** Closes the database; the store is unusable afterwards. */
  close(): Promise<void>;
}
