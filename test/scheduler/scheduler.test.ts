import path from 'node:path';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { openStore } from '../../src/store/index.js';
import type { PrebuildRecord, Store } from '../../src/store/types.js';
import { RecordingDispatcher } from '../helpers/fake-dispatcher.js';
import { tempDir } from '../helpers/tmp.js';

const repo = { owner: 'octo', repo: 'app' };
const lane = { ...repo, configuration: 'devcontainer', branch: 'main' };
let n = 0;
const push = (sha: string, identity = 'A', over: Partial<PrebuildRecord> = {}) => ({
  ...repo,
  installationId: 1,
  configuration: 'devcontainer',
  identity,
  branch: 'main',
  sha,
  prNumber: null,
  trigger: 'push' as const,
  workflow: 'prebuild.yml',
  timeoutMinutes: 60,
  deliveryId: `delivery-${++n}`,
  ...over,
});

describe('Scheduler (SPEC.md rules 2, 3)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let dispatcher: RecordingDispatcher;
  let scheduler: Scheduler;
  beforeEach(async () => {
    tmp = tempDir();
    store = await openStore(path.join(tmp.dir, 'db.sqlite'));
    dispatcher = new RecordingDispatcher();
    scheduler = new Scheduler(store, dispatcher);
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const finish = async (p: PrebuildRecord) => {
    await store.updatePrebuild(p.id, { state: 'success', endedAt: Date.now() });
    return scheduler.advance(lane);
  };

  it('seed 002: five quick pushes run push 1 and push 5 only', async () => {
    const outcomes = [];
    for (const sha of ['1', '2', '3', '4', '5']) outcomes.push(await scheduler.request(push(sha.repeat(40))));
    expect(outcomes.map((o) => o.decision)).toEqual(['started', 'queued', 'queued', 'queued', 'queued']);
    const next = await finish(outcomes[0]!.prebuild);
    expect(next?.sha).toBe('5'.repeat(40));
    await finish(next!);
    expect(dispatcher.started.map((p) => p.sha[0])).toEqual(['1', '5']);
    const states = (await store.listPrebuilds(repo)).reverse().map((p) => p.state);
    expect(states).toEqual(['success', 'superseded', 'superseded', 'superseded', 'success']);
    const superseded = await store.getPrebuild(outcomes[1]!.prebuild.id);
    expect(superseded?.reason).toContain('superseded by 3333333');
    expect(dispatcher.ended.map((p) => p.sha[0])).toEqual(['2', '3', '4']);
  });

  it('seed 002 with a devcontainer change in push 3: push 3 runs at once (bypass), then push 5', async () => {
    const o1 = await scheduler.request(push('1'.repeat(40), 'A'));
    await scheduler.request(push('2'.repeat(40), 'A'));
    const o3 = await scheduler.request(push('3'.repeat(40), 'B'));
    expect(o3.decision).toBe('started');
    expect(o3.reason).toContain('bypass');
    await scheduler.request(push('4'.repeat(40), 'B'));
    const o5 = await scheduler.request(push('5'.repeat(40), 'B'));
    expect(o5.decision).toBe('queued');
    expect(dispatcher.started.map((p) => p.sha[0])).toEqual(['1', '3']);
    // push 1 finishing starts nothing: the waiting push 5 has identity B, which runs.
    expect(await finish(o1.prebuild)).toBeNull();
    const next = await finish(o3.prebuild);
    expect(next?.sha[0]).toBe('5');
    expect(dispatcher.started.map((p) => p.sha[0])).toEqual(['1', '3', '5']);
  });

  it('never runs two prebuilds of one identity at once and keeps at most one waiting', async () => {
    for (let i = 0; i < 8; i++) await scheduler.request(push(String(i).repeat(40), i % 2 ? 'A' : 'B'));
    const active = await store.listPrebuilds({ ...lane, states: ['dispatched', 'running'] });
    const waiting = await store.listPrebuilds({ ...lane, states: ['waiting'] });
    expect(new Set(active.map((p) => p.identity)).size).toBe(active.length);
    expect(waiting.length).toBeLessThanOrEqual(1);
  });

  it('lanes are per branch: a push to another branch does not supersede', async () => {
    await scheduler.request(push('1'.repeat(40)));
    await scheduler.request(push('2'.repeat(40)));
    const other = await scheduler.request(push('3'.repeat(40), 'A', { branch: 'feature' }));
    expect(other.decision).toBe('started');
    expect(await store.listPrebuilds({ ...lane, states: ['waiting'] })).toHaveLength(1);
  });

  it('a paused configuration keeps its waiting push until resumed', async () => {
    await store.setConfigurationState(repo, 'devcontainer', { paused: true });
    const o = await scheduler.request(push('1'.repeat(40)));
    expect(o.decision).toBe('queued');
    expect(o.reason).toContain('paused');
    expect(await scheduler.advance(lane)).toBeNull();
    await store.setConfigurationState(repo, 'devcontainer', { paused: false });
    expect((await scheduler.advance(lane))?.id).toBe(o.prebuild.id);
  });

  it('a refused dispatch fails the prebuild and the queue moves on', async () => {
    dispatcher.failNext = 'Not Found: workflow prebuild.yml';
    const o = await scheduler.request(push('1'.repeat(40)));
    expect(o.decision).toBe('failed');
    expect(o.prebuild.state).toBe('failure');
    expect(o.prebuild.reason).toContain('Not Found');
    const o2 = await scheduler.request(push('2'.repeat(40)));
    expect(o2.decision).toBe('started');
  });

  it('the same delivery twice starts one prebuild', async () => {
    const req = push('1'.repeat(40));
    const a = await scheduler.request(req);
    const b = await scheduler.request(req);
    expect(b.prebuild.id).toBe(a.prebuild.id);
    expect(dispatcher.started).toHaveLength(1);
  });

  it('two replicas racing for the same waiting prebuild (one cut off from the database, its delivery taken over) dispatch it once: the second adopts the run', async () => {
    // Both read the prebuild before either marked it: each asks GitHub for the history while the other does.
    let arrived = 0;
    let release!: () => void;
    const bothThere = new Promise<void>((resolve) => (release = resolve));
    const history = async () => {
      if (++arrived === 2) release();
      await bothThere;
      return { ancestors: async (sha: string) => ({ shas: [sha], truncated: false }), distance: async () => null };
    };
    const replicaA = Object.assign(new RecordingDispatcher(), { history });
    const replicaB = Object.assign(new RecordingDispatcher(), { history });
    const other = await openStore(path.join(tmp.dir, 'db.sqlite'));
    try {
      const req = push('1'.repeat(40));
      const [a, b] = await Promise.all([new Scheduler(store, replicaA).request(req), new Scheduler(other, replicaB).request(req)]);
      expect(b.prebuild.id).toBe(a.prebuild.id);
      const asked = [...replicaA.started, ...replicaB.started];
      expect(asked).toHaveLength(2);
      // One dispatches (no marker when it asked); the other finds the marker set and adopts.
      expect(asked.filter((p) => p.dispatchedAt === null)).toHaveLength(1);
      expect(asked.filter((p) => p.dispatchedAt !== null)).toHaveLength(1);
      expect((await store.getPrebuild(a.prebuild.id))?.state).toBe('dispatched');
    } finally {
      await other.close();
    }
  });

  it('cancel ends waiting and running prebuilds of a lane', async () => {
    await scheduler.request(push('1'.repeat(40)));
    await scheduler.request(push('2'.repeat(40)));
    const cancelled = await scheduler.cancel(lane, 'branch main was deleted');
    expect(cancelled.map((p) => p.state)).toEqual(['cancelled', 'cancelled']);
    expect(dispatcher.ended.every((p) => p.reason === 'branch main was deleted')).toBe(true);
  });
});
