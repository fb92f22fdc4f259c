/**
 * The one GitHub fake as the tests use it (test/helpers/github.ts over demo/github):
 * repositories in memory, runs recorded without a runner, per-test overrides,
 * several installations, and the @octokit/openapi check that makes a test fail
 * when a request is undocumented or a reply does not validate.
 */
import { errorBody } from '../../demo/github/index.js';
import { startGitHub, testAppKeys, type TestGitHub } from '../helpers/github.js';
import { APP_ID, OTHER, OTHER_INSTALLATION_ID, REPO, sha } from '../helpers/ids.js';
import { appJwt, installationToken, restClient } from '../helpers/standin.js';

describe('the GitHub fake of the tests', () => {
  let gh: TestGitHub;
  let rest: ReturnType<typeof restClient>;
  beforeEach(async () => {
    gh = await startGitHub();
    rest = restClient(gh.apiUrl, await installationToken(gh.apiUrl, APP_ID, testAppKeys().privateKey));
  });
  afterEach(() => gh.stop());

  it('serves a repository kept in memory: contents at a ref, history, comparison with changed files', async () => {
    gh.commit(sha(1), { 'README.md': 'one\n', 'src/a.ts': 'a\n' });
    gh.commit(sha(2), { 'README.md': 'one\ntwo\n', 'src/a.ts': 'a\n' }, [sha(1)]);
    gh.setBranch('main', sha(2));
    const file = await rest('GET', `/repos/octo/app/contents/README.md?ref=${sha(1)}`);
    expect(Buffer.from(file.body.content, 'base64').toString()).toBe('one\n');
    expect((await rest('GET', '/repos/octo/app/contents/src')).body.map((e: { name: string }) => e.name)).toEqual(['a.ts']);
    expect((await rest('GET', '/repos/octo/app/commits?sha=main')).body.map((c: { sha: string }) => c.sha)).toEqual([sha(2), sha(1)]);
    const compare = await rest('GET', `/repos/octo/app/compare/${sha(1)}...${sha(2)}`);
    expect(compare.body).toMatchObject({ status: 'ahead', ahead_by: 1, files: [{ filename: 'README.md', status: 'modified', additions: 1, deletions: 0 }] });
    expect((await rest('GET', '/repos/octo/app/contents/nothing.txt')).status).toBe(404);
    expect(gh.problems()).toEqual([]);
  });

  it('records a dispatched run without running it; the test decides how it ends, with annotations and a log', async () => {
    gh.commit(sha(1), { 'README.md': 'x' });
    gh.setBranch('main', sha(1));
    const inputs = { configuration: 'devcontainer', sha: sha(1), base: '', 'prebuild-id': '7', 'timeout-minutes': '60' };
    const d = await rest('POST', '/repos/octo/app/actions/workflows/prebuild.yml/dispatches', { ref: 'main', inputs, return_run_details: true });
    expect(d.status).toBe(200);
    // The workflow's inputs left out get their defaults, as on GitHub (`expire` defaults to '').
    expect(gh.dispatches).toEqual([{ workflow: 'prebuild.yml', ref: 'main', inputs: { ...inputs, expire: '' }, runId: d.body.workflow_run_id }]);
    const run = await rest('GET', `/repos/octo/app/actions/runs/${d.body.workflow_run_id}`);
    expect(run.body).toMatchObject({ status: 'queued', display_title: `Prebuild #7 (devcontainer) ${sha(1)}`, event: 'workflow_dispatch' });
    gh.standIn.finishRun(d.body.workflow_run_id, 'failure', [{ level: 'failure', message: 'npm ci failed' }], ['npm ERR! boom']);
    const [job] = (await rest('GET', `/repos/octo/app/actions/runs/${d.body.workflow_run_id}/jobs`)).body.jobs;
    expect(job).toMatchObject({ name: 'prebuild', conclusion: 'failure' });
    expect((await rest('GET', `/repos/octo/app/check-runs/${job.id}/annotations`)).body).toMatchObject([
      { annotation_level: 'failure', message: 'npm ci failed' },
    ]);
    const logs = await rest('GET', `/repos/octo/app/actions/jobs/${job.id}/logs`);
    expect(logs.status).toBe(302);
    expect(await (await fetch(logs.headers.get('location')!)).text()).toBe('npm ERR! boom\n');
    expect(gh.problems()).toEqual([]);
  });

  it("lists a new run only after the run listing lag (GitHub's listing is eventually consistent); a forgotten run is gone", async () => {
    gh.commit(sha(1), { 'README.md': 'x' });
    gh.setBranch('main', sha(1));
    gh.standIn.setRunListingLag(300);
    const inputs = { configuration: 'devcontainer', sha: sha(1), base: '', 'prebuild-id': '8' };
    const d = await rest('POST', '/repos/octo/app/actions/workflows/prebuild.yml/dispatches', { ref: 'main', inputs, return_run_details: true });
    const listed = async () => (await rest('GET', '/repos/octo/app/actions/workflows/prebuild.yml/runs')).body.workflow_runs.map((r: { id: number }) => r.id);
    expect(await listed()).toEqual([]);
    expect((await rest('GET', `/repos/octo/app/actions/runs/${d.body.workflow_run_id}`)).status).toBe(200); // the run itself exists at once
    await new Promise((r) => setTimeout(r, 350));
    expect(await listed()).toEqual([d.body.workflow_run_id]);
    gh.forgetRun(d.body.workflow_run_id);
    expect(await listed()).toEqual([]);
    expect((await rest('GET', `/repos/octo/app/actions/runs/${d.body.workflow_run_id}`)).status).toBe(404);
    expect(gh.dispatches.map((x) => x.runId)).toEqual([d.body.workflow_run_id]); // the app did dispatch it
    expect(gh.problems()).toEqual([]);
  });

  it('answers a per-test override the given number of times, can drop the connection or change the real reply', async () => {
    const template = '/repos/{owner}/{repo}';
    gh.standIn.override('GET', template, { status: 503, body: errorBody('Service Unavailable', 503) }, 1);
    expect((await rest('GET', '/repos/octo/app')).status).toBe(503);
    expect((await rest('GET', '/repos/octo/app')).body).toMatchObject({ full_name: 'octo/app', default_branch: 'main' });
    const remove = gh.standIn.override('GET', template, async (_req, served) => {
      const reply = await served();
      return { ...reply, body: { ...(reply.body as object), default_branch: 'trunk' } };
    });
    expect((await rest('GET', '/repos/octo/app')).body.default_branch).toBe('trunk');
    remove();
    gh.standIn.override('GET', template, 'network-error', 1);
    await expect(rest('GET', '/repos/octo/app')).rejects.toThrow();
    expect(gh.calls.map((x) => [x.status, x.overridden])).toEqual([
      [201, false],
      [503, true],
      [200, false],
      [200, true],
      [0, true],
    ]); // the token, then the four requests
    expect(gh.problems()).toEqual([]);
  });

  it('knows each repository’s installation and gives a token for it', async () => {
    const jwt = appJwt(APP_ID, testAppKeys().privateKey);
    const installation = await fetch(`${gh.apiUrl}/repos/${OTHER.owner}/${OTHER.repo}/installation`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(await installation.json()).toMatchObject({ id: OTHER_INSTALLATION_ID, account: { login: OTHER.owner } });
    await expect(installationToken(gh.apiUrl, APP_ID, testAppKeys().privateKey, OTHER_INSTALLATION_ID)).resolves.toMatch(/^ghs_/);
    await expect(installationToken(gh.apiUrl, APP_ID, testAppKeys().privateKey, 999)).rejects.toThrow(/404/);
    expect(gh.problems()).toEqual([]);
  });

  it('fails the check when the app asks for an undocumented operation or a reply does not validate', async () => {
    await rest('GET', `/repos/${REPO.owner}/${REPO.repo}/prebuild-magic`);
    gh.standIn.override('GET', '/repos/{owner}/{repo}', { status: 200, body: { name: 'app' } });
    await rest('GET', '/repos/octo/app');
    expect(gh.problems()).toEqual([
      expect.stringMatching(/^undocumented endpoint GET \/repos\/octo\/app\/prebuild-magic/),
      expect.stringMatching(/^GET \/repos\/octo\/app 200: .*required/),
    ]);
  });
});
