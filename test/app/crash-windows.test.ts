import { sha, startTestApp, type TestApp } from '../helpers/app.js';

/**
 * Issue 14 (failures 4 and 5): what a crash leaves between GitHub's answer and the
 * store. The state a crash leaves is written into the store as the crash leaves it;
 * the app then resumes the way it does after a restart (the reconciler's pass).
 */
const base = { '.devcontainer/devcontainer.json': '{ "onCreateCommand": "npm ci" }', 'src/index.ts': 'x' };

describe('crash windows: nothing reported twice, nothing dispatched twice', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp({ runtime: { github: { adoptionWindowMs: 10_000, adoptionPollMs: 200 } } });
  });
  afterEach(() => app.stop());

  /** A crash after GitHub took the dispatch and the check run, before the store said so. */
  const crashAfterDispatch = async (dispatchedAt: number) => {
    await app.pushCommit(1, base);
    const p = (await app.server.store.getPrebuild(1))!;
    expect(p.checkRunId).not.toBeNull();
    await app.server.store.updatePrebuild(p.id, { state: 'waiting', checkRunId: null, workflowRunId: null, workflowRunUrl: null, dispatchedAt });
    return p;
  };

  it('a retried start adopts the run and completes the first "in progress" check run instead of creating a second', async () => {
    const before = await crashAfterDispatch(Date.now() - 60_000);
    await app.server.runtime.reconciler.runOnce();
    expect(app.gh.dispatches).toHaveLength(1);
    const checks = app.gh.checkRunsFor(sha(1));
    expect(checks).toHaveLength(1);
    const after = (await app.server.store.getPrebuild(before.id))!;
    expect(after).toMatchObject({ state: 'dispatched', checkRunId: before.checkRunId, workflowRunId: app.gh.dispatches[0]!.runId });

    await app.succeed(0);
    expect(checks[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('a run listing that lags behind the dispatch is waited for (within the adoption window), not dispatched again', async () => {
    app.gh.standIn.setRunListingLag(1500);
    await crashAfterDispatch(Date.now());
    await app.server.runtime.reconciler.runOnce();
    expect(app.gh.dispatches).toHaveLength(1);
    expect((await app.server.store.getPrebuild(1))!.workflowRunId).toBe(app.gh.dispatches[0]!.runId);
    const listings = app.gh.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/actions/workflows/prebuild.yml/runs'));
    expect(listings.length).toBeGreaterThan(1);
  });

  it('past the adoption window with no run listed, the prebuild is dispatched again (the first dispatch was lost)', async () => {
    await app.pushCommit(1, base);
    // The dispatch never reached GitHub: no run exists for the prebuild.
    app.gh.forgetRun(app.gh.dispatches[0]!.runId);
    await app.server.store.updatePrebuild(1, { state: 'waiting', checkRunId: null, workflowRunId: null, dispatchedAt: Date.now() - 60_000 });
    await app.server.runtime.reconciler.runOnce();
    expect(app.gh.dispatches).toHaveLength(2);
  });

  it('an end reported to GitHub but not recorded (crash) is reported again on the same check run', async () => {
    await app.pushCommit(1, base);
    await app.pushCommit(2, base);
    await app.pushCommit(3, base); // supersedes #2: a neutral check run on commit 2
    const superseded = (await app.server.store.getPrebuild(2))!;
    expect(superseded.state).toBe('superseded');
    expect(app.gh.checkRunsFor(sha(2))).toHaveLength(1);
    await app.server.store.updatePrebuild(2, { checkRunId: null, reportedState: null });
    await app.server.runtime.reconciler.runOnce();
    expect(app.gh.checkRunsFor(sha(2))).toHaveLength(1);
    expect(await app.server.store.getPrebuild(2)).toMatchObject({ reportedState: 'superseded', checkRunId: superseded.checkRunId });
  });
});
