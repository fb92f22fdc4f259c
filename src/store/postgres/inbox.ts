import type pg from 'pg';
import { RecordBatch } from './record-batch.js';
import { claimableAmong, toDelivery, toDeliveryStatus, type Row } from '../rows.js';
import type { ClaimRequest, DeliveryInbox, DeliveryRecord, DeliveryState, DeliveryStatus, NewDelivery } from '../types.js';

/**
 * The rows of `deliveries` matching `where` (over the table's own columns, aliased
 * `d`), row-locked in `seq` order: the global order every write to several deliveries
 * takes its locks in, so concurrent writers (claims, renewals, releases, header
 * batches, from several replicas) wait on one another but never deadlock (40P01). A
 * CTE of this, joined back on `seq`, is how such an UPDATE is written: the statement
 * updates only rows its CTE has locked, and the CTE locks them in `seq` order. In READ
 * COMMITTED a row whose lock was waited for is re-checked against `where` in its
 * newest version, so `where` must hold every condition on the row itself.
 */
function lockedInOrder(where: string, options: { columns?: string; join?: string } = {}): string {
  return `SELECT ${options.columns ?? 'd.seq'} FROM deliveries d ${options.join ?? ''} WHERE ${where} ORDER BY d.seq FOR NO KEY UPDATE OF d`;
}

/** How many of the oldest unprocessed deliveries a claim looks among first (at least 4 × the claim's limit). */
const CLAIM_PREFIX = 256;

/** Key of the transaction lock that serialises claims (`pg_advisory_xact_lock`), so the "no other replica holds this repository" check cannot race. */
export const CLAIM_LOCK = 'prebuilds:claim-deliveries';

/**
 * A replica that holds a liveness lock marks its id with this suffix
 * (`host:pid:random:live`, src/coordination/postgres.ts): its claims are void as soon as
 * the lock is free. Ids without it (replicas of an earlier version, tests) are held by
 * their lease alone.
 */
export const LIVE_REPLICA_SUFFIX = ':live';

/** What a liveness lock's name starts with ({@link livenessLockName}). */
const LIVENESS_LOCK_PREFIX = 'prebuilds:replica:';

/**
 * The name of a replica's liveness lock (a session advisory lock on
 * `hashtextextended(name, 0)`), held on the replica's lock connection for as long as
 * that connection lives: PostgreSQL frees it the moment the connection dies (a killed
 * process, a lost connection), which is how a claim tells a dead replica's deliveries
 * from a live one's without waiting for the lease.
 */
export const livenessLockName = (replica: string): string => `${LIVENESS_LOCK_PREFIX}${replica}`;

/**
 * The replicas holding live leases (other than `$replica`) whose liveness lock is free:
 * dead, their claims void. Tried with a transaction lock (`pg_try_advisory_xact_lock`),
 * which succeeds only when no session holds the replica's lock and is released when the
 * claim commits; a replica whose id is not marked ({@link LIVE_REPLICA_SUFFIX}) is never
 * judged by its lock.
 */
const DEAD_HOLDERS = `SELECT h.id FROM (
    SELECT DISTINCT claimed_by AS id FROM deliveries
    WHERE claimed_by IS NOT NULL AND claimed_until >= $now AND processed_at IS NULL AND claimed_by <> $replica AND claimed_by LIKE '%${LIVE_REPLICA_SUFFIX}'
  ) h WHERE pg_try_advisory_xact_lock(hashtextextended('${LIVENESS_LOCK_PREFIX}' || h.id, 0))`;

/**
 * The inbox role on PostgreSQL (the `deliveries` table); {@link PostgresStore} adds the
 * other roles. A claim runs in one short transaction under an advisory transaction
 * lock: it sees every claim committed before it, so one repository's deliveries go to
 * one replica at a time and each delivery to exactly one live lease. Every write to
 * several deliveries is one statement that locks its rows in `seq` order
 * ({@link lockedInOrder}); a write to one delivery locks only that row. So replicas
 * claiming, renewing, finishing and keeping headers at once never deadlock.
 */
export class PostgresInbox implements DeliveryInbox {
  /**
   * @param pool the connections of every other query
   * @param recordPool the connections webhook deliveries are recorded on (default `pool`):
   *   their own, so a delivery's insert, which GitHub's answer waits for, never queues
   *   behind the processing queries that hold `pool`
   */
  constructor(
    readonly pool: pg.Pool,
    protected readonly recordPool: pg.Pool = pool,
  ) {
    this.recordBatch = new RecordBatch(recordPool);
  }

  /** Runs one statement; the rows it returns. */
  protected async rows(sql: string, values: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, values)).rows as Row[];
  }

  /** Runs `fn` in a transaction on one pooled connection; rolled back when it throws. */
  protected async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out connection the server drops emits 'error' on the client: without a listener the process would crash.
    // The running query rejects with the same error, so there is nothing more to do here.
    const dropped = () => undefined;
    client.on('error', dropped);
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', dropped);
      client.release();
    }
  }

  /** Deliveries are recorded in groups on `recordPool` (see {@link RecordBatch}). */
  private readonly recordBatch: RecordBatch;

  async recordDelivery(d: NewDelivery): Promise<boolean> {
    return this.recordBatch.record(d);
  }

  async recordDeliveryHeaders(entries: Array<{ id: string; headers: Record<string, string> }>): Promise<void> {
    if (entries.length === 0) return;
    // One statement (one commit) for the batch, its rows locked in seq order; the first entry of an id wins.
    const first = new Map<string, string>();
    for (const e of entries) if (!first.has(e.id)) first.set(e.id, JSON.stringify(e.headers));
    await this.pool.query(
      `WITH batch AS (SELECT * FROM unnest($1::text[], $2::text[]) AS b(id, headers)),
        locked AS (${lockedInOrder('d.headers IS NULL', { columns: 'd.seq, b.headers', join: 'JOIN batch b ON b.id = d.id' })})
       UPDATE deliveries d SET headers = locked.headers FROM locked WHERE d.seq = locked.seq`,
      [[...first.keys()], [...first.values()]],
    );
  }

  async pruneDeliveryPayloads(processedBefore: number): Promise<number> {
    // Never waits (SKIP LOCKED), so it is never part of a deadlock: a row another writer holds is pruned by the next sweep.
    const [row] = await this.rows(
      `WITH locked AS (SELECT seq FROM deliveries WHERE pruned_at IS NULL AND processed_at IS NOT NULL AND processed_at < $2 FOR NO KEY UPDATE SKIP LOCKED),
         pruned AS (UPDATE deliveries d SET pruned_at = $1 FROM locked WHERE d.seq = locked.seq RETURNING d.seq),
         dropped AS (DELETE FROM delivery_payloads p USING pruned WHERE p.seq = pruned.seq)
       SELECT count(*)::int AS n FROM pruned`,
      [Date.now(), processedBefore],
    );
    return Number(row?.n ?? 0);
  }

  async pendingDeliveries(limit: number, afterSeq = 0): Promise<DeliveryRecord[]> {
    return (
      await this.rows(
        'SELECT d.*, p.payload FROM deliveries d LEFT JOIN delivery_payloads p ON p.seq = d.seq WHERE d.processed_at IS NULL AND d.seq > $1 ORDER BY d.seq LIMIT $2',
        [afterSeq, limit],
      )
    ).map(toDelivery);
  }

  async countPendingDeliveries(): Promise<number> {
    const [row] = await this.rows('SELECT count(*) AS n FROM deliveries WHERE processed_at IS NULL');
    return Number(row?.n ?? 0);
  }

  async claimDeliveries(c: ClaimRequest): Promise<DeliveryRecord[]> {
    const limit = Math.max(0, Math.floor(c.limit));
    const [now, until] = [Math.floor(c.now), Math.floor(c.now + c.leaseMs)];
    const client = await this.pool.connect();
    const dropped = () => undefined; // see transaction()
    client.on('error', dropped);
    try {
      const replica = client.escapeLiteral(c.replica);
      const fill = (sql: string) => sql.replaceAll('$replica', replica).replaceAll('$now', String(now)).replaceAll('$limit', String(limit));
      // First among the oldest unprocessed deliveries only (an index scan of CLAIM_PREFIX rows, not the whole backlog;
      // ordered by (processed_at, seq), all NULL then seq, so the planner walks deliveries_pending in order):
      // their ranks in their repositories are exact (see claimableAmong), so when that finds `limit` deliveries, or
      // there are no more, they are the ones CLAIMABLE finds. Otherwise (a backlog whose oldest deliveries all belong
      // to repositories other replicas hold) CLAIMABLE over every unprocessed delivery, in the same statement.
      const prefix = Math.max(CLAIM_PREFIX, 4 * limit);
      // A delivery held by a dead replica (its liveness lock free) is claimable at once, its repository free.
      const dead = 'SELECT id FROM dead';
      const claimable = `WITH early AS MATERIALIZED (${fill(claimableAmong(`(SELECT * FROM deliveries WHERE processed_at IS NULL ORDER BY processed_at, seq LIMIT ${prefix}) p`, dead))})
        SELECT seq FROM early
        UNION
        SELECT seq FROM (${fill(claimableAmong('deliveries p WHERE p.processed_at IS NULL', dead))}) everywhere
          WHERE (SELECT count(*) FROM early) < ${limit}
            AND EXISTS (SELECT 1 FROM deliveries WHERE processed_at IS NULL ORDER BY processed_at, seq OFFSET ${prefix})`;
      // The claimable rows locked in seq order, each re-checked in its newest version (one finished meanwhile is not claimed).
      const locked = lockedInOrder(
        `d.seq IN (${claimable}) AND d.processed_at IS NULL AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= ${now}) AND (d.claimed_by IS NULL OR d.claimed_until < ${now} OR d.claimed_by IN (${dead}))`,
      );
      // One round trip: the transaction, its lock and the claim sent as one simple query (values inlined: a
      // quoted literal and integers). The claim statement takes its snapshot after the lock is granted, so it
      // sees every claim committed before; the lock is held only while the server runs it, never across a round trip.
      const results = (await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(${client.escapeLiteral(CLAIM_LOCK)}, 0));
         WITH dead AS MATERIALIZED (${fill(DEAD_HOLDERS)}),
           locked AS (${locked}),
           claimed AS (UPDATE deliveries d SET claimed_by = ${replica}, claimed_until = ${until} FROM locked WHERE d.seq = locked.seq RETURNING d.*)
         SELECT c.*, p.payload FROM claimed c LEFT JOIN delivery_payloads p ON p.seq = c.seq;
         COMMIT`,
      )) as unknown as pg.QueryResult[];
      return (results[2]!.rows as Row[]).map(toDelivery).sort((a, b) => a.seq - b.seq);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.off('error', dropped);
      client.release();
    }
  }

  async renewClaims(replica: string, ids: string[], until: number): Promise<number> {
    if (ids.length === 0) return 0;
    const locked = lockedInOrder('d.id = ANY($3::text[]) AND d.claimed_by = $2 AND d.processed_at IS NULL');
    const r = await this.pool.query(`WITH locked AS (${locked}) UPDATE deliveries d SET claimed_until = $1 FROM locked WHERE d.seq = locked.seq`, [
      until,
      replica,
      ids,
    ]);
    return r.rowCount ?? 0;
  }

  async releaseClaims(replica: string | null): Promise<void> {
    const locked = lockedInOrder(replica === null ? 'd.claimed_by IS NOT NULL' : 'd.claimed_by = $1');
    await this.pool.query(
      `WITH locked AS (${locked}) UPDATE deliveries d SET claimed_by = NULL, claimed_until = NULL FROM locked WHERE d.seq = locked.seq`,
      replica === null ? [] : [replica],
    );
  }

  async finishDelivery(id: string, error: string | null): Promise<void> {
    await this.pool.query(
      'UPDATE deliveries SET processed_at = $1, error = $2, next_attempt_at = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = $3',
      [Date.now(), error, id],
    );
  }

  async countAttempt(id: string): Promise<number> {
    const [row] = await this.rows('UPDATE deliveries SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts', [id]);
    return Number(row?.attempts ?? 0);
  }

  async deferDelivery(id: string, nextAttemptAt: number, reason: string, keepClaim = false): Promise<void> {
    await this.pool.query(
      keepClaim
        ? 'UPDATE deliveries SET next_attempt_at = $1, last_error = $2 WHERE id = $3 AND processed_at IS NULL'
        : 'UPDATE deliveries SET next_attempt_at = $1, last_error = $2, claimed_by = NULL, claimed_until = NULL WHERE id = $3 AND processed_at IS NULL',
      [nextAttemptAt, reason, id],
    );
  }

  async nextRetryAt(): Promise<number | null> {
    const [row] = await this.rows('SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE processed_at IS NULL AND next_attempt_at IS NOT NULL');
    return row?.at == null ? null : Number(row.at);
  }

  async deliveryStatus(id: string): Promise<DeliveryStatus | null> {
    const [row] = await this.rows('SELECT * FROM deliveries WHERE id = $1', [id]);
    return row ? toDeliveryStatus(row, Date.now()) : null;
  }

  async listDeliveries(filter: { repository: string; sha?: string; states?: DeliveryState[]; limit?: number }): Promise<DeliveryStatus[]> {
    const values: unknown[] = [filter.repository];
    let sql = 'SELECT * FROM deliveries WHERE repository = $1';
    if (filter.sha) {
      values.push(filter.sha);
      sql += ` AND (sha = $2 OR sha LIKE $2::text || '%')`;
    }
    values.push(filter.states ? 10_000 : (filter.limit ?? 100));
    const now = Date.now();
    const rows = (await this.rows(`${sql} ORDER BY seq DESC LIMIT $${values.length}`, values)).map((r) => toDeliveryStatus(r, now));
    return filter.states ? rows.filter((r) => filter.states!.includes(r.state)).slice(0, filter.limit ?? 100) : rows;
  }
}
