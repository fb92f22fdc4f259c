import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Store } from '../../src/store/types.js';
import { CLAIM_PER_REPOSITORY } from '../../src/store/rows.js';
import { newPrebuild, postgresBackend, sqliteBackend, STORE_REPO, type BackendStore } from '../helpers/store-backends.js';

/**
 * The store contract: every role behaves the same on SQLite and on a real PostgreSQL
 * server (started from Debian's `postgresql` package by test/helpers/postgres.ts).
 */
const repo = STORE_REPO;
const delivery = (id: string, repository: string | null, sha: string | null = null) => ({
  id,
  event: 'push',
  action: null,
  installationId: 1,
  repository,
  sha,
  payload: { ref: 'refs/heads/main', n: id },
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  const suite = backend.unavailable ? describe.skip : describe;
  if (backend.unavailable) console.warn(`skipping the ${backend.name} store contract: ${backend.unavailable}`);

  suite(`the store contract on ${backend.name}`, () => {
    let db: BackendStore;
    let store: Store;
    beforeEach(async () => {
      db = await backend.fresh();
      store = db.store;
    });
    afterEach(async () => db.cleanup());
    afterAll(async () => backend.shutdown());

    it('migrates idempotently (every version once) and keeps data across reopen', async () => {
      expect(store.dialect).toBe(backend.name === 'SQLite' ? 'sqlite' : 'postgres');
      await store.migrate();
      const p = await store.createPrebuild(newPrebuild({ settings: { name: 'devcontainer' } as never, hooks: null }));
      const again = await db.open();
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
      const replicas = [store, await db.open(), await db.open()];
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

    it('stores a lane state with the prebuild it creates, also when the prebuild existed', async () => {
      const input = newPrebuild({ deliveryId: 'with-lane' });
      const lane = { commitsSinceTrigger: 0, lastIdentity: 'id-1', lastSeq: 5, lastRun: true };
      const p = await store.createPrebuild(input, { lane });
      expect(await store.getLane(repo, input.configuration, input.branch)).toEqual(lane);
      expect(await store.getLane(repo, input.configuration, 'other')).toEqual({ commitsSinceTrigger: 0, lastIdentity: null, lastSeq: 0, lastRun: false });
      const again = await store.createPrebuild(input, { lane: { ...lane, lastSeq: 6 } });
      expect(again.id).toBe(p.id);
      expect((await store.getLane(repo, input.configuration, input.branch)).lastSeq).toBe(6);
    });

    it('creates one prebuild per (delivery, configuration) even when reprocessed', async () => {
      const a = await store.createPrebuild(newPrebuild({ deliveryId: 'd1' }));
      const b = await store.createPrebuild(newPrebuild({ deliveryId: 'd1' }));
      const c = await store.createPrebuild(newPrebuild({ deliveryId: 'd1', configuration: 'other' }));
      expect(b.id).toBe(a.id);
      expect(c.id).not.toBe(a.id);
      expect(a).toMatchObject({ state: 'waiting', reason: null, checkRunId: null, hooks: null, settings: null, deliveryId: 'd1' });
      expect(typeof a.createdAt).toBe('number');
      expect(await store.listPrebuilds(repo)).toHaveLength(2);
      expect(await store.repositoryInstallation(repo)).toBe(1);
      expect(await store.repositoryInstallation({ owner: 'octo', repo: 'none' })).toBeNull();
    });

    it('updates, filters, paginates and finds by run id', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.createPrebuild(newPrebuild({ sha: String(i).repeat(40), installationId: i < 3 ? 1 : 2 }))).id);
      const updated = await store.updatePrebuild(ids[1]!, { state: 'success', workflowRunId: 77, hooks: { onCreateCommand: 12 }, endedAt: 1_700_000_000_000 });
      expect(updated).toMatchObject({ id: ids[1], state: 'success', workflowRunId: 77, endedAt: 1_700_000_000_000 });
      expect((await store.findPrebuildByRun(repo, 77))?.id).toBe(ids[1]);
      expect(await store.findPrebuildByRun(repo, 78)).toBeNull();
      expect((await store.getPrebuild(ids[1]!))?.hooks).toEqual({ onCreateCommand: 12 });
      expect((await store.getPrebuild(ids[0]!))?.runReport).toBeNull();
      const runReport = { runId: 9_000_000_001, runAttempt: 2, reportId: 'jti-1', result: '{"snapshotKey":"k"}', reportedAt: 1_700_000_000_000 };
      await store.updatePrebuild(ids[0]!, { runReport });
      expect((await store.getPrebuild(ids[0]!))?.runReport).toEqual(runReport);
      expect((await store.listPrebuilds({ ...repo, states: ['success'] })).map((p) => p.id)).toEqual([ids[1]]);
      expect((await store.listPrebuilds({ unreported: true })).map((p) => p.id)).toEqual([ids[1]]);
      await store.updatePrebuild(ids[1]!, { reportedState: 'success' });
      expect(await store.listPrebuilds({ unreported: true })).toEqual([]);
      expect((await store.listPrebuilds({ installationIds: [2] })).map((p) => p.id)).toEqual([ids[4], ids[3]]);
      expect(await store.listPrebuilds({ installationIds: [] })).toEqual([]);
      expect(await store.listPrebuilds({ createdSince: Date.now() + 60_000 })).toEqual([]);
      expect((await store.listPrebuilds({ sha: '0'.repeat(40), branch: 'main', configuration: 'devcontainer' })).map((p) => p.id)).toEqual([ids[0]]);
      const page1 = await store.listPrebuilds({ ...repo, limit: 2 });
      const page2 = await store.listPrebuilds({ ...repo, limit: 2, beforeId: page1[1]!.id });
      expect(page1.map((p) => p.id)).toEqual([ids[4], ids[3]]);
      expect(page2.map((p) => p.id)).toEqual([ids[2], ids[1]]);
      expect((await store.updatePrebuild(ids[2]!, {})).id).toBe(ids[2]);
      await expect(store.updatePrebuild(9999, { state: 'failure' })).rejects.toThrow('does not exist');
    });

    it('updates a prebuild only while it holds the expected values (compare and set, nulls matched)', async () => {
      const p = await store.createPrebuild(newPrebuild({ deliveryId: 'cas' }));
      await store.updatePrebuild(p.id, { state: 'success', snapshotKey: 'k1' });
      // reason is null: `null` matches it; a different state or key does not.
      expect(await store.updatePrebuildIf(p.id, { state: 'failure', reason: null }, { state: 'expired' })).toBeNull();
      expect(await store.updatePrebuildIf(p.id, { state: 'success', snapshotKey: 'k2' }, { state: 'expired' })).toBeNull();
      expect((await store.getPrebuild(p.id))?.state).toBe('success');
      const marked = await store.updatePrebuildIf(p.id, { state: 'success', reason: null, snapshotKey: 'k1' }, { state: 'expired', reason: 'r1' });
      expect(marked).toMatchObject({ id: p.id, state: 'expired', reason: 'r1', snapshotKey: 'k1' });
      expect(await store.updatePrebuildIf(p.id, { state: 'expired', reason: 'r2' }, { state: 'success', reason: null })).toBeNull();
      expect(await store.updatePrebuildIf(p.id, { state: 'expired', reason: 'r1' }, { state: 'success', reason: null })).toMatchObject({
        state: 'success',
        reason: null,
      });
      expect(await store.updatePrebuildIf(p.id, { state: 'success' }, {})).toMatchObject({ id: p.id, state: 'success' });
      expect(await store.updatePrebuildIf(9999, { state: 'success' }, { state: 'expired' })).toBeNull();
    });

    it('records decisions with a prebuild update in one write: both land, in order; for a missing prebuild neither', async () => {
      const p = await store.createPrebuild(newPrebuild({ deliveryId: 'with-decisions' }));
      const decided = (decision: string, prebuildId: number | null) => ({
        deliveryId: 'with-decisions',
        ...repo,
        sha: p.sha,
        event: 'push',
        configuration: p.configuration,
        decision,
        reason: `${decision} here`,
        prebuildId,
      });
      const updated = await store.updatePrebuild(
        p.id,
        { state: 'superseded', reason: 'newer' },
        { decisions: [decided('superseded', p.id), decided('queued', 77)] },
      );
      expect(updated).toMatchObject({ id: p.id, state: 'superseded', reason: 'newer' });
      expect((await store.listDecisions(repo, p.sha)).map((d) => [d.decision, d.reason, d.prebuildId, d.deliveryId])).toEqual([
        ['superseded', 'superseded here', p.id, 'with-decisions'],
        ['queued', 'queued here', 77, 'with-decisions'],
      ]);
      // An empty patch with a decision records it, the prebuild unchanged; `durable` changes nothing else.
      expect(await store.updatePrebuild(p.id, {}, { durable: true, decisions: [decided('started', p.id)] })).toMatchObject({ state: 'superseded' });
      expect((await store.listDecisions(repo, p.sha)).map((d) => d.decision)).toEqual(['superseded', 'queued', 'started']);
      await expect(store.updatePrebuild(9999, { state: 'failure' }, { decisions: [decided('failed', 9999)] })).rejects.toThrow(/9999 does not exist/);
      await expect(store.updatePrebuild(9999, {}, { decisions: [decided('failed', 9999)] })).rejects.toThrow(/9999 does not exist/);
      expect((await store.listDecisions(repo, p.sha)).map((d) => d.decision)).toEqual(['superseded', 'queued', 'started']);
    });

    it('keeps lanes, configuration state and decisions (prefix lookup by sha); a deleted branch drops its lanes and schedules', async () => {
      expect(await store.getLane(repo, 'c', 'main')).toEqual({ commitsSinceTrigger: 0, lastIdentity: null, lastSeq: 0, lastRun: false });
      await store.setLane(repo, 'c', 'main', { commitsSinceTrigger: 2, lastIdentity: 'x' });
      await store.setLane(repo, 'c', 'main', { commitsSinceTrigger: 3, lastIdentity: 'y', lastSeq: 7, lastRun: true });
      expect(await store.getLane(repo, 'c', 'main')).toEqual({ commitsSinceTrigger: 3, lastIdentity: 'y', lastSeq: 7, lastRun: true });
      await store.setLane(repo, 'c', 'dev', { commitsSinceTrigger: 1, lastIdentity: 'z' });
      await store.setSchedule(repo, 'c', 'main', { cron: '0 3 * * *', installationId: 1 });
      await store.forgetBranch(repo, 'main');
      expect((await store.getLane(repo, 'c', 'main')).lastIdentity).toBeNull();
      expect((await store.getLane(repo, 'c', 'dev')).lastIdentity).toBe('z');
      expect(await store.listSchedules()).toEqual([]);
      expect(await store.getConfigurationState(repo, 'c')).toEqual({ paused: false });
      await store.setConfigurationState(repo, 'c', { paused: true });
      expect(await store.getConfigurationState(repo, 'c')).toEqual({ paused: true });
      await store.recordDecision({
        deliveryId: 'd',
        ...repo,
        sha: 'abcdef1234',
        event: 'push',
        configuration: 'c',
        decision: 'skipped',
        reason: 'interval 1/2',
        prebuildId: null,
      });
      await store.recordDecision({
        deliveryId: 'e',
        ...repo,
        sha: 'abcdef1234',
        event: 'push',
        configuration: 'c',
        decision: 'started',
        reason: 'started',
        prebuildId: 4,
      });
      const found = await store.listDecisions(repo, 'abcdef1');
      expect(found.map((d) => [d.reason, d.prebuildId])).toEqual([
        ['interval 1/2', null],
        ['started', 4],
      ]);
      expect(await store.listDecisions(repo, 'abcdef2')).toEqual([]);
    });

    it('keeps schedules: a same-cron update keeps its time, a new cron resets it; firing is recorded', async () => {
      await store.setSchedule(repo, 'c', 'main', { cron: '0 3 * * *', installationId: 1 });
      const [first] = await store.listSchedules();
      expect(first).toMatchObject({ ...repo, configuration: 'c', branch: 'main', cron: '0 3 * * *', installationId: 1, lastFiredAt: null });
      await new Promise((r) => setTimeout(r, 5));
      await store.setSchedule(repo, 'c', 'main', { cron: '0 3 * * *', installationId: 2 });
      expect((await store.listSchedules())[0]).toMatchObject({ installationId: 2, updatedAt: first!.updatedAt });
      await store.setSchedule(repo, 'c', 'main', { cron: '0 4 * * *', installationId: 2 });
      expect((await store.listSchedules())[0]!.updatedAt).toBeGreaterThan(first!.updatedAt);
      await store.markScheduleFired(repo, 'c', 'main', 1_700_000_000_000);
      expect((await store.listSchedules())[0]!.lastFiredAt).toBe(1_700_000_000_000);
      await store.setSchedule(repo, 'c', 'main', null);
      expect(await store.listSchedules()).toEqual([]);
    });

    it('keeps overrides and lists the configurations it knows', async () => {
      expect(await store.getOverrides(repo, 'c')).toEqual({});
      await store.setOverrides(repo, 'c', { commitInterval: 3, triggerFiles: ['a/**'] });
      expect(await store.getOverrides(repo, 'c')).toEqual({ commitInterval: 3, triggerFiles: ['a/**'] });
      await store.setOverrides(repo, 'c', { retention: 2 });
      expect(await store.getOverrides(repo, 'c')).toEqual({ retention: 2 });
      await store.setConfigurationState(repo, 'b', { paused: true });
      await store.setConfigurationState(repo, '*', { paused: true });
      await store.createPrebuild(newPrebuild({ configuration: 'a' }));
      expect(await store.listConfigurations(repo)).toEqual(['a', 'b', 'c']);
      await store.setOverrides(repo, 'c', {});
      expect(await store.getOverrides(repo, 'c')).toEqual({});
      expect(await store.listConfigurations(repo)).toEqual(['a', 'b']);
    });

    it('keeps API tokens by hash: use records the time, revoked tokens do not authenticate', async () => {
      const t = await store.createToken({ name: 'ci', tokenHash: 'h1', scopes: [1, 2] });
      expect(t).toMatchObject({ name: 'ci', tokenHash: 'h1', scopes: [1, 2], lastUsedAt: null, revokedAt: null });
      await store.createToken({ name: 'admin', tokenHash: 'h2', scopes: ['*'] });
      const used = await store.useToken('h1');
      expect(used?.id).toBe(t.id);
      expect(used!.lastUsedAt).toBeGreaterThanOrEqual(t.createdAt);
      expect(await store.useToken('unknown')).toBeNull();
      expect(await store.revokeToken(t.id)).toBe(true);
      expect(await store.revokeToken(t.id)).toBe(false);
      expect(await store.useToken('h1')).toBeNull();
      expect((await store.listTokens()).map((x) => [x.name, x.revokedAt !== null])).toEqual([
        ['ci', true],
        ['admin', false],
      ]);
    });

    it('records each reported restore once (by its token id) and lists a period oldest first', async () => {
      const restore = (reportId: string, createdAt: number, over: Record<string, unknown> = {}) => ({
        ...repo,
        installationId: 1,
        repositoryId: '42',
        configuration: 'devcontainer',
        sha: 'c'.repeat(40),
        hit: 'ancestor' as const,
        prebuildSha: 'b'.repeat(40),
        spentMs: 12_000,
        coldMs: 300_000,
        savedMs: 288_000,
        runId: '77',
        runAttempt: 1,
        reportId,
        createdAt,
        ...over,
      });
      const first = await store.recordRestore(restore('jti-1', 2_000));
      expect(first.created).toBe(true);
      expect(first.record).toMatchObject({ hit: 'ancestor', savedMs: 288_000, coldMs: 300_000, runAttempt: 1, createdAt: 2_000 });
      const again = await store.recordRestore(restore('jti-1', 9_000, { savedMs: 1 }));
      expect(again).toEqual({ record: first.record, created: false });
      await store.recordRestore(restore('jti-2', 1_000, { hit: 'miss', prebuildSha: null, coldMs: null, savedMs: 0, runId: null, runAttempt: null }));
      await store.recordRestore(restore('jti-3', 3_000, { repo: 'other' }));
      const all = await store.listRestores(repo, 0);
      expect(all.map((r) => [r.reportId, r.hit, r.prebuildSha, r.coldMs])).toEqual([
        ['jti-2', 'miss', null, null],
        ['jti-1', 'ancestor', 'b'.repeat(40), 300_000],
      ]);
      expect((await store.listRestores(repo, 1_500)).map((r) => r.reportId)).toEqual(['jti-1']);
      expect(await store.listRestores(repo, 0, 1)).toHaveLength(1);
    });
  });
}
