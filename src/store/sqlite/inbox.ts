import type Database from 'better-sqlite3';
import { CLAIM_PER_REPOSITORY, toDelivery, toDeliveryStatus, type Row } from '../rows.js';
import type { ClaimRequest, DeliveryInbox, DeliveryRecord, DeliveryState, DeliveryStatus, NewDelivery } from '../types.js';

/**
 * A LIMIT written into a statement's text, as an integer (negative: none, as SQLite
 * reads it). A LIMIT bound as
 * a parameter makes SQLite prepare the statement again at every run (the planner takes
 * the bound value into account), which cost more than running the store's small
 * queries; the statement cache ({@link SqliteInbox.sql}) keeps one per limit used.
 * @throws when `limit` is not a finite number
 */
export function sqlLimit(limit: number): number {
  if (!Number.isFinite(limit)) throw new Error(`a limit must be a finite number, not ${limit}`);
  return Math.floor(limit);
}

/**
 * The deliveries one replica may claim (`$replica`) at `$now`, at most `$limit`: the
 * same set, in the same order, as `CLAIMABLE` (src/store/rows.ts), found without reading
 * every unprocessed delivery. Unprocessed deliveries are read in arrival order until
 * `$limit` qualify; a delivery's rank in its repository counts at most
 * {@link CLAIM_PER_REPOSITORY} unprocessed deliveries before it (index
 * `deliveries_unprocessed_repository`), and the repositories held by other replicas
 * come from the claimed rows (index `deliveries_claimed`; `+` keeps SQLite's planner
 * from reading them through every unprocessed delivery instead). A repository is never
 * empty (`owner/name` or `installation:<id>`, src/deliveries/subject.ts), so `IS`
 * groups as `COALESCE(repository, '')` does. With 1,500 deliveries unprocessed a claim
 * took 2.6 ms with the window function over all of them, 0.05 ms this way.
 */
const SQLITE_CLAIMABLE = `SELECT d.seq FROM deliveries d
  WHERE d.processed_at IS NULL
    AND (d.claimed_by IS NULL OR d.claimed_until < $now)
    AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $now)
    AND (SELECT count(*) FROM (
      SELECT 1 FROM deliveries p WHERE p.processed_at IS NULL AND p.repository IS d.repository AND p.seq < d.seq LIMIT ${CLAIM_PER_REPOSITORY})) < ${CLAIM_PER_REPOSITORY}
    AND COALESCE(d.repository, '') NOT IN (
      SELECT COALESCE(o.repository, '') FROM deliveries o
      WHERE o.claimed_by IS NOT NULL AND o.claimed_until >= $now AND +o.processed_at IS NULL AND o.claimed_by <> $replica)
  ORDER BY d.seq LIMIT `;

/**
 * The inbox role on SQLite (the `deliveries` table); {@link SqliteStore} adds the
 * other roles. Claims and leases work as on PostgreSQL, with one process holding them.
 */
export class SqliteInbox implements DeliveryInbox {
  /**
   * @param db the open database
   * @param durability `full`: `synchronous = FULL`, every commit on disk before it returns;
   *   `acknowledged`: `NORMAL`, with `FULL` only for the writes the app acknowledges to
   *   someone (see {@link durable})
   */
  constructor(
    readonly db: Database.Database,
    protected readonly durability: 'full' | 'acknowledged' = 'full',
  ) {
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /**
   * The prepared statement of `text`, prepared once and reused (preparing costs more
   * than running most of the store's statements). At most 500 distinct texts are kept.
   */
  protected sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /**
   * Runs a write whose result the app acknowledges (a delivery before GitHub's 2xx, a
   * token, a session, an override): on disk when it returns, whatever the durability;
   * it makes every earlier commit durable too (one WAL). Processing commits may roll back
   * to a consistent earlier state on power loss, which reprocessing the durable inbox
   * repairs (SPEC.md rule 9).
   */
  protected durable<T>(write: () => T): T {
    if (this.durability === 'full') return write();
    this.db.pragma('synchronous = FULL');
    try {
      return write();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /**
   * Runs an ordinary write. `full`: in the next group commit ({@link durableSoon}), so it
   * is on disk before its promise resolves, as every commit is in that mode, while the
   * writes of concurrently processed deliveries share one sync to disk instead of one
   * each. `acknowledged`: at once, synced as the WAL is.
   */
  protected write<T>(write: () => T): Promise<T> {
    if (this.durability === 'full') return this.durableSoon(write);
    try {
      return Promise.resolve(write());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private syncing: Array<{ write: () => unknown; resolve(value: unknown): void; reject(error: unknown): void }> = [];

  /**
   * Runs a write that must be on disk before its promise resolves, whatever the
   * durability, together with the other such writes of the same turn of the event loop:
   * one transaction, one sync to disk (a group commit). Each write is its own savepoint,
   * so one failing rejects only its own promise.
   */
  protected durableSoon<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.syncing.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.syncing.length === 1) setImmediate(() => this.commitSyncing());
    });
  }

  private commitSyncing(): void {
    const batch = this.syncing;
    this.syncing = [];
    let outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
    try {
      outcomes = this.durable(() =>
        this.db.transaction(() =>
          batch.map((b) => {
            try {
              return { ok: true as const, value: this.db.transaction(b.write)() };
            } catch (error) {
              return { ok: false as const, error };
            }
          }),
        )(),
      );
    } catch (error) {
      for (const b of batch) b.reject(error);
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
  }

  /**
   * Records a delivery durably: committed with the other durable writes of the same turn
   * of the event loop (one sync to disk for all, {@link durableSoon}), and resolved only
   * after that commit, so a 2xx still means "on disk". Its body goes to
   * `delivery_payloads`, in the same savepoint.
   */
  async recordDelivery(d: NewDelivery): Promise<boolean> {
    const insert = this.sql(
      `INSERT INTO deliveries (id, event, action, installation_id, repository, sha, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    const insertPayload = this.sql('INSERT INTO delivery_payloads (seq, payload) VALUES (?, ?)');
    const payload = d.payloadJson ?? JSON.stringify(d.payload);
    return this.durableSoon(() => {
      const r = insert.run(d.id, d.event, d.action, d.installationId, d.repository ?? null, d.sha ?? null, Date.now());
      if (r.changes !== 1) return false;
      insertPayload.run(r.lastInsertRowid, payload);
      return true;
    });
  }

  async recordDeliveryHeaders(entries: Array<{ id: string; headers: Record<string, string> }>): Promise<void> {
    const update = this.sql('UPDATE deliveries SET headers = ? WHERE id = ? AND headers IS NULL');
    // An ordinary write: in `full`, with the next group commit (not a sync to disk of its own).
    await this.write(() => {
      for (const e of entries) update.run(JSON.stringify(e.headers), e.id);
    });
  }

  async pruneDeliveryPayloads(processedBefore: number): Promise<number> {
    const prunable = 'SELECT seq FROM deliveries WHERE pruned_at IS NULL AND processed_at IS NOT NULL AND processed_at < ?';
    const drop = this.sql(`DELETE FROM delivery_payloads WHERE seq IN (${prunable})`);
    const mark = this.sql(`UPDATE deliveries SET pruned_at = ? WHERE seq IN (${prunable})`);
    return this.db.transaction(() => {
      drop.run(processedBefore);
      return mark.run(Date.now(), processedBefore).changes;
    })();
  }

  async pendingDeliveries(limit: number, afterSeq = 0): Promise<DeliveryRecord[]> {
    const rows = this.sql(
      `SELECT d.*, p.payload FROM deliveries d LEFT JOIN delivery_payloads p ON p.seq = d.seq WHERE d.processed_at IS NULL AND d.seq > ? ORDER BY d.seq LIMIT ${sqlLimit(limit)}`,
    ).all(afterSeq) as Row[];
    return rows.map(toDelivery);
  }

  async countPendingDeliveries(): Promise<number> {
    return Number((this.sql('SELECT count(*) AS n FROM deliveries WHERE processed_at IS NULL').get() as Row).n);
  }

  async claimDeliveries(c: ClaimRequest): Promise<DeliveryRecord[]> {
    const claim = this.sql(
      `UPDATE deliveries SET claimed_by = $replica, claimed_until = $until WHERE seq IN (${SQLITE_CLAIMABLE}${sqlLimit(c.limit)}) RETURNING *`,
    );
    const payloadOf = this.sql('SELECT payload FROM delivery_payloads WHERE seq = ?').pluck();
    const rows = await this.write(() => {
      const claimed = claim.all({ replica: c.replica, until: c.now + c.leaseMs, now: c.now }) as Row[];
      for (const r of claimed) r.payload = payloadOf.get(r.seq);
      return claimed;
    });
    return rows.map(toDelivery).sort((a, b) => a.seq - b.seq);
  }

  async renewClaims(replica: string, ids: string[], until: number): Promise<number> {
    if (ids.length === 0) return 0;
    return this.sql('UPDATE deliveries SET claimed_until = ? WHERE claimed_by = ? AND processed_at IS NULL AND id IN (SELECT value FROM json_each(?))').run(
      until,
      replica,
      JSON.stringify(ids),
    ).changes;
  }

  async releaseClaims(replica: string | null): Promise<void> {
    if (replica === null) this.sql('UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by IS NOT NULL').run();
    else this.sql('UPDATE deliveries SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = ?').run(replica);
  }

  async finishDelivery(id: string, error: string | null): Promise<void> {
    const finish = this.sql('UPDATE deliveries SET processed_at = ?, error = ?, next_attempt_at = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?');
    const now = Date.now();
    await this.write(() => finish.run(now, error, id));
  }

  async countAttempt(id: string): Promise<number> {
    // Off the hot path (failures only): committed at once.
    const row = this.sql('UPDATE deliveries SET attempts = attempts + 1 WHERE id = ? RETURNING attempts').get(id) as Row | undefined;
    return Number(row?.attempts ?? 0);
  }

  async deferDelivery(id: string, nextAttemptAt: number, reason: string, keepClaim = false): Promise<void> {
    this.sql(
      keepClaim
        ? 'UPDATE deliveries SET next_attempt_at = ?, last_error = ? WHERE id = ? AND processed_at IS NULL'
        : 'UPDATE deliveries SET next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL WHERE id = ? AND processed_at IS NULL',
    ).run(nextAttemptAt, reason, id);
  }

  async nextRetryAt(): Promise<number | null> {
    const row = this.sql('SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE processed_at IS NULL AND next_attempt_at IS NOT NULL').get() as Row;
    return row.at == null ? null : Number(row.at);
  }

  async deliveryStatus(id: string): Promise<DeliveryStatus | null> {
    const row = this.sql('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined;
    return row ? toDeliveryStatus(row, Date.now()) : null;
  }

  async listDeliveries(filter: { repository: string; sha?: string; states?: DeliveryState[]; limit?: number }): Promise<DeliveryStatus[]> {
    const values: unknown[] = [filter.repository];
    let sql = 'SELECT * FROM deliveries WHERE repository = ?';
    if (filter.sha) {
      sql += " AND (sha = ? OR sha LIKE ? || '%')";
      values.push(filter.sha, filter.sha);
    }
    const now = Date.now();
    const rows = (this.sql(`${sql} ORDER BY seq DESC LIMIT ${sqlLimit(filter.states ? 10_000 : (filter.limit ?? 100))}`).all(...values) as Row[]).map((r) =>
      toDeliveryStatus(r, now),
    );
    return filter.states ? rows.filter((r) => filter.states!.includes(r.state)).slice(0, filter.limit ?? 100) : rows;
  }
}
