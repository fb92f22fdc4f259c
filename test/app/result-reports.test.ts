/**
 * Prebuild results reported by the run itself (`POST /api/prebuilds/{id}/result`, the
 * job's OIDC token from a local issuer over HTTP, sent by the action's own client), and
 * what the completion makes of them, counted in the stand-in's exchanges: a verified
 * report of the dispatched run saves the jobs request; a refused one, none, or a failed
 * run leaves the completion reading the jobs as before.
 */
import { reportResult } from '../../action/src/report-result.js';
import type { ReportDeps } from '../../action/src/app-report.js';
import { LocalActionsIssuer, type JobClaims } from '../../demo/github/oidc-issuer.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../../src/api/restore-report.js';
import { resultReportPath } from '../../src/api/result-report.js';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { reportedResult } from '../../src/prebuilds/run-report.js';
import { sha, startTestApp, type TestApp } from '../helpers/app.js';
import { INSTALLATION_ID, REPO } from '../helpers/ids.js';
import { newPrebuild } from '../helpers/store-backends.js';
import { jobClaims } from '../helpers/restore-reports.js';

const DEVCONTAINER = '{ "onCreateCommand": "npm ci" }';
const base = { '.devcontainer/devcontainer.json': DEVCONTAINER, 'src/index.ts': 'x' };

let issuer: LocalActionsIssuer;
let app: TestApp;

beforeAll(async () => {
  issuer = await LocalActionsIssuer.start();
});
afterAll(() => issuer.stop());
beforeEach(async () => {
  app = await startTestApp({ restoreReports: { issuer: issuer.url, audience: DEFAULT_RESTORE_AUDIENCE } });
});
afterEach(() => app.stop());

/** The claims GitHub gives a job of the dispatched run `d` (repository, run, workflow file, event). */
function runClaims(d: { runId: number; inputs: Record<string, string> }, over: Partial<JobClaims> = {}): JobClaims {
  return jobClaims({
    sha: d.inputs.sha!,
    run_id: String(d.runId),
    run_attempt: '1',
    workflow: 'Prebuild',
    workflow_ref: 'octo/app/.github/workflows/prebuild.yml@refs/heads/main',
    event_name: 'workflow_dispatch',
    ...over,
  });
}

/** The action's result for dispatch `d`, as `succeed` completes it but with `bytes`. */
function resultOf(d: { inputs: Record<string, string> }, bytes: number): PrebuildResult {
  return {
    prebuildId: d.inputs['prebuild-id']!,
    configuration: d.inputs.configuration!,
    sha: d.inputs.sha!,
    snapshotKey: snapshotKey(d.inputs.configuration!, d.inputs.sha!, d.inputs['prebuild-id']!),
    snapshotBytes: bytes,
    durationMs: 4200,
    hooks: { onCreateCommand: 3000 },
    base: null,
    identity: '',
  };
}

const said: string[] = [];
const deps = (token: () => Promise<string>): ReportDeps => ({ getIDToken: token, fetch, info: (m) => said.push(m), warning: (m) => said.push(m) });
const ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://runner.invalid/token' };

/** The GET …/actions/runs/{run_id}/jobs requests the app made so far. */
const jobsReads = () => app.gh.standIn.exchanges.filter((x) => x.method === 'GET' && /\/actions\/runs\/\d+\/jobs$/.test(x.path)).length;

/** Posts a result report with `token` (none: no Authorization) and returns the status and body. */
async function post(id: string | number, token: string | null, body: unknown): Promise<{ status: number; json: { error?: string } & Record<string, any> }> {
  const res = await fetch(`${app.server.url}${resultReportPath(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

describe('results reported by the prebuild run', () => {
  it('a verified report of the dispatched run lets its successful completion skip the jobs request', async () => {
    await app.pushCommit(1, base);
    const d = app.gh.dispatches[0]!;
    const sent = await reportResult(
      app.server.url,
      DEFAULT_RESTORE_AUDIENCE,
      resultOf(d, 777),
      ENV,
      deps(() => issuer.mint(runClaims(d), DEFAULT_RESTORE_AUDIENCE)),
    );
    expect(sent).toBe(true);
    expect((await app.server.store.getPrebuild(1))?.runReport).toMatchObject({ runId: d.runId, runAttempt: 1 });
    await app.succeed(0, 2048); // the run's annotation and result step say 2048: the report is what was read
    expect(jobsReads()).toBe(0);
    expect(await app.server.store.getPrebuild(1)).toMatchObject({
      state: 'success',
      snapshotBytes: 777,
      hooks: { onCreateCommand: 3000 },
      reportedState: 'success',
    });
    expect(app.gh.checkRunsFor(sha(1)).at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
    // The prebuild ended: a late report is refused.
    expect((await post(1, await issuer.mint(runClaims(d), DEFAULT_RESTORE_AUDIENCE), resultOf(d, 1))).status).toBe(409);
  });

  it('refuses reports whose token is not of the dispatched run (401/403), and the completion reads the jobs', async () => {
    await app.pushCommit(1, base);
    const d = app.gh.dispatches[0]!;
    const body = resultOf(d, 777);
    const mint = (over: Partial<JobClaims> = {}, audience = DEFAULT_RESTORE_AUDIENCE, lifetimeS = 300) => issuer.mint(runClaims(d, over), audience, lifetimeS);
    const other = await LocalActionsIssuer.start();
    try {
      const refused = [
        ['no token', await post(1, null, body)],
        [
          'another repository',
          await post(1, await mint({ repository: 'other/lib', workflow_ref: 'other/lib/.github/workflows/prebuild.yml@refs/heads/main' }), body),
        ],
        ['another run', await post(1, await mint({ run_id: String(d.runId + 1000) }), body)],
        ['another workflow', await post(1, await mint({ workflow_ref: 'octo/app/.github/workflows/ci.yml@refs/heads/main' }), body)],
        ['a push run', await post(1, await mint({ event_name: 'push' }), body)],
        [
          'a dispatch on another branch',
          await post(1, await mint({ ref: 'refs/heads/evil', workflow_ref: 'octo/app/.github/workflows/prebuild.yml@refs/heads/evil' }), body),
        ],
        ['expired', await post(1, await mint({}, DEFAULT_RESTORE_AUDIENCE, -60), body)],
        ['another audience', await post(1, await mint({}, 'https://github.com/octo'), body)],
        ['signed by another issuer', await post(1, await other.mint(runClaims(d), DEFAULT_RESTORE_AUDIENCE), body)],
      ].map(([what, r]) => [what, (r as { status: number }).status]);
      expect(refused).toEqual([
        ['no token', 401],
        ['another repository', 404],
        ['another run', 403],
        ['another workflow', 403],
        ['a push run', 403],
        ['a dispatch on another branch', 403],
        ['expired', 401],
        ['another audience', 401],
        ['signed by another issuer', 401],
      ]);
    } finally {
      await other.stop();
    }
    const token = await mint();
    expect((await post(99, token, body)).status).toBe(404);
    expect(await post(1, token, { ...body, sha: sha(2) })).toMatchObject({ status: 400, json: { field: 'sha' } });
    expect(await post(1, token, { hello: 'world' })).toMatchObject({ status: 400, json: { field: 'body' } });
    // Another prebuild's snapshot (deleting or building on it is what the app would then do), another configuration's caches part.
    expect(await post(1, token, { ...body, snapshotKey: snapshotKey('devcontainer', sha(1), '2') })).toMatchObject({
      status: 400,
      json: { field: 'snapshotKey' },
    });
    expect(await post(1, token, { ...body, cachesKey: `prebuilds-v1-caches/other/${'a'.repeat(64)}` })).toMatchObject({
      status: 400,
      json: { field: 'cachesKey' },
    });
    expect((await app.server.store.getPrebuild(1))?.runReport).toBeNull();
    await app.succeed(0, 2048);
    expect(jobsReads()).toBe(1);
    expect(await app.server.store.getPrebuild(1)).toMatchObject({ state: 'success', snapshotBytes: 2048 });
  });

  it('a report never overrides the conclusion: a failed run that reported success fails, with the reason its jobs give', async () => {
    await app.pushCommit(1, base);
    const d = app.gh.dispatches[0]!;
    const first = await post(1, await issuer.mint(runClaims(d), DEFAULT_RESTORE_AUDIENCE), resultOf(d, 777));
    expect(first).toMatchObject({ status: 201, json: { result: { prebuildId: 1, runId: d.runId, runAttempt: 1 } } });
    await app.fail(0, [{ level: 'failure', message: 'saving the snapshot failed: disk full' }]);
    expect(jobsReads()).toBe(1);
    expect(await app.server.store.getPrebuild(1)).toMatchObject({ state: 'failure', reason: 'saving the snapshot failed: disk full' });
    expect(app.gh.checkRunsFor(sha(1)).at(-1)).toMatchObject({ conclusion: 'failure' });
  });

  it('accepts a run reporting before the app recorded its dispatch (run id not known yet); refuses one for a prebuild never dispatched', async () => {
    const p = await app.server.store.createPrebuild(newPrebuild({ ...REPO, installationId: INSTALLATION_ID, identity: 'identity-1', sha: sha(1) }));
    const d = { runId: 5555, inputs: { 'prebuild-id': String(p.id), configuration: 'devcontainer', sha: sha(1) } };
    const token = () => issuer.mint(runClaims(d), DEFAULT_RESTORE_AUDIENCE);
    expect(await post(p.id, await token(), resultOf(d, 777))).toMatchObject({ status: 403, json: { error: expect.stringMatching(/never dispatched/) } });
    await app.server.store.updatePrebuild(p.id, { dispatchedAt: Date.now() }); // dispatching: still `waiting`, no run id yet
    expect((await post(p.id, await token(), resultOf(d, 777))).status).toBe(201);
    expect((await app.server.store.getPrebuild(p.id))?.runReport).toMatchObject({ runId: 5555, runAttempt: 1 });
  });

  it('the same token sent twice is kept once (201, then 200); another method is 405', async () => {
    await app.pushCommit(1, base);
    const d = app.gh.dispatches[0]!;
    const token = await issuer.mint(runClaims(d), DEFAULT_RESTORE_AUDIENCE);
    expect((await post(1, token, resultOf(d, 777))).status).toBe(201);
    expect((await post(1, token, resultOf(d, 777))).status).toBe(200);
    const get = await fetch(`${app.server.url}${resultReportPath(1)}`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });
});

describe('reportedResult', () => {
  const report = {
    runId: 7,
    runAttempt: 2,
    reportId: 'jti',
    result: JSON.stringify(resultOf({ inputs: { 'prebuild-id': '1', configuration: 'c', sha: sha(1) } }, 5)),
    reportedAt: 0,
  };
  it('stands in for the jobs listing only for the same run and attempt, concluded success', () => {
    expect(reportedResult({ runReport: report }, { id: 7, run_attempt: 2, conclusion: 'success' })).toMatchObject({ snapshotBytes: 5 });
    expect(reportedResult({ runReport: report }, { id: 7, run_attempt: 3, conclusion: 'success' })).toBeNull(); // a re-run
    expect(reportedResult({ runReport: report }, { id: 7, conclusion: 'success' })).toBeNull(); // attempt unknown: the first
    expect(reportedResult({ runReport: report }, { id: 8, run_attempt: 2, conclusion: 'success' })).toBeNull();
    expect(reportedResult({ runReport: report }, { id: 7, run_attempt: 2, conclusion: 'failure' })).toBeNull();
    expect(reportedResult({ runReport: null }, { id: 7, run_attempt: 2, conclusion: 'success' })).toBeNull();
  });
});
