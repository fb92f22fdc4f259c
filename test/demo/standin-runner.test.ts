/**
 * The GitHub stand-in's local runner: a dispatched workflow run like a runner does it
 * (inputs, expressions, checkout, the action as a child process, workflow commands →
 * annotations, logs), OIDC tokens for jobs granted `id-token: write`, timeout and cancel.
 * Every exchange and webhook is also checked against GitHub's published descriptions.
 */
import { undocumentedShapes, useStandIn } from './standin-setup.js';

describe('GitHub stand-in runner', () => {
  const si = useStandIn();

  it('runs a dispatched workflow like a runner', async () => {
    const res = await si.api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: si.sha1, 'prebuild-id': '17' },
      return_run_details: true,
    });
    expect(res.status).toBe(200);
    const runId = res.body.workflow_run_id as number;
    await si.gh.idle();
    const run = (await si.api('GET', `/repos/octo-demo/demo/actions/runs/${runId}`)).body;
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      display_title: 'Prebuild 17 for default',
      event: 'workflow_dispatch',
      head_branch: 'main',
    });
    const jobs = (await si.api('GET', `/repos/octo-demo/demo/actions/runs/${runId}/jobs`)).body.jobs;
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
    const annotations = (await si.api('GET', `/repos/octo-demo/demo/check-runs/${jobs[0].id}/annotations`)).body;
    const notice = annotations.find((a: { annotation_level: string }) => a.annotation_level === 'notice');
    expect(notice.title).toBe('prebuild-result: ,title');
    expect(JSON.parse(notice.message)).toEqual({ key: 'k,1:2', sha: si.sha1, size: 42 });
    expect(annotations.find((a: { annotation_level: string }) => a.annotation_level === 'warning')).toMatchObject({
      path: 'a.txt',
      start_line: 3,
      start_column: 2,
      message: 'multi\nline',
    });
    const logRes = await si.api('GET', `/repos/octo-demo/demo/actions/jobs/${jobs[0].id}/logs`);
    expect(logRes.status).toBe(302);
    const log = await (await fetch(logRes.headers.get('location')!)).text();
    expect(log).toContain('store=dir:/tmp/store');
    expect(log).toContain('base=none');
    expect(log).toContain('extra=x-y');
    expect(log).toContain('key=out-key ref=refs/heads/main secret=***');
    expect(log).toContain('printing *** here');
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain('cleanup after failure');
    const runHooks = si.hooks.received.filter((h) => h.event === 'workflow_run' && (h.payload as any).workflow_run.id === runId);
    expect(runHooks.map((h) => h.payload.action)).toEqual(['requested', 'in_progress', 'completed']);
    expect((runHooks[2]!.payload as any).workflow_run.conclusion).toBe('success');
  });

  it("gives a job granted id-token: write an OIDC token with GitHub's claims, and others none", async () => {
    const step = `node -e "const u=process.env.ACTIONS_ID_TOKEN_REQUEST_URL;if(!u){console.log('oidc=none');process.exit(0)}fetch(u+'&audience=aud-1',{headers:{authorization:'Bearer '+process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}}).then(r=>r.json()).then(j=>console.log('oidc='+Buffer.from(j.value.split('.')[1],'base64url').toString()))"`;
    const workflow = (permissions: string) =>
      `on: workflow_dispatch\n${permissions}jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: ${JSON.stringify(step)}\n`;
    const s = si.wc.commit(
      { '.github/workflows/oidc.yml': workflow('permissions:\n  id-token: write\n  contents: read\n'), '.github/workflows/plain.yml': workflow('') },
      'oidc workflows',
    );
    si.wc.push('main');
    const logOf = async (file: string) => {
      const res = await si.api('POST', `/repos/octo-demo/demo/actions/workflows/${file}/dispatches`, { ref: 'main', return_run_details: true });
      await si.gh.idle();
      const jobs = (await si.api('GET', `/repos/octo-demo/demo/actions/runs/${res.body.workflow_run_id}/jobs`)).body.jobs;
      const logRes = await si.api('GET', `/repos/octo-demo/demo/actions/jobs/${jobs[0].id}/logs`);
      return { runId: res.body.workflow_run_id as number, log: await (await fetch(logRes.headers.get('location')!)).text() };
    };
    const granted = await logOf('oidc.yml');
    const claims = JSON.parse(/oidc=(\{.*\})/.exec(granted.log)![1]!);
    expect(claims).toMatchObject({
      iss: si.issuer.url,
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
      // The workflow file (GitHub's `workflow` claim is its name): what the app checks a result report's run against.
      workflow_ref: 'octo-demo/demo/.github/workflows/oidc.yml@refs/heads/main',
      jti: expect.any(String),
    });
    expect(claims.exp - claims.iat).toBe(300);
    expect((await logOf('plain.yml')).log).toContain('oidc=none');
  });

  it('fails a step with a clear message for an expression that does not evaluate', async () => {
    const s = si.wc.commit(
      { '.github/workflows/bad.yml': "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ fromJSON('{') }}\n" },
      'bad workflow',
    );
    si.wc.push('main');
    const res = await si.api('POST', '/repos/octo-demo/demo/actions/workflows/bad.yml/dispatches', { ref: 'main', return_run_details: true });
    await si.gh.idle();
    const runId = res.body.workflow_run_id as number;
    expect(si.gh.state.runs.get(runId)!.conclusion).toBe('failure');
    const job = si.gh.jobs(runId)[0]!;
    const messages = si.gh.state.checkRuns.get(job.id)!.annotations.map((a) => a.message);
    expect(messages.join('\n')).toMatch(/The template is not valid\. Error parsing JSON when evaluating fromJson/);
    void s;
  });

  it('times out a job as cancelled, as GitHub reports it, and kills its processes', async () => {
    const started = Date.now();
    const res = await si.api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: si.sha1, 'prebuild-id': '18', sleep: '30' },
      return_run_details: true,
    });
    await si.gh.idle();
    expect(Date.now() - started).toBeLessThan(15_000);
    const run = si.gh.state.runs.get(res.body.workflow_run_id)!;
    expect(run.conclusion).toBe('cancelled');
    const check = si.gh.state.checkRuns.get(run.jobIds[0]!)!;
    expect(check.conclusion).toBe('cancelled');
    expect(check.annotations.map((a) => a.message)).toEqual([
      'The job running on runner stand-in-runner 1 has exceeded the maximum execution time of 0.05 minutes.',
      'The operation was canceled.',
    ]);
  });

  it('fails a job whose timeout-minutes is not a number, as GitHub refuses a string there', async () => {
    const res = await si.api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: si.sha1, 'prebuild-id': '20', timeout: '"soon"' },
      return_run_details: true,
    });
    await si.gh.idle();
    const run = si.gh.state.runs.get(res.body.workflow_run_id)!;
    expect(run.conclusion).toBe('failure');
    const check = si.gh.state.checkRuns.get(run.jobIds[0]!)!;
    expect(check.annotations.map((a) => a.message)).toEqual([
      "The template is not valid. Unexpected value 'soon' for timeout-minutes: a positive number was expected",
    ]);
    expect(
      si.gh
        .jobs(run.id)[0]!
        .steps.filter((s) => s.conclusion !== 'skipped')
        .map((s) => s.name),
    ).toEqual(['Set up job', 'Complete job']);
  });

  it('cancels a running job', async () => {
    const res = await si.api('POST', '/repos/octo-demo/demo/actions/workflows/prebuild.yml/dispatches', {
      ref: 'main',
      inputs: { configuration: 'default', sha: si.sha1, 'prebuild-id': '19', sleep: '2' },
      return_run_details: true,
    });
    const runId = res.body.workflow_run_id as number;
    while (si.gh.state.runs.get(runId)!.status !== 'in_progress') await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    expect((await si.api('POST', `/repos/octo-demo/demo/actions/runs/${runId}/cancel`)).status).toBe(202);
    await si.gh.idle();
    expect(si.gh.state.runs.get(runId)!.conclusion).toBe('cancelled');
    expect((await si.api('POST', `/repos/octo-demo/demo/actions/runs/${runId}/cancel`)).status).toBe(409);
  });

  it('answers only with documented shapes', async () => {
    await si.gh.idle();
    expect(undocumentedShapes(si)).toEqual([]);
    expect(si.gh.errors).toEqual([]);
  });
});
