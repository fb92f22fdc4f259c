import { handlePush } from '../../src/handlers/push.js';
import type { AppServer } from '../../src/server.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { FAILED_LOG, sha, startTestApp, type TestApp } from '../helpers/app.js';
import type { TestGitHub } from '../helpers/github.js';
import { INSTALLATION_ID, REPO } from '../helpers/ids.js';

const DEVCONTAINER = '{ "onCreateCommand": "npm ci", "updateContentCommand": "npm run build" }';

describe('the app over HTTP, GitHub answered by the fake (issue 2 and 3 flows)', () => {
  let app: TestApp;
  let server: AppServer;
  let gh: TestGitHub;
  let delivered: TestApp['delivered'],
    send: TestApp['send'],
    pushCommit: TestApp['pushCommit'],
    runEvent: TestApp['runEvent'],
    succeed: TestApp['succeed'],
    fail: TestApp['fail'],
    decisions: TestApp['decisions'];

  beforeEach(async () => {
    app = await startTestApp();
    ({ server, gh, delivered, send, pushCommit, runEvent, succeed, fail, decisions } = app);
  });
  afterEach(() => app.stop());

  const base = { '.devcontainer/devcontainer.json': DEVCONTAINER, 'src/index.ts': 'x' };

  it('a push to the default branch becomes a dispatched prebuild with an in-progress check run, then "🚀 Prebuild ready"', async () => {
    await pushCommit(1, base);
    expect(gh.dispatches).toEqual([
      {
        workflow: 'prebuild.yml',
        ref: 'main',
        inputs: { configuration: 'devcontainer', sha: sha(1), base: '', 'prebuild-id': '1', 'timeout-minutes': '60', expire: '' },
        runId: expect.any(Number),
      },
    ]);
    const [check] = gh.checkRunsFor(sha(1));
    expect(check).toMatchObject({ name: 'Prebuild (devcontainer)', status: 'in_progress', external_id: '1' });
    expect(check!.output?.title).toBe('🔄 Prebuild in progress');
    expect(check!.details_url).toContain(`/actions/runs/${gh.dispatches[0]!.runId}`);

    await runEvent(gh.dispatches[0]!.runId, 'in_progress');
    expect((await server.store.getPrebuild(1))?.state).toBe('running');
    await succeed(0);
    const done = await server.store.getPrebuild(1);
    expect(done).toMatchObject({ state: 'success', snapshotBytes: 123_456, hooks: { onCreateCommand: 3000, updateContentCommand: 1200 } });
    expect(done!.durationMs).toBeGreaterThan(0);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(check!.output?.title).toBe('🚀 Prebuild ready');
    expect(check!.output?.summary).toContain('123.5 kB');
    expect(check!.output?.summary).toContain('Workflow run log');
    expect((await decisions(sha(1))).map((d) => d.decision)).toEqual(['started', 'success']);
  });

  it('a failed run completes the check run with the reason and the log tail', async () => {
    await pushCommit(1, base);
    await fail(0, [{ level: 'failure', title: '', message: 'onCreateCommand (npm ci) failed with exit code 1' }]);
    const p = await server.store.getPrebuild(1);
    expect(p).toMatchObject({ state: 'failure', reason: 'onCreateCommand (npm ci) failed with exit code 1' });
    const [check] = gh.checkRunsFor(sha(1));
    expect(check).toMatchObject({ conclusion: 'failure' });
    expect(check!.output?.summary).toContain('failed with exit code 1');
    expect(check!.output?.text).toContain(FAILED_LOG.at(-1));
  });

  it('the next push is incremental from the last success with the same identity; a changed configuration builds from scratch (rule 11)', async () => {
    await pushCommit(1, base);
    await succeed(0);
    await pushCommit(2, { ...base, 'src/index.ts': 'y' });
    expect(gh.dispatches[1]!.inputs.base).toBe(snapshotKey('devcontainer', sha(1), 1));
    expect((await server.store.getPrebuild(2))?.baseReason).toBe('ancestor at depth 1');
    await succeed(1);
    const changed = { ...base, '.devcontainer/devcontainer.json': '{ "onCreateCommand": "npm ci --ignore-scripts" }' };
    await pushCommit(3, changed, ['.devcontainer/devcontainer.json']);
    expect(gh.dispatches[2]!.inputs.base).toBe('');
    const third = await server.store.getPrebuild(3);
    expect(third!.baseReason).toBe('no successful prebuild with this configuration identity');
    expect(third!.identity).not.toBe((await server.store.getPrebuild(2))!.identity);
    const check = gh.checkRunsFor(sha(3))[0]!;
    expect(check.output?.summary).toContain('built from scratch');
  });

  it('collapses quick pushes: the waiting push is superseded with a neutral check run naming its replacement', async () => {
    await pushCommit(1, base);
    await pushCommit(2, base);
    await pushCommit(3, base);
    expect(gh.dispatches).toHaveLength(1);
    expect(gh.checkRunsFor(sha(2))).toMatchObject([{ conclusion: 'neutral', output: { title: '⏭️ Prebuild superseded' } }]);
    expect(gh.checkRunsFor(sha(2))[0]!.output?.summary).toContain(sha(3).slice(0, 7));
    await succeed(0);
    expect(gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(3)]);
  });

  it('a tag push starts nothing, and says why', async () => {
    gh.commit(sha(1), base);
    await gh.repo.content.updateRef('refs/tags/v1.0.0', sha(1));
    await send('push', await gh.standIn.pushPayload(REPO.repo, { branch: 'v1.0.0', tag: true }));
    expect(gh.dispatches).toEqual([]);
    expect(await decisions(sha(1))).toMatchObject([{ decision: 'skipped', reason: 'tag: tag pushes start no prebuild' }]);
  });

  it('a branch deletion cancels its waiting and running prebuilds and the workflow run', async () => {
    gh.commit(sha(1), { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - branches: ["feature/*"]\n' });
    gh.commit(sha(2), gh.files.get(sha(1))!, [sha(1)]);
    const pushBranch = async (head: string | null) => {
      gh.setBranch('feature/x', head);
      await send('push', await gh.standIn.pushPayload(REPO.repo, { branch: 'feature/x' }));
    };
    await pushBranch(sha(1));
    await pushBranch(sha(2));
    expect(gh.dispatches).toHaveLength(1);
    await pushBranch(null);
    const states = (await server.store.listPrebuilds(REPO)).map((p) => p.state);
    expect(states).toEqual(['cancelled', 'cancelled']);
    expect(gh.cancelled).toEqual([gh.dispatches[0]!.runId]);
    expect(gh.checkRunsFor(sha(1))[0]).toMatchObject({ conclusion: 'cancelled' });
  });

  it('a huge push (more commits than the payload lists) asks compare once and honours trigger files', async () => {
    const yml = 'prebuilds:\n  - commitInterval: 100\n    triggerFiles: ["package-lock.json"]\n';
    await pushCommit(1, { ...base, '.github/prebuilds.yml': yml });
    await succeed(0);
    for (let i = 2; i <= 30; i++)
      gh.commit(sha(i), { ...gh.files.get(sha(i - 1))!, [`src/f${i}.ts`]: String(i), ...(i === 5 ? { 'package-lock.json': '{}' } : {}) }, [sha(i - 1)]);
    gh.setBranch('main', sha(30));
    const push = await gh.standIn.pushPayload(REPO.repo, { branch: 'main', before: sha(1) });
    expect(push.commits.map((c: { id: string }) => c.id)).toEqual(Array.from({ length: 20 }, (_, k) => sha(11 + k))); // GitHub lists the newest 20
    await send('push', push);
    const compares = gh.calls.filter((c) => c.path.includes('/compare/'));
    expect(compares).toHaveLength(1);
    expect(gh.dispatches).toHaveLength(2);
    expect((await decisions(sha(30)))[0]!.reason).toContain('trigger file package-lock.json changed');
    expect((await server.store.getLane(REPO, 'devcontainer', 'main')).commitsSinceTrigger).toBe(0);
  });

  it('commitInterval skips pushes and records "interval n/N"', async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - commitInterval: 2\n' };
    await pushCommit(1, files);
    await succeed(0);
    await pushCommit(2, files);
    expect((await decisions(sha(2)))[0]).toMatchObject({ decision: 'skipped', reason: 'interval 1/2' });
    await pushCommit(3, files);
    expect(gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(3)]);
  });

  it('a pull request from the same repository prebuilds its head; one from a fork gets a neutral check run and never dispatches', async () => {
    gh.commit(sha(1), base);
    gh.setBranch('main', sha(1));
    gh.commit(sha(2), { ...base, 'src/index.ts': 'pr' }, [sha(1)]);
    gh.setBranch('topic', sha(2));
    await delivered(gh.standIn.pullRequest(REPO.repo, { action: 'opened', number: 7, head: 'topic' }));
    expect(gh.dispatches).toMatchObject([{ ref: 'topic', inputs: { sha: sha(2) } }]);
    expect(await server.store.getPrebuild(1)).toMatchObject({ trigger: 'pull_request', prNumber: 7 });

    gh.commit(sha(3), { ...base, 'src/index.ts': 'fork' }, [sha(1)]);
    gh.setBranch('someone-main', sha(3)); // the fork's branch, as GitHub keeps it (refs/pull/8/head)
    await delivered(gh.standIn.pullRequest(REPO.repo, { action: 'opened', number: 8, head: 'someone-main', fork: 'someone' }));
    expect(gh.dispatches).toHaveLength(1);
    const [check] = gh.checkRunsFor(sha(3));
    expect(check).toMatchObject({ conclusion: 'neutral', output: { title: '⏭️ Prebuild skipped: pull request from a fork' } });
    expect((await decisions(sha(3)))[0]!.reason).toMatch(/^fork:/);
  });

  it('a broken prebuilds.yml becomes a failing check run quoting file, line and reason; the app keeps serving', async () => {
    await pushCommit(1, { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - name: web\n    retension: 3\n' });
    const check = gh.checkRunsFor(sha(1)).find((c) => c.name === 'Prebuild configuration')!;
    expect(check.conclusion).toBe('failure');
    expect(check.output?.summary).toContain('.github/prebuilds.yml:3:5');
    expect(check.output?.summary).toContain('retention');
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
  });

  it('"Re-run" on the check run starts a manual prebuild of the same commit', async () => {
    await pushCommit(1, base);
    await succeed(0);
    const check = gh.checkRunsFor(sha(1))[0]!;
    await delivered(gh.standIn.rerequestCheckRun(REPO.repo, check.id));
    expect(gh.dispatches).toHaveLength(2);
    expect(await server.store.getPrebuild(2)).toMatchObject({ trigger: 'manual', sha: sha(1), baseKey: null });
  });

  it('a retried push never counts its commits twice, and an older push retried after a newer one is skipped', async () => {
    const files = { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - commitInterval: 5\n' };
    await pushCommit(1, files);
    await succeed(0);
    gh.commit(sha(2), files, [sha(1)]);
    gh.commit(sha(3), files, [sha(2)]);
    const deps = server.runtime.deps;
    const octokit = await deps.octokitFor(INSTALLATION_ID);
    const payloads = new Map<number, Record<string, any>>();
    for (const n of [2, 3]) {
      gh.setBranch('main', sha(n));
      const p = await gh.standIn.pushPayload(REPO.repo, { branch: 'main', before: sha(n - 1) });
      p.commits = Array.from({ length: 3 }, (_, k) => ({ ...p.commits[0], id: `${sha(n).slice(0, 39)}${k}`, modified: ['src/index.ts'] })); // three commits each
      payloads.set(n, p);
    }
    const push = (n: number) => payloads.get(n) as never;
    const lane = () => server.store.getLane(REPO, 'devcontainer', 'main');
    await handlePush(deps, { deliveryId: 'd-3', seq: 300, payload: push(3), octokit });
    expect((await lane()).commitsSinceTrigger).toBe(3);
    await handlePush(deps, { deliveryId: 'd-3', seq: 300, payload: push(3), octokit }); // the same push, retried
    expect((await lane()).commitsSinceTrigger).toBe(3);
    await handlePush(deps, { deliveryId: 'd-2', seq: 200, payload: push(2), octokit }); // older, retried late
    expect((await lane()).commitsSinceTrigger).toBe(3);
    expect((await decisions(sha(2)))[0]).toMatchObject({ decision: 'skipped', reason: 'superseded: a newer push of this branch was handled first' });
    expect(gh.dispatches).toHaveLength(1);
  });

  it('installing the app prebuilds the default branch of repositories with .github/prebuilds.yml, and only those', async () => {
    gh.commit(sha(1), { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - name: web\n' });
    gh.setBranch('main', sha(1));
    await delivered(gh.standIn.installationCreated());
    expect(gh.dispatches).toMatchObject([{ ref: 'main', inputs: { configuration: 'web', sha: sha(1) } }]);
    expect((await decisions(sha(1))).at(-1)!.reason).toMatch(/^installed: first prebuild/);
    // The next push counts from it: no "first prebuild" again.
    await succeed(0);
    await pushCommit(2, gh.files.get(sha(1))!);
    expect((await decisions(sha(2)))[0]!.reason).toMatch(/^every push/);

    gh.commit(sha(3), base);
    gh.setBranch('main', sha(3));
    await delivered(gh.standIn.installationCreated());
    expect(gh.dispatches).toHaveLength(2);
    expect((await decisions(sha(3)))[0]).toMatchObject({ decision: 'skipped', reason: 'installed: no .github/prebuilds.yml, so the first push prebuilds' });
  });

  it('a redelivered push starts one prebuild', async () => {
    gh.commit(sha(1), base);
    gh.setBranch('main', sha(1));
    const payload = await gh.standIn.pushPayload(REPO.repo, { branch: 'main' });
    await send('push', payload, { id: 'delivery-a' });
    await send('push', payload, { id: 'delivery-a' });
    expect(gh.dispatches).toHaveLength(1);
  });
});
