import { sha, startTestApp, type TestApp } from '../helpers/app.js';
import { installationCreated } from '../../demo/github/payloads/webhooks.js';
import { REPO } from '../helpers/ids.js';

/**
 * SPEC.md rule 10 through the one entrance (src/prebuilds/request.ts): every (event,
 * configuration) pair gets a decision, including the paths that used to be silent, and
 * overrides (`prebuilds update`) apply whoever asks for the prebuild.
 */
const DEVCONTAINER = '{ "onCreateCommand": "npm ci" }';
const base = { '.devcontainer/devcontainer.json': DEVCONTAINER, 'src/index.ts': 'x' };

describe('every (event, configuration) pair gets a decision', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());

  it('a pull request action that prebuilds nothing (edited, labeled) is recorded with its action', async () => {
    app.gh.commit(sha(1), base);
    app.gh.setBranch('main', sha(1));
    app.gh.setBranch('feature', sha(1));
    const { payload } = await app.gh.standIn.pullRequestPayload(REPO.repo, { action: 'opened', number: 7, head: 'feature' });
    const label = { id: 1, node_id: 'LA_1', url: `${app.gh.apiUrl}/repos/octo/app/labels/bug`, name: 'bug', color: 'd73a4a', default: true, description: null };
    await app.send('pull_request', { ...payload, action: 'labeled', label });
    expect(app.gh.dispatches).toHaveLength(0);
    expect((await app.decisions(sha(1))).map((d) => [d.event, d.configuration, d.decision, d.reason])).toEqual([
      ['pull_request', '*', 'skipped', 'pull_request labeled: starts no prebuild'],
    ]);
  });

  it('a pull request whose commit has no configuration says so', async () => {
    app.gh.commit(sha(1), { 'README.md': 'no dev container' });
    app.gh.setBranch('main', sha(1));
    app.gh.setBranch('feature', sha(1));
    await app.delivered(app.gh.standIn.pullRequest(REPO.repo, { action: 'opened', number: 8, head: 'feature' }));
    const [d] = await app.decisions(sha(1));
    expect(d).toMatchObject({ decision: 'skipped', configuration: '*' });
    expect(d!.reason).toMatch(/^no configuration/);
  });

  it('at installation, a configuration whose branches exclude the default branch is recorded as branch-unmatched', async () => {
    const yml = 'prebuilds:\n  - name: main-only\n  - name: releases\n    branches: ["release/*"]\n';
    app.gh.commit(sha(1), { ...base, '.github/prebuilds.yml': yml });
    app.gh.setBranch('main', sha(1));
    await app.delivered(app.gh.standIn.installationCreated());
    expect(app.gh.dispatches.map((d) => d.inputs.configuration)).toEqual(['main-only']);
    const decisions = await app.decisions(sha(1));
    expect(decisions.find((d) => d.configuration === 'releases')).toMatchObject({
      event: 'installation',
      decision: 'skipped',
      reason: 'branch-unmatched: default branch main is not in release/*',
    });
    expect(decisions.find((d) => d.configuration === 'main-only')).toMatchObject({ decision: 'started' });
  });

  it('repositories added to an existing installation are prebuilt like a new installation', async () => {
    app.gh.commit(sha(1), { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - name: web\n' });
    app.gh.setBranch('main', sha(1));
    const created = installationCreated(app.gh.standIn.state, [app.gh.repo]);
    const added = {
      action: 'added',
      installation: created.installation,
      repository_selection: 'selected',
      repositories_added: created.repositories,
      repositories_removed: [],
      requester: null,
      sender: created.sender,
    };
    await app.send('installation_repositories', added);
    expect(app.gh.dispatches.map((d) => [d.inputs.configuration, d.inputs.sha])).toEqual([['web', sha(1)]]);
    expect((await app.decisions(sha(1)))[0]).toMatchObject({ event: 'installation', decision: 'started' });
  });

  it('"Re-run" on the "Prebuild configuration" check reads the configuration again and reports it again', async () => {
    await app.pushCommit(1, { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - name: web\n    retension: 3\n' });
    const [check] = app.gh.checkRunsFor(sha(1)).filter((c) => c.name === 'Prebuild configuration');
    await app.delivered(app.gh.standIn.rerequestCheckRun(REPO.repo, check!.id));
    expect(app.gh.checkRunsFor(sha(1)).filter((c) => c.name === 'Prebuild configuration')).toHaveLength(2);
    const decisions = await app.decisions(sha(1));
    expect(decisions.filter((d) => d.event === 'check_run').map((d) => d.decision)).toEqual(['failed']);
    expect(decisions.find((d) => d.event === 'check_run')!.reason).toContain('.github/prebuilds.yml:3:5');
  });

  it('a configuration with warnings only (a Gitpod task calling gp) gets a neutral "Prebuild configuration" check run and still prebuilds', async () => {
    await app.pushCommit(1, {
      '.github/prebuilds.yml': 'prebuilds:\n  - gitpod: .gitpod.yml\n',
      '.gitpod.yml': 'tasks:\n  - init: npm ci && gp sync-done deps\n',
      'src/index.ts': 'x',
    });
    expect(app.gh.dispatches).toHaveLength(1);
    const [check] = app.gh.checkRunsFor(sha(1)).filter((c) => c.name === 'Prebuild configuration');
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(check!.output?.title).toMatch(/warning/);
    expect(check!.output?.summary).toMatch(/\.gitpod\.yml:2:\d+: .*gp/);
  });

  it('a re-run of a check run that is not a prebuild is recorded, not dropped', async () => {
    await app.pushCommit(1, base);
    const [check] = app.gh.checkRunsFor(sha(1));
    check!.external_id = 'not-a-prebuild';
    await app.delivered(app.gh.standIn.rerequestCheckRun(REPO.repo, check!.id));
    const d = (await app.decisions(sha(1))).find((x) => x.event === 'check_run');
    expect(d).toMatchObject({ decision: 'skipped', configuration: '*' });
  });
});

describe('overrides apply whoever asks for the prebuild', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());

  it('a check-run re-run, an installation and a schedule prebuild with the stored overrides', async () => {
    const yml = "prebuilds:\n  - name: web\n    schedule: '0 3 * * *'\n    retention: 5\n";
    app.gh.commit(sha(1), { ...base, '.github/prebuilds.yml': yml });
    app.gh.setBranch('main', sha(1));
    await app.server.store.setOverrides(REPO, 'web', { retention: 1 });

    await app.delivered(app.gh.standIn.installationCreated());
    const installed = (await app.server.store.getPrebuild(1))!;
    expect(installed.settings?.retention).toBe(1);
    await app.succeed(0);

    const [check] = app.gh.checkRunsFor(sha(1));
    await app.delivered(app.gh.standIn.rerequestCheckRun(REPO.repo, check!.id));
    const rerun = (await app.server.store.getPrebuild(2))!;
    expect(rerun).toMatchObject({ trigger: 'manual', sha: sha(1) });
    expect(rerun.settings?.retention).toBe(1);
    await app.succeed(1);

    // The installation registered the schedule: a tick after 03:00 fires it.
    const [schedule] = await app.server.store.listSchedules();
    expect(schedule).toMatchObject({ configuration: 'web', branch: 'main', cron: '0 3 * * *' });
    const fired = await app.server.runtime.schedules.tick(schedule!.updatedAt + 86_400_000);
    expect(fired).toBe(1);
    await app.server.idle();
    const scheduled = (await app.server.store.listPrebuilds({ ...REPO, limit: 1 }))[0]!;
    expect(scheduled).toMatchObject({ trigger: 'schedule', sha: sha(1) });
    expect(scheduled.settings?.retention).toBe(1);
  });
});

describe('schedules are registered when a configuration is first resolved', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());

  const scheduled = "prebuilds:\n  - name: web\n    schedule: '0 3 * * *'\n";

  it("a repository whose first event is a pull request gets its base branch's schedule, from the base's configuration", async () => {
    app.gh.commit(sha(1), { ...base, '.github/prebuilds.yml': scheduled });
    app.gh.setBranch('main', sha(1));
    // The pull request changes the timetable: that counts once merged, not before.
    app.gh.commit(sha(2), { ...base, '.github/prebuilds.yml': scheduled.replace('0 3', '0 5'), 'src/index.ts': 'y' }, [sha(1)]);
    app.gh.setBranch('feature', sha(2));
    expect(await app.server.store.listSchedules()).toEqual([]);

    await app.delivered(app.gh.standIn.pullRequest(REPO.repo, { action: 'opened', number: 9, head: 'feature' }));
    expect((await app.server.store.listSchedules()).map((s) => [s.configuration, s.branch, s.cron])).toEqual([['web', 'main', '0 3 * * *']]);
    expect(app.gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(2)]);

    // A tick after 03:00 prebuilds the head of main.
    const [schedule] = await app.server.store.listSchedules();
    expect(await app.server.runtime.schedules.tick(schedule!.updatedAt + 86_400_000)).toBe(1);
    await app.server.idle();
    expect((await app.server.store.listPrebuilds({ ...REPO, limit: 1 }))[0]).toMatchObject({ trigger: 'schedule', sha: sha(1), branch: 'main' });
  });

  it("a fork's pull request registers the base branch's schedule too, and a base without one registers none", async () => {
    app.gh.commit(sha(1), { ...base, '.github/prebuilds.yml': scheduled });
    app.gh.setBranch('main', sha(1));
    app.gh.setBranch('someone-main', sha(1));
    app.gh.commit(sha(3), { ...base, '.github/prebuilds.yml': 'prebuilds:\n  - name: web\n' });
    app.gh.setBranch('release', sha(3));
    await app.delivered(app.gh.standIn.pullRequest(REPO.repo, { action: 'opened', number: 10, head: 'someone-main', fork: 'someone' }));
    await app.delivered(app.gh.standIn.pullRequest(REPO.repo, { action: 'opened', number: 11, head: 'someone-main', base: 'release', fork: 'someone' }));
    expect((await app.server.store.listSchedules()).map((s) => [s.configuration, s.branch, s.cron])).toEqual([['web', 'main', '0 3 * * *']]);
    expect(app.gh.dispatches).toEqual([]);
  });
});

describe('a workflow run takes over a prebuild only when it is the run the app dispatched', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());

  it("a fork pull request's run naming itself `Prebuild #N` leaves prebuild #N alone", async () => {
    // An old GitHub Enterprise Server: the dispatch answers 204, so the run id is unknown until a run names it.
    await app.pushCommit(1, base);
    const p = (await app.server.store.getPrebuild(1))!;
    await app.server.store.updatePrebuild(p.id, { workflowRunId: null });
    const inputs = { configuration: 'devcontainer', sha: sha(1), base: '', 'prebuild-id': String(p.id) };
    const forkRun = await app.gh.standIn.recordRun(REPO.repo, { ref: 'main', inputs, actor: 'mallory' });
    app.gh.standIn.finishRun(forkRun.id, 'success');
    const payload = await app.gh.standIn.workflowRunPayload(forkRun.id, 'completed');
    payload.workflow_run.event = 'pull_request';
    payload.workflow_run.head_repository = { ...payload.workflow_run.head_repository, full_name: 'mallory/app' };
    await app.send('workflow_run', payload);
    expect(await app.server.store.getPrebuild(p.id)).toMatchObject({ state: 'dispatched', workflowRunId: null });
    const ignored = (await app.decisions(sha(1))).find((d) => d.event === 'workflow_run');
    expect(ignored).toMatchObject({ decision: 'skipped', configuration: '*' });
    expect(ignored!.reason).toContain(`names prebuild #${p.id} but is not the run the app dispatched`);
    expect(ignored!.reason).toContain('pull_request from mallory/app');

    // A workflow_dispatch run of the repository itself, but on another branch (whose copy of the workflow
    // anyone with write access to that branch controls), is not the run the app dispatched on `main` either.
    app.gh.setBranch('feature', sha(1));
    const otherBranch = await app.gh.standIn.recordRun(REPO.repo, { ref: 'feature', inputs });
    await app.runEvent(otherBranch.id, 'in_progress');
    expect(await app.server.store.getPrebuild(p.id)).toMatchObject({ state: 'dispatched', workflowRunId: null });
    const onFeature = (await app.decisions(sha(1))).filter((d) => d.event === 'workflow_run').map((d) => d.reason);
    expect(onFeature.some((r) => r.includes(`workflow run ${otherBranch.id} (workflow_dispatch from ${REPO.owner}/${REPO.repo} on feature`))).toBe(true);

    // The same name from a workflow_dispatch run of the repository itself is the prebuild's run.
    const ownRun = await app.gh.standIn.recordRun(REPO.repo, { ref: 'main', inputs });
    await app.runEvent(ownRun.id, 'in_progress');
    expect(await app.server.store.getPrebuild(p.id)).toMatchObject({ state: 'running', workflowRunId: ownRun.id });
  });
});
