import pg from 'pg';
import type { Logger } from 'pino';
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

/**
 * Coordination of replicas on PostgreSQL through session advisory locks
 * (`pg_try_advisory_lock(hashtextextended(key, 0))`), held on one dedicated connection
 * per replica: a repository's lock while its work runs, a role's lock for as long as
 * this replica leads it. When a replica dies its connection closes and PostgreSQL
 * frees its locks at once, so another replica takes the repository or the role over.
 * Locks are tried, never waited for on the server (the one connection serves every
 * key): a busy lock is tried again after 5, 10, 20 … up to `maxLockWaitMs` ms.
 *
 * If the connection itself is lost (the server restarted), every lock it held is gone:
 * leaderships are dropped (and taken again on the next tick) and a warning is logged
 * for work that was running under a lock.
 */
export class PostgresCoordinator implements Coordinator {
  readonly replicaId = newReplicaId();
  readonly shared = true;
  private readonly mutex = new KeyedMutex();
  private readonly leads = new Set<string>();
  private client: Promise<pg.Client> | null = null;
  /** Counts connections: a lock taken on an earlier one is not released on a later one. */
  private epoch = 0;
  private closed = false;
  private queries: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PostgresCoordinatorOptions) {}

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(`lock:${key}`, async () => {
      const { client, epoch } = await this.acquire(`lock:${key}`);
      try {
        return await fn();
      } finally {
        if (epoch === this.epoch) await this.query(client, 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`lock:${key}`]).catch(() => undefined);
        else this.options.log.warn({ lock: key }, 'the database connection holding this lock was lost while work ran under it');
      }
    });
  }

  async lead(role: string): Promise<boolean> {
    if (this.closed) return false;
    if (this.leads.has(role)) return true;
    try {
      const client = await this.connection();
      const ok = await this.tryLock(client, `leader:${role}`);
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

  private async acquire(name: string): Promise<{ client: pg.Client; epoch: number }> {
    const max = this.options.maxLockWaitMs ?? 200;
    for (let wait = 5; ; wait = Math.min(wait * 2, max)) {
      if (this.closed) throw new Error('the coordinator is closed');
      const client = await this.connection();
      const epoch = this.epoch;
      if (await this.tryLock(client, name)) return { client, epoch };
      await sleep(wait);
    }
  }

  private async tryLock(client: pg.Client, name: string): Promise<boolean> {
    const r = await this.query(client, 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [name]);
    return r.rows[0]?.ok === true;
  }

  /** One query at a time on the dedicated connection (pg no longer queues them itself). */
  private query(client: pg.Client, sql: string, values: unknown[]): Promise<pg.QueryResult> {
    const result = this.queries.then(() => client.query(sql, values));
    this.queries = result.catch(() => undefined);
    return result;
  }

  /** The dedicated connection, opened on first use and again after it was lost. */
  private connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.options.connection);
    const epoch = ++this.epoch;
    const lost = (error?: Error) => {
      if (epoch !== this.epoch) return;
      this.epoch++;
      this.client = null;
      if (this.leads.size) this.options.log.warn({ roles: [...this.leads] }, 'lost the database connection: leadership given up');
      this.leads.clear();
      if (error && !this.closed) this.options.log.warn({ err: error }, 'coordination connection lost; reconnecting on next use');
    };
    client.on('error', lost);
    client.on('end', () => lost());
    this.client = client.connect().then(
      () => client,
      (error: Error) => {
        lost();
        throw error;
      },
    );
    return this.client;
  }
}
