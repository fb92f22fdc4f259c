import { livenessLockName } from '../../src/store/postgres/inbox.js';
import type { Store } from '../../src/store/types.js';
import { processorFixture, pushDelivery as delivery, sleep, until } from '../helpers/delivery-processors.js';
import { postgresBackend } from '../helpers/store-backends.js';

/**
 * The delivery inbox with several replicas (SPEC.md rule 9, issue 11): replicas need
 * PostgreSQL (a SQLite file belongs to one process, which voids older claims when it
 * starts). A rolling deploy, a replica cut off from the database, work shared out.
 */
const backend = postgresBackend();
const suite = backend.unavailable ? describe.skip : describe;
if (backend.unavailable) console.warn(`skipping the delivery processor with several replicas: ${backend.unavailable}`);

suite('the delivery inbox with several replicas on PostgreSQL (SPEC.md rule 9)', () => {
  const fixture = processorFixture(backend);
  const start = fixture.start;
  let store: Store;
  let db: typeof fixture.db;
  beforeEach(() => {
    store = fixture.store;
    db = fixture.db;
  });

  it('hands the deliveries a stopping replica has not started to the others at once (a rolling deploy)', async () => {
    const handled: Array<[string, string]> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = start(
      store,
      async (d) => {
        handled.push(['a', d.id]);
        await gate;
      },
      { leaseMs: 60_000 },
    );
    for (const id of ['d1', 'd2', 'd3']) await store.recordDelivery(delivery(id, 'o/r'));
    a.kick();
    await until(() => handled.length === 1, 'a to start d1');
    const stopped = a.stop();
    release();
    await stopped;
    const b = start(await db.open(), async (d) => void handled.push(['b', d.id]), { leaseMs: 60_000 });
    b.kick();
    await until(() => handled.length === 3, 'b to take d2 and d3 over');
    expect(handled).toEqual([
      ['a', 'd1'],
      ['b', 'd2'],
      ['b', 'd3'],
    ]);
  });

  it('a replica whose lock connection is lost: its claims go to whichever replica claims next, each delivery handled once, in order', async () => {
    const handled: Array<[string, string]> = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = start(
      store,
      async (d) => {
        handled.push(['a', d.id]);
        if (d.id === 'd1') await gate;
      },
      { leaseMs: 60_000 },
    );
    for (const id of ['d1', 'd2', 'd3']) await store.recordDelivery(delivery(id, 'o/r'));
    a.kick();
    await until(() => handled.length === 1, 'a to start d1');
    const claimedAs = a.replicaId;
    expect((await store.deliveryStatus('d3'))!.claimedBy).toBe(claimedAs);
    // a's lock connection is cut (not its process): PostgreSQL frees its liveness lock, and a goes on under a new id.
    const pool = (store as unknown as { pool: import('pg').Pool }).pool;
    const cut = await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
      [livenessLockName(claimedAs)],
    );
    expect(cut.rowCount).toBe(1);
    const b = start(await db.open(), async (d) => void handled.push(['b', d.id]), { leaseMs: 60_000 });
    b.kick();
    // The old id's claims are void at once (their 60 s leases notwithstanding): a's new session or b claims them.
    // d1's handler on a cannot be stopped midway; d1 is a's again if a claims it first (d2 and d3 then wait behind
    // it, in order), else b handles it once more.
    const takenOver = async () => {
      for (const id of ['d1', 'd2', 'd3']) {
        const status = (await store.deliveryStatus(id))!;
        if (status.state !== 'processed' && (status.claimedBy === null || status.claimedBy === claimedAs)) return false;
      }
      return true;
    };
    await until(takenOver, 'the claims taken over long before their lease ran out');
    release();
    await a.idle();
    await b.idle();
    expect(a.replicaId).not.toBe(claimedAs);
    const ids = handled.map(([, id]) => id);
    expect(ids.filter((id) => id === 'd2')).toHaveLength(1);
    expect(ids.filter((id) => id === 'd3')).toHaveLength(1);
    expect(ids.indexOf('d1')).toBeLessThan(ids.indexOf('d2'));
    expect(ids.indexOf('d2')).toBeLessThan(ids.indexOf('d3'));
    for (const id of ['d1', 'd2', 'd3']) expect(await store.deliveryStatus(id)).toMatchObject({ state: 'processed', claimedBy: null });
  });

  it('retries a delivery another replica deferred when it is due (the poll claims it; this replica never asks for the next retry)', async () => {
    const handled: Array<[string, number]> = [];
    const b = start(store, async (d) => void handled.push([d.id, Date.now()]), { pollIntervalMs: 50 });
    b.kick();
    await b.idle();
    // Replica a (gone since) deferred it: due in 300 ms, its claim released.
    const other = await db.open();
    await other.recordDelivery(delivery('deferred', 'o/r'));
    await other.claimDeliveries({ replica: 'replica-a', now: Date.now(), leaseMs: 60_000, limit: 1 });
    const due = Date.now() + 300;
    await other.deferDelivery('deferred', due, 'GitHub answered 502');
    await until(() => handled.length === 1, 'the deferred delivery to be retried by b');
    expect(handled[0]![0]).toBe('deferred');
    expect(handled[0]![1]).toBeGreaterThanOrEqual(due);
    expect(handled[0]![1]).toBeLessThan(due + 5_000);
  });

  it('shares the work between replicas: each delivery handled once, each repository in order, never two at once', async () => {
    const seen: Array<{ id: string; replica: number }> = [];
    const busy = new Set<string>();
    let overlap = 0;
    const stores = [store, await db.open(), await db.open()];
    const replicas = stores.map((s, k) =>
      start(s, async (d) => {
        const repo = d.repository!;
        if (busy.has(repo)) overlap++;
        busy.add(repo);
        await sleep(2);
        busy.delete(repo);
        seen.push({ id: d.id, replica: k });
      }),
    );
    const ids: string[] = [];
    for (let i = 0; i < 90; i++) {
      ids.push(`d${i}`);
      await stores[i % 3]!.recordDelivery(delivery(`d${i}`, `o/r${i % 5}`));
      replicas[i % 3]!.kick();
    }
    await until(() => seen.length >= 90, 'every delivery');
    await sleep(100);
    expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(overlap).toBe(0);
    for (let r = 0; r < 5; r++) {
      const order = seen.filter((s) => Number(s.id.slice(1)) % 5 === r).map((s) => Number(s.id.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(new Set(seen.map((s) => s.replica)).size).toBeGreaterThan(1);
  });
});
