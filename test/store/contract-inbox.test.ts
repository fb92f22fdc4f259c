import type { Store } from '../../src/store/types.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { CLAIM_PER_REPOSITORY } from '../../src/store/rows.js';
import { newPrebuild, storeContract } from '../helpers/store-backends.js';

/**
 * The store contract, delivery inbox part: migrations, recording deliveries once, claims with
 * leases among replicas, per-repository claim limits, retries. Runs on SQLite and on a real
 * PostgreSQL server (started from Debian's `postgresql` package by test/helpers/postgres.ts).
 * The records part is in contract-records.test.ts.
 */
const delivery = (id: string, repository: string | null, sha: string | null = null) => ({
  id,
  event: 'push',
  action: null,
  installationId: 1,
  repository,
  sha,
  payload: { ref: 'refs/heads/main', n: id },
});

storeContract('delivery inbox', (ctx) => {
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
  });

  it('migrates idempotently (every version once) and keeps data across reopen', async () => {
    expect(store.dialect).toBe(ctx.backend.name === 'SQLite' ? 'sqlite' : 'postgres');
    await store.migrate();
    const p = await store.createPrebuild(newPrebuild({ settings: { name: 'devcontainer' } as never, hooks: null }));
    const again = await ctx.db.open();
    await Promise.all([again.migrate(), store.migrate()]);
    expect((await again.getPrebuild(p.id))?.sha).toBe('a'.repeat(40));
    expect((await again.getPrebuild(p.id))?.settings).toEqual({ name: 'devcontainer' });
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('records a delivery once: a redelivery returns false', async () => {
    const d = delivery('delivery-1', 'octo/app', 'b'.repeat(40));
    expect(await store.recordDelivery(d)).toBe(true);
    expect(await store.recordDelivery(d)).toBe(false);
    const [pending] = await store.pendingDeliveries(10);
    expect(pending).toMatchObject({ id: 'delivery-1', event: 'push', installationId: 1, repository: 'octo/app', sha: 'b'.repeat(40), attempts: 0 });
    expect(pending!.payload).toEqual(d.payload);
    expect(await store.countAttempt('delivery-1')).toBe(1);
    expect(await store.countAttempt('delivery-1')).toBe(2);
    await store.finishDelivery('delivery-1', null);
    expect(await store.pendingDeliveries(10)).toEqual([]);
    expect(await store.deliveryStatus('delivery-1')).toMatchObject({ state: 'processed', attempts: 2, reason: null });
    expect(await store.deliveryStatus('nope')).toBeNull();
  });

  it('records many deliveries arriving at once: each new once (a redelivery in the same group too), counted while pending; one after another keeps its order', async () => {
    // On PostgreSQL the deliveries arriving while an insert runs go together in the next one (RecordBatch).
    const ids = Array.from({ length: 120 }, (_, i) => `burst-${i}`);
    const sent = [...ids, 'burst-3', 'burst-77'];
    const fresh = await Promise.all(sent.map((id) => store.recordDelivery(delivery(id, `o/r${id.length % 3}`))));
    // Each id new exactly once: the two redeliveries are not.
    const newIds = sent.filter((_, i) => fresh[i]);
    expect(newIds.sort()).toEqual([...ids].sort());
    const pending = await store.pendingDeliveries(1000);
    // In recording order (one group after another, each in arrival order), each with its own body.
    expect(pending.map((d) => d.id)).toEqual(ids);
    expect(pending.filter((d) => (d.payload as { n?: string }).n !== d.id)).toEqual([]);
    expect(await store.countPendingDeliveries()).toBe(120);
    await store.finishDelivery('burst-0', null);
    expect(await store.countPendingDeliveries()).toBe(119);
    // Recorded one after another (each answered before the next arrives): in that order.
    for (const id of ['then-1', 'then-2', 'then-3']) expect(await store.recordDelivery(delivery(id, 'o/r'))).toBe(true);
    expect((await store.pendingDeliveries(1000)).slice(-3).map((d) => d.id)).toEqual(['then-1', 'then-2', 'then-3']);
  });

  it('claims deliveries for one replica at a time, one repository per replica, until the lease expires', async () => {
    for (const [id, r] of [
      ['r1', 'o/r'],
      ['r2', 'o/r'],
      ['s1', 'o/s'],
      ['n1', null],
    ] as const)
      await store.recordDelivery(delivery(id, r));
    const now = 1_000_000;
    const a = await store.claimDeliveries({ replica: 'a', now, leaseMs: 1000, limit: 1 });
    expect(a.map((d) => d.id)).toEqual(['r1']);
    // Replica b may not take o/r's second delivery while a holds its first.
    const b = await store.claimDeliveries({ replica: 'b', now, leaseMs: 1000, limit: 10 });
    expect(b.map((d) => d.id)).toEqual(['s1', 'n1']);
    expect((await store.claimDeliveries({ replica: 'a', now, leaseMs: 1000, limit: 10 })).map((d) => d.id)).toEqual(['r2']);
    expect(await store.claimDeliveries({ replica: 'c', now: now + 500, leaseMs: 1000, limit: 10 })).toEqual([]);
    // a renews; b stops renewing: after b's lease, c takes b's deliveries over.
    expect(await store.renewClaims('a', ['r1', 'r2', 's1'], now + 5000)).toBe(2);
    expect((await store.claimDeliveries({ replica: 'c', now: now + 1001, leaseMs: 1000, limit: 10 })).map((d) => d.id)).toEqual(['s1', 'n1']);
    await store.finishDelivery('r1', null);
    await store.releaseClaims('a');
    expect((await store.claimDeliveries({ replica: 'b', now: now + 1002, leaseMs: 1000, limit: 10 })).map((d) => d.id)).toEqual(['r2']);
    await store.releaseClaims(null);
    expect((await store.deliveryStatus('r2'))!.claimedBy).toBeNull();
  });

  it('hands every delivery to exactly one of several replicas claiming at once', async () => {
    const replicas = [store, await ctx.db.open(), await ctx.db.open()];
    // 6 repositories × CLAIM_PER_REPOSITORY deliveries: all claimable without any finishing.
    for (let i = 0; i < 6 * CLAIM_PER_REPOSITORY; i++) await store.recordDelivery(delivery(`d${i}`, `o/r${i % 6}`));
    const owner = new Map<string, string>();
    const repoOwner = new Map<string, string>();
    await Promise.all(
      replicas.map(async (s, k) => {
        for (let round = 0; round < 10; round++) {
          for (const d of await s.claimDeliveries({ replica: `replica-${k}`, now: Date.now(), leaseMs: 60_000, limit: 4 })) {
            expect(owner.has(d.id)).toBe(false);
            owner.set(d.id, `replica-${k}`);
            const held = repoOwner.get(d.repository!);
            if (held) expect(held).toBe(`replica-${k}`);
            repoOwner.set(d.repository!, `replica-${k}`);
          }
        }
      }),
    );
    expect(owner.size).toBe(6 * CLAIM_PER_REPOSITORY);
  });

  it("claims at most CLAIM_PER_REPOSITORY of one repository's deliveries: its backlog never holds back another repository's", async () => {
    for (let i = 0; i < 50; i++) await store.recordDelivery(delivery(`busy-${i}`, 'o/busy'));
    await store.recordDelivery(delivery('other', 'o/other'));
    const now = Date.now();
    const first = (await store.claimDeliveries({ replica: 'a', now, leaseMs: 60_000, limit: 32 })).map((d) => d.id);
    expect(first).toEqual([...Array.from({ length: CLAIM_PER_REPOSITORY }, (_, i) => `busy-${i}`), 'other']);
    // Nothing more of the busy repository until one of its claimed deliveries is finished; then the next in order.
    expect(await store.claimDeliveries({ replica: 'a', now, leaseMs: 60_000, limit: 32 })).toEqual([]);
    await store.finishDelivery('busy-0', null);
    expect((await store.claimDeliveries({ replica: 'a', now, leaseMs: 60_000, limit: 32 })).map((d) => d.id)).toEqual([`busy-${CLAIM_PER_REPOSITORY}`]);
  });

  it('claims past a long backlog of a repository another replica holds (PostgreSQL looks among the oldest 256 first)', async () => {
    // 300 deliveries of one repository replica b holds, one of another repository among them, two more after them.
    for (let i = 0; i < 300; i++) {
      await store.recordDelivery(delivery(`held-${i}`, 'o/held'));
      if (i === 100) await store.recordDelivery(delivery('early-0', 'o/early'));
    }
    for (const id of ['late-0', 'late-1']) await store.recordDelivery(delivery(id, 'o/late'));
    const now = Date.now();
    expect((await store.claimDeliveries({ replica: 'b', now, leaseMs: 60_000, limit: 1 })).map((d) => d.id)).toEqual(['held-0']);
    // Replica a: the one in the oldest 256 and, as that is fewer than it asked for, the two after them.
    expect((await store.claimDeliveries({ replica: 'a', now, leaseMs: 60_000, limit: 3 })).map((d) => d.id)).toEqual(['early-0', 'late-0', 'late-1']);
    expect(await store.claimDeliveries({ replica: 'a', now, leaseMs: 60_000, limit: 3 })).toEqual([]);
    // Replica b: its repository's next ones, at most CLAIM_PER_REPOSITORY in all.
    const next = await store.claimDeliveries({ replica: 'b', now, leaseMs: 60_000, limit: 32 });
    expect(next.map((d) => d.id)).toEqual(Array.from({ length: CLAIM_PER_REPOSITORY - 1 }, (_, i) => `held-${i + 1}`));
  });

  it('defers a failed delivery: not claimable until due, shown as retrying with its reason, then given up', async () => {
    await store.recordDelivery(delivery('flaky', 'octo/app', 'c'.repeat(40)));
    await store.recordDelivery(delivery('fine', 'octo/app', 'd'.repeat(40)));
    const now = Date.now();
    await store.claimDeliveries({ replica: 'a', now, leaseMs: 1000, limit: 1 });
    await store.countAttempt('flaky');
    await store.deferDelivery('flaky', now + 60_000, 'GitHub answered 502');
    expect(await store.nextRetryAt()).toBe(now + 60_000);
    expect(await store.deliveryStatus('flaky')).toMatchObject({
      state: 'retrying',
      reason: 'GitHub answered 502',
      nextAttemptAt: now + 60_000,
      attempts: 1,
      claimedBy: null,
    });
    // The repository is not held by a waiting retry: its next delivery goes on.
    expect((await store.claimDeliveries({ replica: 'b', now, leaseMs: 1000, limit: 10 })).map((d) => d.id)).toEqual(['fine']);
    await store.finishDelivery('fine', null);
    expect((await store.claimDeliveries({ replica: 'b', now: now + 60_000, leaseMs: 1000, limit: 10 })).map((d) => d.id)).toEqual(['flaky']);
    expect((await store.listDeliveries({ repository: 'octo/app', sha: 'ccccccc' })).map((d) => [d.id, d.state])).toEqual([['flaky', 'retrying']]);
    expect((await store.listDeliveries({ repository: 'octo/app', states: ['retrying'] })).map((d) => d.id)).toEqual(['flaky']);
    await store.finishDelivery('flaky', 'gave up after 1 attempt: GitHub answered 502');
    expect(await store.deliveryStatus('flaky')).toMatchObject({
      state: 'failed',
      reason: 'gave up after 1 attempt: GitHub answered 502',
      nextAttemptAt: null,
    });
    expect(await store.nextRetryAt()).toBeNull();
    expect((await store.listDeliveries({ repository: 'octo/app' })).map((d) => d.id)).toEqual(['fine', 'flaky']);
  });
});
