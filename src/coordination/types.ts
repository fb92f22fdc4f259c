/**
 * How replicas of the app act as one (issue 11): every write path for a repository
 * runs under that repository's lock, and the periodic jobs (reconciler, schedule
 * ticker) run on the one replica that leads them. Delivery claims are the inbox's
 * (src/store/roles/inbox.ts); this is the rest.
 */
export interface Coordinator {
  /** This process's replica id (`host:pid:random`): what its delivery claims are recorded under. */
  readonly replicaId: string;
  /** Whether other processes share the database (PostgreSQL): then the processor polls for work they leave behind. */
  readonly shared: boolean;
  /**
   * Runs `fn` while holding the named lock in every replica: calls with one key never
   * overlap, in this process or another one. Waits for the lock.
   * @throws what `fn` throws, or when the database cannot be reached to take the lock
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Whether this replica leads `role` (e.g. `reconciler`): takes the leadership when
   * free, keeps it while the process and its connection live; another replica takes
   * it over when the holder dies. Never throws (false when the database is away).
   */
  lead(role: string): Promise<boolean>;
  /** Gives up every lock and leadership. */
  close(): Promise<void>;
}
