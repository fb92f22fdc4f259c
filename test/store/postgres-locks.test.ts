import type { Store } from '../../src/store/types.js';
import { CLAIM_PER_REPOSITORY } from '../../src/store/rows.js';
import { postgresBackend, type BackendStore } from '../helpers/store-backends.js';

/**
 * Row-lock order on PostgreSQL's `deliveries` table: every write that touches several
 * deliveries (a claim, a lease renewal, a claim release, a header batch, a payload
 * prune) takes its row locks in one global order (`seq`), so writers from several
 * replicas over the same deliveries never deadlock (SQLSTATE 40P01, "deadlock
 * detected"), whatever order their callers list the deliveries in. SQLite locks the
 * whole database per write, so it has nothing to order.
 */
const backend = postgresBackend();
const suite = backend.unavailable ? describe.skip : describe;
if (backend.unavailable) console.warn(`skipping the PostgreSQL row-lock test: ${backend.unavailable}`);

/** Rounds of concurrent writers, each over fresh deliveries (a header is written once). */
const ROUNDS = 10;
/** Deliveries per round. */
const PER_ROUND = 80;

/** Spread over PER_ROUND / CLAIM_PER_REPOSITORY repositories, so one claim can take a whole round. */
const delivery = (id: string) => ({
  id,
  event: 'push',
  action: null,
  installationId: 1,
  repository: `o/r${Number(id.slice(-4)) % (PER_ROUND / CLAIM_PER_REPOSITORY)}`,
  payload: { id },
});
const headers = (ids: string[]) => ids.map((id) => ({ id, headers: { 'x-github-delivery': id } }));
/** The PostgreSQL error code of a failure (40P01 is a deadlock), or its message. */
const code = (error: unknown) => (error as { code?: string }).code ?? String(error);

suite('deliveries row locks on PostgreSQL', () => {
  let db: BackendStore;
  afterEach(async () => db?.cleanup());
  afterAll(async () => backend.shutdown());

  it('lets renewals, header batches, claims, releases, prunes and finishes over overlapping deliveries in opposite orders run at once without a deadlock', async () => {
    db = await backend.fresh();
    // Two replicas, each with its own pool of connections.
    const replicas: Store[] = [db.store, await db.open()];
    const [a, b] = replicas as [Store, Store];
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Ids whose text order is the reverse of their arrival (seq) order, so an index scan on id and a scan in seq order disagree.
      const ids = Array.from({ length: PER_ROUND }, (_, i) => `round-${round}-${String(PER_ROUND - i).padStart(4, '0')}`);
      for (const id of ids) await a.recordDelivery(delivery(id));
      const now = Date.now();
      expect(await a.claimDeliveries({ replica: 'r1', now, leaseMs: 60_000, limit: PER_ROUND })).toHaveLength(PER_ROUND);
      const reversed = [...ids].reverse();
      const odd = ids.filter((_, i) => i % 2 === 1);
      const writes: Array<[string, () => Promise<unknown>]> = [
        ['header batch in seq order', () => a.recordDeliveryHeaders(headers(ids))],
        ['header batch in reverse seq order', () => b.recordDeliveryHeaders(headers(reversed))],
        ['renewClaims', () => a.renewClaims('r1', ids, now + 120_000)],
        ['renewClaims (reversed list)', () => b.renewClaims('r1', reversed, now + 120_000)],
        ['renewClaims (every other delivery)', () => b.renewClaims('r1', odd, now + 120_000)],
        // Another replica takes the deliveries over as if r1's lease had run out, then lets go of them.
        ['claimDeliveries', () => b.claimDeliveries({ replica: 'r2', now: now + 600_000, leaseMs: 60_000, limit: PER_ROUND })],
        ['releaseClaims', () => a.releaseClaims('r2')],
        ['pruneDeliveryPayloads', () => b.pruneDeliveryPayloads(now + 600_000)],
        ...reversed.map((id, i): [string, () => Promise<unknown>] => ['finishDelivery', () => replicas[i % 2]!.finishDelivery(id, null)]),
      ];
      const settled = await Promise.allSettled(writes.map(([, write]) => write()));
      settled.forEach((s, i) => {
        if (s.status === 'rejected') failures.push(`round ${round}, ${writes[i]![0]}: ${code(s.reason)} ${String(s.reason)}`);
      });
      // Every delivery ends processed, keeps its headers and holds no claim, whichever writer came first.
      for (const id of ids) {
        const status = await a.deliveryStatus(id);
        expect(status).toMatchObject({ state: 'processed', claimedBy: null });
      }
    }
    const pool = (a as unknown as { pool: import('pg').Pool }).pool;
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM deliveries WHERE headers IS NULL');
    expect(failures).toEqual([]);
    expect(rows[0].n).toBe(0);
  });
});
