import { encodeResult } from '../../src/lifecycle/result.js';
import type { AppServer } from '../../src/server.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { errorBody } from '../../demo/github/index.js';
import { sha, startTestApp, type TestApp } from '../helpers/app.js';
import { PREBUILD_WORKFLOW, type TestGitHub } from '../helpers/github.js';
import { INSTALLATION_ID, REPO } from '../helpers/ids.js';

const DEVCONTAINER = '{ "onCreateCommand": "npm ci", "updateContentCommand": "npm run build" }';

describe('workflow runs, the reconciler, schedules and retention, over HTTP with GitHub answered by the fake', () => {
  let app: TestApp;
  let server: AppServer;
  let gh: TestGitHub;
  let pushCommit: TestApp['pushCommit'], runEvent: TestApp['runEvent'], succeed: TestApp['succeed'];

  beforeEach(async () => {
    app = await startTestApp();
    ({ server, gh, pushCommit, runEvent, succeed } = app);
  });
  afterEach(() => app.stop());

  const base = { '.devcontainer/devcontainer.json': DEVCONTAINER, 'src/index.ts': 'x' };

  it('an end GitHub did not hear about (outage or crash) is reported again by the reconciler', async () => {
    await pushCommit(1, base);
    await pushCommit(2, base);
    gh.standIn.override('POST', '/repos/{owner}/{repo}/check-runs', { status: 503, body: errorBody('Service Unavailable', 503) }, 1); // an outage
    await pushCommit(3, base);
    const superseded = await server.store.getPrebuild(2);
    expect(superseded).toMatchObject({ state: 'superseded', reportedState: null, checkRunId: null });
    expect(gh.checkRunsFor(sha(2))).toEqual([]);
    await server.runtime.reconciler.runOnce();
    expect(gh.checkRunsFor(sha(2))).toMatchObject([{ conclusion: 'neutral' }]);
    expect(await server.store.getPrebuild(2)).toMatchObject({ reportedState: 'superseded' });
  });

  it('a run of prebuild.yml started from the Actions tab becomes a manual prebuild, and pushes queue behind it', async () => {
    await pushCommit(1, base);
    await succeed(0);
    const runId = (await gh.standIn.recordRun(REPO.repo, { ref: 'main' })).id; // started from the Actions tab
    gh.standIn.startRun(runId);
    await runEvent(runId, 'requested');
    const manual = (await server.store.listPrebuilds({ ...REPO, limit: 1 }))[0]!;
    expect(manual).toMatchObject({ trigger: 'manual', state: 'running', sha: sha(1), workflowRunId: runId });
    expect(gh.checkRunsFor(sha(1)).at(-1)).toMatchObject({ status: 'in_progress', external_id: String(manual.id) });
    await pushCommit(2, base);
    expect(gh.dispatches).toHaveLength(1); // the push waits for the manual run
    const result = {
      prebuildId: `${runId}-1`,
      configuration: 'devcontainer',
      sha: sha(1),
      snapshotKey: snapshotKey('devcontainer', sha(1), `${runId}-1`),
      snapshotBytes: 5,
      durationMs: 1,
      hooks: {},
      base: null,
      identity: '',
    };
    gh.standIn.finishRun(runId, 'success', [{ level: 'notice', title: 'prebuild-result', message: encodeResult(result) }]);
    await runEvent(runId, 'completed');
    expect(await server.store.getPrebuild(manual.id)).toMatchObject({ state: 'success', snapshotKey: result.snapshotKey });
    expect(gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(2)]);
  });

  it('after a crash between dispatching and recording it, the restarted app adopts the run instead of dispatching again', async () => {
    await pushCommit(1, base);
    await succeed(0);
    gh.commit(sha(2), base, [sha(1)]);
    gh.setBranch('main', sha(2));
    // The state a crash right after the dispatch request leaves: waiting, dispatchedAt set, and a run on GitHub.
    const p = await server.store.createPrebuild({
      ...REPO,
      installationId: INSTALLATION_ID,
      configuration: 'devcontainer',
      identity: (await server.store.getPrebuild(1))!.identity,
      branch: 'main',
      sha: sha(2),
      prNumber: null,
      trigger: 'push',
      workflow: 'prebuild.yml',
      timeoutMinutes: 60,
      deliveryId: 'crashed',
    });
    await server.store.updatePrebuild(p.id, { dispatchedAt: Date.now() - 1000 });
    const inputs = { configuration: 'devcontainer', sha: sha(2), base: '', 'prebuild-id': String(p.id) };
    const crashed = await gh.standIn.recordRun(REPO.repo, { ref: 'main', inputs, actor: 'prebuilds[bot]' }); // the dispatch the app made before it crashed
    gh.standIn.startRun(crashed.id);
    await server.runtime.deps.scheduler.advance({ ...REPO, configuration: 'devcontainer', branch: 'main' });
    expect(gh.dispatches).toHaveLength(1);
    expect(await server.store.getPrebuild(p.id)).toMatchObject({ state: 'dispatched', workflowRunId: crashed.id });
  });

  it('the reconciler finds a run whose workflow_run never arrived (GitHub Enterprise Server without run details)', async () => {
    gh.standIn.override('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', async (_req, served) => ({
      ...(await served()),
      status: 204,
      body: undefined,
    }));
    await pushCommit(1, base);
    expect((await server.store.getPrebuild(1))?.workflowRunId).toBeNull();
    const run = gh.dispatches[0]!;
    gh.standIn.finishRun(run.runId, 'success', [
      {
        level: 'notice',
        title: 'prebuild-result',
        message: encodeResult({
          prebuildId: '1',
          configuration: 'devcontainer',
          sha: sha(1),
          snapshotKey: snapshotKey('devcontainer', sha(1), 1),
          snapshotBytes: 10,
          durationMs: 1,
          hooks: {},
          base: null,
          identity: '',
        }),
      },
    ]);
    await server.runtime.reconciler.runOnce(Date.now() + 5 * 60_000);
    expect(await server.store.getPrebuild(1)).toMatchObject({ state: 'success', workflowRunId: run.runId });
  });

  it('the reconciler ends a run past timeoutMinutes as timed_out and the queue moves on', async () => {
    await pushCommit(1, base);
    await pushCommit(2, base);
    await server.runtime.reconciler.runOnce(Date.now() + 61 * 60_000);
    expect(await server.store.getPrebuild(1)).toMatchObject({ state: 'timed_out' });
    expect(gh.cancelled).toEqual([gh.dispatches[0]!.runId]);
    expect(gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(2)]);
  });

  it('a scheduled configuration prebuilds the branch head when its cron is due', async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - trigger: schedule\n    schedule: "0 3 * * *"\n' };
    await pushCommit(1, files);
    expect(gh.dispatches).toEqual([]);
    expect(await server.runtime.schedules.tick(Date.now())).toBe(0);
    const tomorrow = Date.now() + 24 * 3600_000;
    expect(await server.runtime.schedules.tick(tomorrow)).toBe(1);
    expect(gh.dispatches).toMatchObject([{ inputs: { sha: sha(1) } }]);
    expect(await server.store.getPrebuild(1)).toMatchObject({ trigger: 'schedule' });
    expect(await server.runtime.schedules.tick(tomorrow + 1000)).toBe(0);
  });

  it("reads a run's result from its result step's name with one request; a workflow without that step costs the annotations too", async () => {
    const resultReads = () =>
      gh.standIn.exchanges
        .filter((x) => x.method === 'GET' && /\/actions\/runs\/\d+\/jobs$|\/check-runs\/\d+\/annotations$/.test(x.path))
        .map((x) => (x.path.endsWith('/jobs') ? 'jobs' : 'annotations'));
    await pushCommit(1, base);
    await succeed(0, 2048);
    expect(resultReads()).toEqual(['jobs']);
    expect(await server.store.getPrebuild(1)).toMatchObject({
      state: 'success',
      snapshotBytes: 2048,
      hooks: { onCreateCommand: 3000, updateContentCommand: 1200 },
    });
    await pushCommit(2, base);
    await succeed(1, 4096, { resultStep: false });
    expect(resultReads()).toEqual(['jobs', 'jobs', 'annotations']);
    expect(await server.store.getPrebuild(2)).toMatchObject({ state: 'success', snapshotBytes: 4096 });
  });

  it('retention: the next dispatch expires the older successes and its run deletes their snapshots (the app makes no request)', async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - retention: 1\n    incremental: false\n' };
    await pushCommit(1, files);
    await succeed(0);
    await pushCommit(2, files);
    expect(gh.dispatches[1]!.inputs.expire).toBe(''); // one success: nothing to expire
    await succeed(1);
    expect((await server.store.getPrebuild(1))?.state).toBe('success'); // kept until the configuration's next dispatch
    await pushCommit(3, files);
    expect(gh.dispatches[2]!.inputs.expire).toBe(snapshotKey('devcontainer', sha(1), 1));
    expect(await server.store.getPrebuild(1)).toMatchObject({ state: 'expired', reason: expect.stringContaining("deleted by prebuild #3's run") });
    expect(gh.deletedCaches).toEqual([]);
    expect((await server.store.getPrebuild(3))?.expireKeys).toEqual([snapshotKey('devcontainer', sha(1), 1)]);
    // The run fails (it may have stopped before deleting them): the app deletes what it was handed.
    await app.fail(2, []);
    expect(gh.deletedCaches).toContain(snapshotKey('devcontainer', sha(1), 1));
  });

  it('retention with a workflow copied before the `expire` input: the app deletes the expired snapshots itself', async () => {
    const old = PREBUILD_WORKFLOW.replace(/\n {6}expire:\n(?: {8}.*\n)+/, '\n').replace(/\n {10}# Older prebuilds.*\n {10}expire: .*\n/, '\n');
    expect(old).not.toMatch(/^ +expire:/m);
    const files = { ...base, '.github/workflows/prebuild.yml': old, '.github/prebuilds.yml': 'prebuilds:\n  - retention: 1\n    incremental: false\n' };
    await pushCommit(1, files);
    await succeed(0);
    await pushCommit(2, files);
    await succeed(1);
    await pushCommit(3, files);
    expect(gh.dispatches[2]!.inputs.expire).toBeUndefined();
    expect(gh.deletedCaches).toEqual([snapshotKey('devcontainer', sha(1), 1)]);
    expect((await server.store.getPrebuild(1))?.state).toBe('expired');
  });

  it('retention: a dispatch that fails expires nothing (no run would delete the snapshots)', async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - retention: 1\n    incremental: false\n' };
    await pushCommit(1, files);
    await succeed(0);
    await pushCommit(2, files);
    await succeed(1);
    gh.standIn.override('POST', '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', { status: 404, body: errorBody('Not Found', 404) }, 1);
    await pushCommit(3, files);
    expect((await server.store.getPrebuild(3))?.state).toBe('waiting'); // retried later
    expect(await server.store.getPrebuild(1)).toMatchObject({ state: 'success', reason: null });
    expect(gh.deletedCaches).toEqual([]);
  });

  it('retention never expires the base the dispatched prebuild starts from', async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - retention: 1\n' };
    await pushCommit(1, files);
    await succeed(0);
    await pushCommit(2, files);
    await succeed(1);
    await pushCommit(3, files);
    // The base of #3 is #2 (the newest, kept); #1 expires.
    expect(gh.dispatches[2]!.inputs.base).toBe(snapshotKey('devcontainer', sha(2), 2));
    expect(gh.dispatches[2]!.inputs.expire).toBe(snapshotKey('devcontainer', sha(1), 1));
    expect((await server.store.getPrebuild(2))?.state).toBe('success');
  });

  it("hands a package caches part over with the last snapshot that names it, and deletes a failed run's part itself", async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - retention: 1\n    incremental: false\n' };
    const part = (n: string) => `prebuilds-v1-caches/devcontainer/${n.repeat(64)}`;
    await pushCommit(1, files);
    await succeed(0, undefined, { cachesKey: part('a') });
    await pushCommit(2, files);
    await succeed(1, undefined, { cachesKey: part('a') }); // same dependency files: the same part
    await pushCommit(3, files);
    expect(gh.dispatches[2]!.inputs.expire).toBe(snapshotKey('devcontainer', sha(1), 1)); // #2 still names part a
    expect(await server.store.getPrebuild(2)).toMatchObject({ state: 'success', cachesKey: part('a') });
    await succeed(2, undefined, { cachesKey: part('b') });
    await pushCommit(4, files);
    expect(gh.dispatches[3]!.inputs.expire).toBe([snapshotKey('devcontainer', sha(2), 2), part('a')].join(' '));
    expect(gh.deletedCaches).toEqual([]); // the runs delete them

    // A run that fails after saving its part (no snapshot names it): the app deletes it; the kept one's stays.
    gh.standIn.recordCache(REPO.repo, { key: part('c'), ref: 'refs/heads/main' });
    gh.standIn.recordCache(REPO.repo, { key: part('b'), ref: 'refs/heads/main' });
    await app.fail(3, []);
    // Part c (its snapshot was never saved), and what the failed run was handed and may not have deleted.
    expect([...gh.deletedCaches].sort()).toEqual([part('a'), part('c'), snapshotKey('devcontainer', sha(2), 2)]);
    expect(gh.standIn.state.caches.map((c) => c.key)).toContain(part('b'));
  });
});
