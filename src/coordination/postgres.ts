import pg from 'pg';
import type { Logger } from 'pino';
import { livenessLockName, LIVE_REPLICA_SUFFIX } from '../store/postgres/inbox.js';
import type { Coordinator } from './types.js';
import { KeyedMutex, newReplicaId } from './replica.js';

/** Options of {@link PostgresCoordinator}. */
export interface PostgresCoordinatorOptions {
  /** The database's connection settings (the store pool's `options`). */
  connection: pg.ClientConfig;
  log: Logger;
  /** Longest wait between two tries of a busy lock, ms. Default 200. */
  maxLockWaitMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lock to try or release in the next batch statement. */
interface LockRequest {
  kind: 'lock' | 'unlock';
  name: string;
  /** For an unlock: the connection epoch the lock was taken on. */
  epoch?: number;
  /** Whether the lock was taken (an unlock: true), and on which connection epoch. */
  resolve: (outcome: { taken: boolean; epoch: number }) => void;
  reject: (error: unknown) => void;
}

/**
 * Coordination of replicas on PostgreSQL through session advisory locks
 * (`pg_try_advisory_lock(hashtextextended(key, 0))`), held on one dedicated connection
 * per replica: a repository's lock while its work runs, a role's lock for as long as
 * this replica leads it. When a replica dies its connection closes and PostgreSQL
 * frees its locks at once, so another replica takes the repository or the role over.
 * Locks are tried, never waited for on the server (the one connection serves every
 * key): a busy lock is tried again after 5, 10, 20 … up to `maxLockWaitMs` ms.
 *
 * Every lock and unlock asked for while one statement is on its way goes in the next
 * statement ({@link LockBatch}): one round trip for all of them, however many
 * repositories are being worked on. The connection is never the queue a busy replica
 * waits in.
 *
 * The same connection holds the replica's liveness lock (on `replicaId`, taken first
 * whenever the connection opens; {@link live}): while it is held, the replica's
 * delivery claims are its own; once PostgreSQL frees it (the process killed, the
 * connection lost), the other replicas take them over at their next claim instead of
 * waiting for the lease (src/store/postgres/inbox.ts).
 *
 * If the connection itself is lost (the server restarted, the connection cut), every
 * lock it held is gone: leaderships are dropped (and taken again on the next tick), a
 * warning is logged for work that was running under a lock, and the replica goes on
 * under a new id and session: the claims of the old one may be taken over already, so
 * the processor drops those it has not started (see {@link session}).
 */
export class PostgresCoordinator implements Coordinator {
  private id = PostgresCoordinator.newId();
  readonly shared = true;
  private readonly mutex = new KeyedMutex();
  private readonly leads = new Set<string>();
  private client: Promise<pg.Client> | null = null;
  /** Counts connections: a lock taken on an earlier one is not released on a later one. */
  private epoch = 0;
  private closed = false;
  /** Requests waiting for the next statement ({@link flush}). */
  private pending: LockRequest[] = [];
  private sending = false;

  constructor(private readonly options: PostgresCoordinatorOptions) {}

  /** A replica id marked as holding a liveness lock. */
  private static newId(): string {
    return `${newReplicaId()}${LIVE_REPLICA_SUFFIX}`;
  }

  get replicaId(): string {
    return this.id;
  }

  get session(): number {
    return this.epoch;
  }

  async live(): Promise<{ replicaId: string; session: number }> {
    if (this.closed) throw new Error('the coordinator is closed');
    await this.connection();
    return { replicaId: this.id, session: this.epoch };
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(`lock:${key}`, async () => {
      const epoch = await this.acquire(`lock:${key}`);
      try {
        return await fn();
      } finally {
        if (epoch === this.epoch) await this.send('unlock', `lock:${key}`, epoch).catch(() => undefined);
        else this.options.log.warn({ lock: key }, 'the database connection holding this lock was lost while work ran under it');
      }
    });
  }

  async lead(role: string): Promise<boolean> {
    if (this.closed) return false;
    if (this.leads.has(role)) return true;
    try {
      const { taken: ok } = await this.send('lock', `leader:${role}`);
      if (ok) {
        this.leads.add(role);
        this.options.log.info({ role, replica: this.replicaId }, 'this replica now leads');
      }
      return ok;
    } catch (error) {
      this.options.log.warn({ err: error, role }, 'could not reach the database to take the lead');
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.leads.clear();
    const client = this.client;
    this.client = null;
    if (client) await (await client.catch(() => null))?.end().catch(() => undefined);
  }

  /** Takes the named lock, trying again while another replica holds it; the connection's epoch it was taken on. */
  private async acquire(name: string): Promise<number> {
    const max = this.options.maxLockWaitMs ?? 200;
    for (let wait = 5; ; wait = Math.min(wait * 2, max)) {
      if (this.closed) throw new Error('the coordinator is closed');
      const { taken, epoch } = await this.send('lock', name);
      if (taken) return epoch;
      await sleep(wait);
    }
  }

  /**
   * Asks for a lock to be tried (`taken`) or released, in the next statement on the
   * dedicated connection together with every other request made meanwhile. An unlock
   * for a connection since lost (`epoch` not the current one) is dropped: its locks are gone.
   * @throws when the database cannot be reached (every request of that statement)
   */
  private send(kind: LockRequest['kind'], name: string, epoch?: number): Promise<{ taken: boolean; epoch: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ kind, name, epoch, resolve, reject });
      // Sent after this turn of the event loop: every request made in it goes in one statement.
      if (this.pending.length === 1 && !this.sending) setImmediate(() => void this.flush());
    });
  }

  /** Sends the waiting requests as one statement, and again while more arrived meanwhile. */
  private async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        try {
          const client = await this.connection();
          const epoch = this.epoch;
          const unlocks = batch.filter((r) => r.kind === 'unlock' && r.epoch === epoch);
          const locks = batch.filter((r) => r.kind === 'lock');
          // Releases first (keys a lock of this batch asks for are never among them: one key's tasks run one after another).
          const r = await client.query(
            `SELECT (SELECT count(pg_advisory_unlock(hashtextextended(u.k, 0))) FROM unnest($1::text[]) AS u(k)) AS unlocked,
                    ARRAY(SELECT pg_try_advisory_lock(hashtextextended(l.k, 0)) FROM unnest($2::text[]) WITH ORDINALITY AS l(k, i) ORDER BY l.i) AS taken`,
            [unlocks.map((u) => u.name), locks.map((l) => l.name)],
          );
          const taken = (r.rows[0]?.taken ?? []) as boolean[];
          locks.forEach((l, i) => l.resolve({ taken: taken[i] === true, epoch }));
          for (const u of batch) if (u.kind === 'unlock') u.resolve({ taken: true, epoch });
        } catch (error) {
          for (const request of batch) request.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** The dedicated connection, opened on first use and again after it was lost. */
  private connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.options.connection);
    const epoch = ++this.epoch;
    const id = this.id;
    let live = false;
    const lost = (error?: Error) => {
      if (epoch !== this.epoch) return;
      this.epoch++;
      this.client = null;
      // Its liveness lock is gone with the connection: claims made under its id are void; the next connection is a new id's.
      if (live) this.id = PostgresCoordinator.newId();
      if (live && !this.closed)
        this.options.log.warn({ replica: id, now: this.id }, 'lost the liveness lock: claims made as the old replica id are left to the others');
      if (this.leads.size) this.options.log.warn({ roles: [...this.leads] }, 'lost the database connection: leadership given up');
      this.leads.clear();
      if (error && !this.closed) this.options.log.warn({ err: error }, 'coordination connection lost; reconnecting on next use');
    };
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = (async () => {
      try {
        await client.connect();
        // The liveness lock first: every later request on this connection runs while the replica is live.
        const r = await client.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS taken', [livenessLockName(id)]);
        if (r.rows[0]?.taken !== true) throw new Error(`the liveness lock of replica ${id} is held by another session`);
        live = true;
        return client;
      } catch (error) {
        lost();
        await client.end().catch(() => undefined);
        throw error;
      }
    })();
    return this.client;
  }
}
