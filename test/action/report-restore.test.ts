/**
 * Restore mode's report: @actions/core's getIDToken against a local OIDC issuer (the
 * runner's ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN), posted to a running app over HTTP.
 */
import * as core from '@actions/core';
import { reportRestore, type ReportDeps } from '../../action/src/report-restore.js';
import { LocalActionsIssuer } from '../../demo/github/oidc-issuer.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../../src/api/restore-report.js';
import { startTestApp } from '../helpers/app.js';
import { REPO, SHA_B } from '../helpers/ids.js';
import { jobClaims, startRestoreReports } from '../helpers/restore-reports.js';

let issuer: LocalActionsIssuer;
let app: Awaited<ReturnType<typeof startTestApp>>;
const said: string[] = [];
const deps: ReportDeps = { getIDToken: (a) => core.getIDToken(a), fetch, info: (m) => said.push(`info: ${m}`), warning: (m) => said.push(`warning: ${m}`) };
const job = jobClaims({ run_id: '6001', run_attempt: '2' });
const saved = { ...process.env };

beforeAll(async () => {
  ({ issuer, app } = await startRestoreReports({ ended: { durationMs: 200_000, hooks: { onCreateCommand: 150_000 } } }));
});
afterEach(() => {
  process.env = { ...saved };
  said.length = 0;
});
afterAll(async () => {
  await app.stop();
  await issuer.stop();
});

describe('reportRestore', () => {
  it('reports a hit with the job token; the app records the time saved', async () => {
    Object.assign(process.env, issuer.jobEnvironment(job));
    const ok = await reportRestore(
      app.server.url,
      DEFAULT_RESTORE_AUDIENCE,
      'devcontainer',
      SHA_B,
      { hit: 'exact', prebuildSha: SHA_B, restoreMs: 3_000, prebuildHooksMs: 0 },
      process.env,
      deps,
    );
    expect([ok, said]).toEqual([true, ['info: Restore reported to the app (exact)']]);
    const [r] = await app.server.store.listRestores(REPO, 0);
    expect(r).toMatchObject({ hit: 'exact', spentMs: 3_000, coldMs: 150_000, savedMs: 147_000, runId: '6001', runAttempt: 2 });
  });

  it('says it did not report without app-url, without id-token write, or when the app refuses', async () => {
    const facts = { hit: 'none' as const, prebuildSha: null, restoreMs: 500, prebuildHooksMs: 150_000 };
    expect(await reportRestore('', DEFAULT_RESTORE_AUDIENCE, 'devcontainer', SHA_B, facts, process.env, deps)).toBe(false);
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    expect(await reportRestore(app.server.url, DEFAULT_RESTORE_AUDIENCE, 'devcontainer', SHA_B, facts, process.env, deps)).toBe(false);
    Object.assign(process.env, issuer.jobEnvironment(job));
    expect(await reportRestore(app.server.url, 'another-audience', 'devcontainer', SHA_B, facts, process.env, deps)).toBe(false);
    expect(said).toEqual([
      expect.stringMatching(/^info: This restore was not reported to the app: set the app-url input/),
      expect.stringMatching(/^warning: .*add permissions: id-token: write/),
      expect.stringMatching(/^warning: This restore was not reported to the app: HTTP 401 .*audience/),
    ]);
  });
});
