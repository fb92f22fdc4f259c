/**
 * The GitHub stand-in on its own: auth, contents and commits from git, workflow
 * dispatch and the local runner (inputs, expressions, checkout, the action as a
 * child process, workflow commands → annotations, logs, timeout, cancel), and
 * the webhooks it sends. Every exchange and webhook is also checked against
 * GitHub's published descriptions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { LocalActionsIssuer } from '../../demo/github/oidc-issuer.js';
import { validateResponse } from '../helpers/openapi.js';
import { appKeyPair } from '../helpers/github.js';
import { appJwt, installationToken, restClient, scratch, webhookReceiver, WorkingCopy } from '../helpers/standin.js';
import { validateWebhook } from '../helpers/webhook-schemas.js';

const APP_ID = 4242;
const SECRET = 'webhook-secret';

const ACTION_YML = `name: fake prebuild
description: stands in for the product's action
inputs:
  store: { required: true }
  sha: { required: true }
  base: { default: '' }
  token: { default: '\${{ github.token }}' }
  extra input: { default: 'x-y' }
runs:
  using: node20
  main: index.mjs
`;

const ACTION_JS = `import { appendFileSync, existsSync } from 'node:fs';
const e = process.env;
console.log('::add-mask::s3cr3t-value');
console.log('printing s3cr3t-value here');
console.log('::group::details');
console.log('store=' + e.INPUT_STORE + ' sha=' + e.INPUT_SHA + ' base=' + e.INPUT_BASE + ' extra=' + e['INPUT_EXTRA_INPUT']);
console.log('::endgroup::');
const checks = [e.GITHUB_ACTIONS === 'true', existsSync(e.GITHUB_WORKSPACE + '/hello.txt'), e.GITHUB_EVENT_NAME === 'workflow_dispatch',
  !!e.RUNNER_TEMP, e.RUNNER_OS === 'Linux', existsSync(e.GITHUB_EVENT_PATH), e.INPUT_TOKEN && e.INPUT_TOKEN.startsWith('ghs_'), /^\\d+$/.test(e.GITHUB_RUN_ID)];
if (checks.some((c) => !c)) { console.log('::error::environment check failed ' + JSON.stringify(checks)); process.exit(1); }
const msg = JSON.stringify({ key: 'k,1:2', sha: e.INPUT_SHA, size: 42 });
console.log('::notice title=prebuild-result%3A %2Ctitle::' + msg.replace(/%/g, '%25').replace(/\\n/g, '%0A'));
console.log('::warning file=a.txt,line=3,col=2::multi%0Aline');
appendFileSync(e.GITHUB_OUTPUT, 'key=out-key\\n');
if (e.INPUT_SHA === 'fail') process.exit(3);
`;

const WORKFLOW = `name: Prebuild
run-name: "Prebuild \${{ inputs.prebuild-id }} for \${{ github.event.inputs.configuration }}"
on:
  workflow_dispatch:
    inputs:
      configuration: { required: true, type: string }
      sha: { required: true }
      base: { required: false, default: '' }
      prebuild-id: { required: true }
      sleep: { required: false, default: '0' }
      timeout: { required: false, default: '' }
jobs:
  prebuild:
    name: prebuild (\${{ inputs.configuration }})
    runs-on: ubuntu-latest
    timeout-minutes: \${{ fromJSON(inputs.timeout || '0.05') }}
    steps:
      - uses: actions/checkout@v5
        with:
          ref: \${{ inputs.sha }}
      - run: sleep \${{ inputs.sleep }}
      - id: pb
        uses: ./action
        with:
          store: \${{ vars.PREBUILDS_STORE }}
          sha: \${{ inputs.sha }}
          base: \${{ inputs.base || 'none' }}
      - run: echo "key=\${{ steps.pb.outputs.key }} ref=\${{ github.ref }} secret=\${{ secrets.MY_SECRET }}"
      - if: failure()
        run: echo "cleanup after failure"
`;

describe('GitHub stand-in', () => {
  let gh: StandIn;
  let hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  let wc: WorkingCopy;
  let api: ReturnType<typeof restClient>;
  const keys = appKeyPair();
  let sha1: string;
  let issuer: LocalActionsIssuer;

  beforeAll(async () => {
    const actionDir = scratch('fake-action-');
    writeFileSync(join(actionDir, 'action.yml'), ACTION_YML);
    writeFileSync(join(actionDir, 'index.mjs'), ACTION_JS);
    hooks = await webhookReceiver(SECRET);
    issuer = await LocalActionsIssuer.start();
    gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: SECRET, actionDir, webhookUrl: hooks.url, oidcIssuer: issuer });
    const repo = await gh.createRepo('demo', { variables: { PREBUILDS_STORE: 'dir:/tmp/store' }, secrets: { MY_SECRET: 'hunter2' } });
    wc = new WorkingCopy(repo.remote);
    sha1 = wc.commit({ 'hello.txt': 'hello\n', '.github/workflows/prebuild.yml': WORKFLOW, 'src/a.js': 'a\n' }, 'initial');
    wc.push('main');
    api = restClient(gh.apiUrl, await installationToken(gh.apiUrl, APP_ID, keys.privateKey));
  });

  afterAll(async () => {
    await gh?.stop();
    await hooks?.close();
    await issuer?.stop();
  });

  it('authenticates like GitHub', async () => {
    const bad = await fetch(`${gh.apiUrl}/app/installations/1/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appJwt(APP_ID, appKeyPair().privateKey)}` },
    });
    expect(bad.status).toBe(401);
    const expired = await fetch(`${gh.apiUrl}/app/installations/1/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appJwt(APP_ID, keys.privateKey, { exp: Math.floor(Date.now() / 1000) - 5 })}` },
    });
    expect(expired.status).toBe(401);
    const anon = await fetch(`${gh.apiUrl}/repos/octo-demo/demo`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({ message: 'Requires authentication', documentation_url: expect.any(String), status: '401' });
    expect((await api('GET', '/repos/octo-demo/demo')).body.default_branch).toBe('main');
    expect((await api('GET', '/repos/octo-demo/nope')).status).toBe(404);
    expect((await api('GET', '/nonsense')).body.message).toBe('Not Found');
  });

  it('serves contents and commits from git', async () => {
    const file = await api('GET', '/repos/octo-demo/demo/contents/hello.txt?ref=main');
    expect(Buffer.from(file.body.content, 'base64').toString()).toBe('hello\n');
    const encoded = await api('GET', `/repos/octo-demo/demo/contents/.github%2Fworkflows%2Fprebuild.yml?ref=${sha1}`);
    expect(encoded.body.type).toBe('file');
    const raw = await api('GET', '/repos/octo-demo/demo/contents/hello.txt', undefined, { accept: 'application/vnd.github.v3.raw' });
    expect(raw.body).toBe('hello\n');
    const dir = await api('GET', '/repos/octo-demo/demo/contents/src');
    expect(dir.body.map((e: { path: string }) => e.path)).toEqual(['src/a.js']);
    expect((await api('GET', '/repos/octo-demo/demo/contents/missing.txt')).status).toBe(404);
    const sha2 = wc.commit({ 'src/a.js': 'a2\n', 'src/b.js': 'b\n', 'hello.txt': null }, 'second');
    wc.push('main');
    const commits = await api('GET', '/repos/octo-demo/demo/commits?sha=main&per_page=1');
    expect(commits.body.map((c: { sha: string }) => c.sha)).toEqual([sha2]);
    expect(commits.headers.get('link')).toContain('rel="next"');
    const one = await api('GET', `/repos/octo-demo/demo/commits/${sha2}`);
    expect(one.body.files.map((f: { filename: string; status: string }) => `${f.status}:${f.filename}`).sort()).toEqual([
      'added:src/b.js',
      'modified:src/a.js',
      'removed:hello.txt',
    ]);
    const cmp = await api('GET', `/repos/octo-demo/demo/compare/${sha1}...${sha2}`);
    expect(cmp.body).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1 });
    // Restore hello.txt for the runner tests.
    wc.commit({ 'hello.txt': 'hello\n' }, 'third');
    wc.push('main');
  });

  it('sends a push webhook built from git', async () => {
    const before = wc.git('rev-parse', 'HEAD');
    const d1 = await gh.push('demo', { branch: 'main' });
    expect(d1.status).toBe(200);
    const p1 = hooks.received.at(-1)!.payload as any;
    expect(p1.created).toBe(true);
    expect(p1.commits).toHaveLength(3);
    const s = wc.commit({ 'x.txt': 'x' }, 'fourth');
    wc.push('main');
    await gh.push('demo', { branch: 'main' });
    const p2 = hooks.received.at(-1)!.payload as any;
    expect(p2).toMatchObject({ before, after: s, created: false, forced: false, ref: 'refs/heads/main' });
    expect(p2.commits.map((c: { added: string[] }) => c.added)).toEqual([['x.txt']]);
    expect(p2.head_commit.id).toBe(s);
    expect(hooks.received.every((r) => r.signatureOk)).toBe(true);
  });

  it('rejects dispatches GitHub rejects', async () => {
    const base = '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches';
    const inputs = { configuration: 'default', sha: sha1, 'prebuild-id': '1' };
    expect((await api('POST', base, { ref: 'main', inputs: { ...inputs, bogus: 'x' } })).body.message).toBe('Unexpected inputs provided: ["bogus"]');
    expect((await api('POST', base, { ref: 'main', inputs: { sha: sha1 } })).body.message).toBe("Required input 'configuration' not provided");
    expect((await api('POST', base, { ref: sha1, inputs })).body.message).toBe(`No ref found for: ${sha1}`);
    expect((await api('POST', '/repos/octo-demo/demo/actions/workflows/other.yml/dispatches', { ref: 'main', inputs })).status).toBe(404);
  });

  it('runs a dispatched workflow like a runner', async () => {
    const res = await api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: sha1, 'prebuild-id': '17' },
      return_run_details: true,
    });
    expect(res.status).toBe(200);
    const runId = res.body.workflow_run_id as number;
    await gh.idle();
    const run = (await api('GET', `/repos/octo-demo/demo/actions/runs/${runId}`)).body;
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      display_title: 'Prebuild 17 for default',
      event: 'workflow_dispatch',
      head_branch: 'main',
    });
    const jobs = (await api('GET', `/repos/octo-demo/demo/actions/runs/${runId}/jobs`)).body.jobs;
    expect(jobs).toHaveLength(1);
    expect(jobs[0].name).toBe('prebuild (default)');
    expect(jobs[0].steps.map((s: { conclusion: string }) => s.conclusion)).toEqual([
      'success',
      'success',
      'success',
      'success',
      'success',
      'skipped',
      'success',
    ]);
    const annotations = (await api('GET', `/repos/octo-demo/demo/check-runs/${jobs[0].id}/annotations`)).body;
    const notice = annotations.find((a: { annotation_level: string }) => a.annotation_level === 'notice');
    expect(notice.title).toBe('prebuild-result: ,title');
    expect(JSON.parse(notice.message)).toEqual({ key: 'k,1:2', sha: sha1, size: 42 });
    expect(annotations.find((a: { annotation_level: string }) => a.annotation_level === 'warning')).toMatchObject({
      path: 'a.txt',
      start_line: 3,
      start_column: 2,
      message: 'multi\nline',
    });
    const logRes = await api('GET', `/repos/octo-demo/demo/actions/jobs/${jobs[0].id}/logs`);
    expect(logRes.status).toBe(302);
    const log = await (await fetch(logRes.headers.get('location')!)).text();
    expect(log).toContain('store=dir:/tmp/store');
    expect(log).toContain('base=none');
    expect(log).toContain('extra=x-y');
    expect(log).toContain('key=out-key ref=refs/heads/main secret=***');
    expect(log).toContain('printing *** here');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('cleanup after failure');
    const runHooks = hooks.received.filter((h) => h.event === 'workflow_run' && (h.payload as any).workflow_run.id === runId);
    expect(runHooks.map((h) => h.payload.action)).toEqual(['requested', 'in_progress', 'completed']);
    expect((runHooks[2]!.payload as any).workflow_run.conclusion).toBe('success');
  });

  it("gives a job granted id-token: write an OIDC token with GitHub's claims, and others none", async () => {
    const step = `node -e "const u=process.env.ACTIONS_ID_TOKEN_REQUEST_URL;if(!u){console.log('oidc=none');process.exit(0)}fetch(u+'&audience=aud-1',{headers:{authorization:'Bearer '+process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}}).then(r=>r.json()).then(j=>console.log('oidc='+Buffer.from(j.value.split('.')[1],'base64url').toString()))"`;
    const workflow = (permissions: string) =>
      `on: workflow_dispatch\n${permissions}jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ${JSON.stringify(step)}\n`;
    const s = wc.commit(
      { '.github/workflows/oidc.yml': workflow('permissions:\n  id-token: write\n  contents: read\n'), '.github/workflows/plain.yml': workflow('') },
      'oidc workflows',
    );
    wc.push('main');
    const logOf = async (file: string) => {
      const res = await api('POST', `/repos/octo-demo/demo/actions/workflows/${file}/dispatches`, { ref: 'main', return_run_details: true });
      await gh.idle();
      const jobs = (await api('GET', `/repos/octo-demo/demo/actions/runs/${res.body.workflow_run_id}/jobs`)).body.jobs;
      const logRes = await api('GET', `/repos/octo-demo/demo/actions/jobs/${jobs[0].id}/logs`);
      return { runId: res.body.workflow_run_id as number, log: await (await fetch(logRes.headers.get('location')!)).text() };
    };
    const granted = await logOf('oidc.yml');
    const claims = JSON.parse(/oidc=(\{.*\})/.exec(granted.log)![1]!);
    expect(claims).toMatchObject({
      iss: issuer.url,
      aud: 'aud-1',
      sub: 'repo:octo-demo/demo:ref:refs/heads/main',
      repository: 'octo-demo/demo',
      repository_id: expect.stringMatching(/^\d+$/),
      repository_owner: 'octo-demo',
      repository_owner_id: expect.stringMatching(/^\d+$/),
      ref: 'refs/heads/main',
      sha: s,
      run_id: String(granted.runId),
      run_attempt: '1',
      event_name: 'workflow_dispatch',
      jti: expect.any(String),
    });
    expect(claims.exp - claims.iat).toBe(300);
    expect((await logOf('plain.yml')).log).toContain('oidc=none');
  });

  it('fails a step with a clear message for an unsupported expression', async () => {
    const s = wc.commit(
      { '.github/workflows/bad.yml': 'on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ hashFiles(github) }}\n' },
      'bad workflow',
    );
    wc.push('main');
    const res = await api('POST', '/repos/octo-demo/demo/actions/workflows/bad.yml/dispatches', { ref: 'main', return_run_details: true });
    await gh.idle();
    const runId = res.body.workflow_run_id as number;
    expect(gh.state.runs.get(runId)!.conclusion).toBe('failure');
    const job = gh.jobs(runId)[0]!;
    const messages = gh.state.checkRuns.get(job.id)!.annotations.map((a) => a.message);
    expect(messages.join('\n')).toMatch(/Unrecognized function: 'hashFiles'/);
    void s;
  });

  it('times out a job as cancelled, as GitHub reports it, and kills its processes', async () => {
    const started = Date.now();
    const res = await api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: sha1, 'prebuild-id': '18', sleep: '30' },
      return_run_details: true,
    });
    await gh.idle();
    expect(Date.now() - started).toBeLessThan(15_000);
    const run = gh.state.runs.get(res.body.workflow_run_id)!;
    expect(run.conclusion).toBe('cancelled');
    const check = gh.state.checkRuns.get(run.jobIds[0]!)!;
    expect(check.conclusion).toBe('cancelled');
    expect(check.annotations.map((a) => a.message)).toEqual([
      'The job running on runner stand-in-runner 1 has exceeded the maximum execution time of 0.05 minutes.',
      'The operation was canceled.',
    ]);
  });

  it('fails a job whose timeout-minutes is not a number, as GitHub refuses a string there', async () => {
    const res = await api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: sha1, 'prebuild-id': '20', timeout: '"soon"' },
      return_run_details: true,
    });
    await gh.idle();
    const run = gh.state.runs.get(res.body.workflow_run_id)!;
    expect(run.conclusion).toBe('failure');
    const check = gh.state.checkRuns.get(run.jobIds[0]!)!;
    expect(check.annotations.map((a) => a.message)).toEqual([
      "The template is not valid. Unexpected value 'soon' for timeout-minutes: a positive number was expected",
    ]);
    expect(
      gh
        .jobs(run.id)[0]!
        .steps.filter((s) => s.conclusion !== 'skipped')
        .map((s) => s.name),
    ).toEqual(['Set up job', 'Complete job']);
  });

  it('cancels a running job', async () => {
    const res = await api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: sha1, 'prebuild-id': '19', sleep: '2' },
      return_run_details: true,
    });
    const runId = res.body.workflow_run_id as number;
    while (gh.state.runs.get(runId)!.status !== 'in_progress') await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    expect((await api('POST', `/repos/octo-demo/demo/actions/runs/${runId}/cancel`)).status).toBe(202);
    await gh.idle();
    expect(gh.state.runs.get(runId)!.conclusion).toBe('cancelled');
    expect((await api('POST', `/repos/octo-demo/demo/actions/runs/${runId}/cancel`)).status).toBe(409);
  });

  it('manages check runs and issues', async () => {
    const created = await api('POST', '/repos/octo-demo/demo/check-runs', {
      name: 'Prebuild: default',
      head_sha: sha1,
      status: 'in_progress',
      output: { title: 'x', summary: 'y' },
    });
    expect(created.status).toBe(201);
    const done = await api('PATCH', `/repos/octo-demo/demo/check-runs/${created.body.id}`, { conclusion: 'success', output: { title: 'ok', summary: 'done' } });
    expect(done.body).toMatchObject({ status: 'completed', conclusion: 'success' });
    const listed = await api('GET', `/repos/octo-demo/demo/commits/${sha1}/check-runs`);
    expect(listed.body.check_runs.map((c: { name: string }) => c.name)).toContain('Prebuild: default');
    expect((await api('POST', '/repos/octo-demo/demo/check-runs', { name: 'x', head_sha: '0'.repeat(40) })).status).toBe(422);
    const issue = await api('POST', '/repos/octo-demo/demo/issues', { title: 'Prebuilds failing', labels: ['prebuilds'] });
    expect(issue.status).toBe(201);
    expect((await api('POST', `/repos/octo-demo/demo/issues/${issue.body.number}/comments`, { body: 'still failing' })).status).toBe(201);
    expect((await api('GET', '/repos/octo-demo/demo/issues?labels=prebuilds')).body).toHaveLength(1);
    expect((await api('PATCH', `/repos/octo-demo/demo/issues/${issue.body.number}`, { state: 'closed' })).body.state).toBe('closed');
    gh.recordCache('demo', { key: 'prebuilds-v1/default/abc/1', sizeInBytes: 10 });
    expect((await api('GET', '/repos/octo-demo/demo/actions/caches?key=prebuilds-v1/')).body.total_count).toBe(1);
    expect((await api('DELETE', '/repos/octo-demo/demo/actions/caches?key=prebuilds-v1/default/abc/1')).status).toBe(200);
  });

  it('sends pull request and re-run webhooks', async () => {
    wc.git('checkout', '-q', '-b', 'feature');
    wc.commit({ 'f.txt': 'f' }, 'feature');
    wc.push('feature');
    const { number } = await gh.pullRequest('demo', { action: 'opened', head: 'feature' });
    wc.commit({ 'f.txt': 'f2' }, 'feature 2');
    wc.push('feature');
    await gh.pullRequest('demo', { action: 'synchronize', number, head: 'feature' });
    await gh.pullRequest('demo', { action: 'opened', head: 'feature', fork: 'someone-else' });
    await gh.pullRequest('demo', { action: 'closed', number, head: 'feature' });
    await gh.installationCreated();
    const mine = gh.checkRuns('demo', { app: true })[0]!;
    await gh.rerequestCheckRun('demo', mine.id);
    const events = hooks.received.slice(-6).map((h) => `${h.event}.${h.payload.action}`);
    expect(events).toEqual([
      'pull_request.opened',
      'pull_request.synchronize',
      'pull_request.opened',
      'pull_request.closed',
      'installation.created',
      'check_run.rerequested',
    ]);
  });

  it('answers only with documented shapes', async () => {
    await gh.idle();
    const problems: string[] = [];
    for (const x of gh.exchanges) {
      if (x.template === null && x.status === 404) continue;
      if (x.template?.startsWith('/_standin/')) continue;
      const p = validateResponse(x.method, x.path, x.status, x.responseBody);
      if (p) problems.push(`${x.method} ${x.path} → ${x.status}: ${p}`);
    }
    for (const h of hooks.received) {
      const p = validateWebhook(h.event, h.payload);
      if (p) problems.push(p);
    }
    expect(problems).toEqual([]);
    expect(gh.errors).toEqual([]);
  });
});
