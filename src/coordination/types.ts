/**
 * How replicas of the app act as one (issue 11): every write path for a repository
 * runs under that repository's lock, and the periodic jobs (reconciler, schedule
 * ticker) run on the one replica that leads them. Delivery claims are the inbox's
 * (src/store/roles/inbox.ts); this is the rest.
 */
export interface Coordinator {
  /**
   * This replica's id (`host:pid:random`, on PostgreSQL `host:pid:random:live`): what its
   * delivery claims are recorded under. On PostgreSQL a replica takes a new id when its
   * lock connection is lost (see {@link live}): the claims of the old one are void.
   */
  readonly replicaId: string;
  /**
   * The session this replica's claims are made in, ensured live: on PostgreSQL its lock
   * connection is open and holds the liveness lock of `replicaId` (PostgreSQL frees it
   * the moment the connection dies, and the other replicas then take the claims made
   * under that id over at once instead of after their lease). A claim made in a session
   * stays this replica's while {@link session} still reads the same number.
   * @throws when the database cannot be reached
   */
  live(): Promise<{ replicaId: string; session: number }>;
  /** The current session's number (see {@link live}); changes when the lock connection is lost. Always 0 in one process. */
  readonly session: number;
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
