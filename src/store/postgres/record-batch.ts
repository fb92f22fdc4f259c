import type pg from 'pg';
import type { NewDelivery } from '../types.js';

interface Waiting {
  row: unknown[];
  id: string;
  resolve(fresh: boolean): void;
  reject(error: unknown): void;
}

/**
 * Records webhook deliveries on PostgreSQL in groups: one INSERT statement runs at a
 * time (on the inbox's own connection), and the deliveries arriving while it runs go
 * together in the next one (one multi-row INSERT, one round trip, one commit). One at a
 * time keeps `seq` in recording order across groups: a group's rows get their sequence
 * numbers, and commit, after every earlier group's, so a claim never sees a delivery
 * before one recorded earlier (two statements at once could interleave both). Under load, recording then keeps up with arrivals however long one statement
 * takes (a busy server), instead of each delivery queueing for a connection of its own;
 * alone, a delivery is sent at once. Each promise resolves after the statement holding
 * its delivery committed, so a 2xx still means "recorded". A statement that fails rejects
 * the deliveries it held (their webhooks get a 5xx; GitHub does not redeliver on its own: the
 * delivery is redelivered from the app's settings page or by the sender's retry).
 */
export class RecordBatch {
  private waiting: Waiting[] = [];
  private running = 0;

  /**
   * @param pool the connections deliveries are recorded on
   * @param maxRows deliveries one statement holds at most
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly maxRows = 500,
  ) {}

  /** Records one delivery; resolves true when it is new, false when its id was recorded before. */
  record(d: NewDelivery): Promise<boolean> {
    const row = [d.id, d.event, d.action, d.installationId, d.repository ?? null, d.sha ?? null, d.payloadJson ?? JSON.stringify(d.payload), Date.now()];
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ row, id: d.id, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < 1 && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxRows);
      this.running++;
      void this.insert(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async insert(batch: Waiting[]): Promise<void> {
    // Columns as arrays, rows in arrival order (seq follows it); a repeated id in the batch is new only the first time.
    const columns: unknown[][] = Array.from({ length: 8 }, () => []);
    for (const w of batch) w.row.forEach((v, i) => columns[i]!.push(v));
    try {
      // The deliveries, then their bodies (`delivery_payloads`, migration 11) for the rows that were new, in one statement:
      // a delivery and its body commit together. A repeated id in the batch: its first row only.
      const r = await this.pool.query<{ id: string }>(
        `WITH b AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bigint[])
             WITH ORDINALITY AS b(id, event, action, installation_id, repository, sha, payload, received_at, n)),
         recorded AS (
           INSERT INTO deliveries (id, event, action, installation_id, repository, sha, received_at)
           SELECT id, event, action, installation_id, repository, sha, received_at FROM b ORDER BY n
           ON CONFLICT (id) DO NOTHING RETURNING id, seq),
         bodies AS (
           INSERT INTO delivery_payloads (seq, payload)
           SELECT DISTINCT ON (recorded.seq) recorded.seq, b.payload FROM recorded JOIN b ON b.id = recorded.id ORDER BY recorded.seq, b.n)
         SELECT id FROM recorded`,
        columns,
      );
      const fresh = new Set(r.rows.map((row) => row.id));
      for (const w of batch) {
        w.resolve(fresh.delete(w.id));
      }
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
