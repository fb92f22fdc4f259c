/** `POST /api/restores`: restore reports authenticated with GitHub Actions OIDC tokens from a local issuer over real HTTP. */
import { LocalActionsIssuer, type JobClaims } from '../../demo/github/oidc-issuer.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../../src/api/restore-report.js';
import { REPO, SHA_A, SHA_B, settings, succeeded } from './harness.js';
import { startTestApp } from '../helpers/app.js';
import { jobClaims, startRestoreReports } from '../helpers/restore-reports.js';
import { issueToken } from '../../src/api/auth.js';

let issuer: LocalActionsIssuer;
let app: Awaited<ReturnType<typeof startTestApp>>;

const job = (repository = 'octo/app', over: Partial<JobClaims> = {}): JobClaims =>
  jobClaims({ repository, run_number: '3', event_name: 'pull_request', ...over });
const report = { configuration: 'devcontainer', sha: SHA_B, hit: 'ancestor', prebuildSha: SHA_A, restoreMs: 4_000, spentMs: 20_000 };

async function post(token: string | null, body: unknown = report, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(`${app.server.url}/api/restores`, {
    method: 'POST',
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  // A full prebuild (no base) whose hooks took 5 minutes: the configuration's cold time.
  ({ issuer, app } = await startRestoreReports({
    settings: settings(),
    ended: succeeded({ hooks: { onCreateCommand: 240_000, updateContentCommand: 60_000 }, durationMs: 330_000 }),
  }));
});
afterAll(async () => {
  await app.stop();
  await issuer.stop();
});

describe('POST /api/restores', () => {
  it('records a hit with the time saved against the configuration cold time, once per token', async () => {
    const token = await issuer.mint(job(), DEFAULT_RESTORE_AUDIENCE);
    const first = await post(token);
    expect(first.status).toBe(201);
    expect(first.json.restore).toMatchObject({
      ...REPO,
      installationId: 1,
      repositoryId: '4242',
      hit: 'ancestor',
      coldMs: 300_000,
      spentMs: 20_000,
      savedMs: 280_000,
      runId: '5001',
      runAttempt: 1,
    });
    const again = await post(token);
    expect([again.status, again.json.restore.id]).toEqual([200, first.json.restore.id]);
    const miss = await post(await issuer.mint(job(), DEFAULT_RESTORE_AUDIENCE), { ...report, hit: 'none', prebuildSha: null, spentMs: 310_000 });
    expect(miss.json.restore).toMatchObject({ hit: 'miss', savedMs: 0, prebuildSha: null });
    expect((await app.server.store.listRestores(REPO, 0)).map((r) => r.hit)).toEqual(['ancestor', 'miss']);
  });

  it('refuses tokens that are missing, expired, for another audience, or not signed by the issuer (401)', async () => {
    expect((await post(null)).status).toBe(401);
    expect((await post(await issuer.mint(job(), DEFAULT_RESTORE_AUDIENCE, -60))).json.error).toMatch(/ERR_JWT_EXPIRED/);
    expect((await post(await issuer.mint(job(), 'https://github.com/octo'))).json.error).toMatch(/ERR_JWT_CLAIM_VALIDATION_FAILED/);
    const other = await LocalActionsIssuer.start();
    try {
      expect((await post(await other.mint(job(), DEFAULT_RESTORE_AUDIENCE))).status).toBe(401);
    } finally {
      await other.stop();
    }
    const apiToken = (await issueToken(app.server.store, 'admin', ['*'])).token;
    expect((await post(apiToken)).status).toBe(401);
    const noRepository = await issuer.mint({ ...job(), repository: '' }, DEFAULT_RESTORE_AUDIENCE);
    expect((await post(noRepository)).json.error).toMatch(/no repository/);
  });

  it('refuses repositories outside the app installations (404), bad bodies (400/413/415) and other methods (405)', async () => {
    const outside = await post(await issuer.mint(job('stranger/repo'), DEFAULT_RESTORE_AUDIENCE));
    expect([outside.status, outside.json.error]).toEqual([404, expect.stringMatching(/stranger\/repo is not in one of the app's installations/)]);
    const token = () => issuer.mint(job(), DEFAULT_RESTORE_AUDIENCE);
    expect((await post(await token(), { ...report, hit: 'maybe' })).json.field).toBe('hit');
    expect((await post(await token(), { ...report, spentMs: -1 })).json.field).toBe('spentMs');
    expect((await post(await token(), { ...report, extra: 1 })).status).toBe(400);
    expect((await post(await token(), { ...report, prebuildSha: null })).json.field).toBe('prebuildSha');
    expect((await post(await token(), 'x'.repeat(10_000))).status).toBe(413);
    expect((await post(await token(), report, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await fetch(`${app.server.url}/api/restores`)).status).toBe(405);
  });
});
