import type { Store } from '../../src/store/types.js';
import { newPrebuild, STORE_REPO, storeContract } from '../helpers/store-backends.js';

/**
 * The store contract, records part: prebuilds (compare and set, run ids), lanes, decisions,
 * configuration state, schedules, overrides, API tokens and restores. Runs on SQLite and on a
 * real PostgreSQL server. The delivery inbox part is in contract-inbox.test.ts.
 */
const repo = STORE_REPO;

storeContract('records', (ctx) => {
  let store: Store;
  beforeEach(() => {
    store = ctx.store;
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
    // The dispatch marker: set by the first of two racing replicas only (durable like updatePrebuild's).
    expect(await store.updatePrebuildIf(p.id, { dispatchedAt: null }, { dispatchedAt: 5 }, { durable: true })).toMatchObject({ dispatchedAt: 5 });
    expect(await store.updatePrebuildIf(p.id, { dispatchedAt: null }, { dispatchedAt: 6 }, { durable: true })).toBeNull();
    expect((await store.getPrebuild(p.id))?.dispatchedAt).toBe(5);
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
