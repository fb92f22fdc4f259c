/**
 * The GitHub stand-in's REST side: auth, contents and commits from git, dispatch
 * refusals, check runs, issues and caches, and the webhooks it sends. Every exchange and
 * webhook is also checked against GitHub's published descriptions. The local runner is
 * tested in standin-runner.test.ts.
 */
import { appKeyPair } from '../helpers/github.js';
import { APP_ID, appJwt, undocumentedShapes, useStandIn } from './standin-setup.js';

describe('GitHub stand-in', () => {
  const si = useStandIn();

  it('authenticates like GitHub', async () => {
    const bad = await fetch(`${si.gh.apiUrl}/app/installations/1/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appJwt(APP_ID, appKeyPair().privateKey)}` },
    });
    expect(bad.status).toBe(401);
    const expired = await fetch(`${si.gh.apiUrl}/app/installations/1/access_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${appJwt(APP_ID, si.keys.privateKey, { exp: Math.floor(Date.now() / 1000) - 5 })}` },
    });
    expect(expired.status).toBe(401);
    const anon = await fetch(`${si.gh.apiUrl}/repos/octo-demo/demo`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({ message: 'Requires authentication', documentation_url: expect.any(String), status: '401' });
    expect((await si.api('GET', '/repos/octo-demo/demo')).body.default_branch).toBe('main');
    expect((await si.api('GET', '/repos/octo-demo/nope')).status).toBe(404);
    expect((await si.api('GET', '/nonsense')).body.message).toBe('Not Found');
  });

  it('serves contents and commits from git', async () => {
    const file = await si.api('GET', '/repos/octo-demo/demo/contents/hello.txt?ref=main');
    expect(Buffer.from(file.body.content, 'base64').toString()).toBe('hello\n');
    const encoded = await si.api('GET', `/repos/octo-demo/demo/contents/.github%2Fworkflows%2Fprebuild.yml?ref=${si.sha1}`);
    expect(encoded.body.type).toBe('file');
    const raw = await si.api('GET', '/repos/octo-demo/demo/contents/hello.txt', undefined, { accept: 'application/vnd.github.v3.raw' });
    expect(raw.body).toBe('hello\n');
    const dir = await si.api('GET', '/repos/octo-demo/demo/contents/src');
    expect(dir.body.map((e: { path: string }) => e.path)).toEqual(['src/a.js']);
    expect((await si.api('GET', '/repos/octo-demo/demo/contents/missing.txt')).status).toBe(404);
    const sha2 = si.wc.commit({ 'src/a.js': 'a2\n', 'src/b.js': 'b\n', 'hello.txt': null }, 'second');
    si.wc.push('main');
    const commits = await si.api('GET', '/repos/octo-demo/demo/commits?sha=main&per_page=1');
    expect(commits.body.map((c: { sha: string }) => c.sha)).toEqual([sha2]);
    expect(commits.headers.get('link')).toContain('rel="next"');
    const one = await si.api('GET', `/repos/octo-demo/demo/commits/${sha2}`);
    expect(one.body.files.map((f: { filename: string; status: string }) => `${f.status}:${f.filename}`).sort()).toEqual([
      'added:src/b.js',
      'modified:src/a.js',
      'removed:hello.txt',
    ]);
    const cmp = await si.api('GET', `/repos/octo-demo/demo/compare/${si.sha1}...${sha2}`);
    expect(cmp.body).toMatchObject({ status: 'ahead', ahead_by: 1, behind_by: 0, total_commits: 1 });
    // Restore hello.txt for the runner tests.
    si.wc.commit({ 'hello.txt': 'hello\n' }, 'third');
    si.wc.push('main');
  });

  it('sends a push webhook built from git', async () => {
    const before = si.wc.git('rev-parse', 'HEAD');
    const d1 = await si.gh.push('demo', { branch: 'main' });
    expect(d1.status).toBe(200);
    const p1 = si.hooks.received.at(-1)!.payload as any;
    expect(p1.created).toBe(true);
    expect(p1.commits).toHaveLength(3);
    const s = si.wc.commit({ 'x.txt': 'x' }, 'fourth');
    si.wc.push('main');
    await si.gh.push('demo', { branch: 'main' });
    const p2 = si.hooks.received.at(-1)!.payload as any;
    expect(p2).toMatchObject({ before, after: s, created: false, forced: false, ref: 'refs/heads/main' });
    expect(p2.commits.map((c: { added: string[] }) => c.added)).toEqual([['x.txt']]);
    expect(p2.head_commit.id).toBe(s);
    expect(si.hooks.received.every((r) => r.signatureOk)).toBe(true);
  });

  it('rejects dispatches GitHub rejects', async () => {
    const base = '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches';
    const inputs = { configuration: 'default', sha: si.sha1, 'prebuild-id': '1' };
    expect((await si.api('POST', base, { ref: 'main', inputs: { ...inputs, bogus: 'x' } })).body.message).toBe('Unexpected inputs provided: ["bogus"]');
    expect((await si.api('POST', base, { ref: 'main', inputs: { sha: si.sha1 } })).body.message).toBe("Required input 'configuration' not provided");
    expect((await si.api('POST', base, { ref: si.sha1, inputs })).body.message).toBe(`No ref found for: ${si.sha1}`);
    expect((await si.api('POST', '/repos/octo-demo/demo/actions/workflows/other.yml/dispatches', { ref: 'main', inputs })).status).toBe(404);
  });

  it('manages check runs and issues', async () => {
    const created = await si.api('POST', '/repos/octo-demo/demo/check-runs', {
      name: 'Prebuild: default',
      head_sha: si.sha1,
      status: 'in_progress',
      output: { title: 'x', summary: 'y' },
    });
    expect(created.status).toBe(201);
    const done = await si.api('PATCH', `/repos/octo-demo/demo/check-runs/${created.body.id}`, {
      conclusion: 'success',
      output: { title: 'ok', summary: 'done' },
    });
    expect(done.body).toMatchObject({ status: 'completed', conclusion: 'success' });
    const listed = await si.api('GET', `/repos/octo-demo/demo/commits/${si.sha1}/check-runs`);
    expect(listed.body.check_runs.map((c: { name: string }) => c.name)).toContain('Prebuild: default');
    expect((await si.api('POST', '/repos/octo-demo/demo/check-runs', { name: 'x', head_sha: '0'.repeat(40) })).status).toBe(422);
    const issue = await si.api('POST', '/repos/octo-demo/demo/issues', { title: 'Prebuilds failing', labels: ['prebuilds'] });
    expect(issue.status).toBe(201);
    expect((await si.api('POST', `/repos/octo-demo/demo/issues/${issue.body.number}/comments`, { body: 'still failing' })).status).toBe(201);
    expect((await si.api('GET', '/repos/octo-demo/demo/issues?labels=prebuilds')).body).toHaveLength(1);
    expect((await si.api('PATCH', `/repos/octo-demo/demo/issues/${issue.body.number}`, { state: 'closed' })).body.state).toBe('closed');
    si.gh.recordCache('demo', { key: 'prebuilds-v1/default/abc/1', sizeInBytes: 10 });
    expect((await si.api('GET', '/repos/octo-demo/demo/actions/caches?key=prebuilds-v1/')).body.total_count).toBe(1);
    expect((await si.api('DELETE', '/repos/octo-demo/demo/actions/caches?key=prebuilds-v1/default/abc/1')).status).toBe(200);
  });

  it('sends pull request and re-run webhooks', async () => {
    si.wc.git('checkout', '-q', '-b', 'feature');
    si.wc.commit({ 'f.txt': 'f' }, 'feature');
    si.wc.push('feature');
    const { number } = await si.gh.pullRequest('demo', { action: 'opened', head: 'feature' });
    si.wc.commit({ 'f.txt': 'f2' }, 'feature 2');
    si.wc.push('feature');
    await si.gh.pullRequest('demo', { action: 'synchronize', number, head: 'feature' });
    await si.gh.pullRequest('demo', { action: 'opened', head: 'feature', fork: 'someone-else' });
    await si.gh.pullRequest('demo', { action: 'closed', number, head: 'feature' });
    await si.gh.installationCreated();
    const mine = si.gh.checkRuns('demo', { app: true })[0]!;
    await si.gh.rerequestCheckRun('demo', mine.id);
    const events = si.hooks.received.slice(-6).map((h) => `${h.event}.${h.payload.action}`);
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
    await si.gh.idle();
    expect(undocumentedShapes(si)).toEqual([]);
    expect(si.gh.errors).toEqual([]);
  });
});
