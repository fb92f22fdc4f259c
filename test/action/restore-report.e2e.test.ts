/**
 * Restore mode reports its restore to a running app: the BUNDLED action as a child
 * process with a runner's OIDC variables (from the local issuer, over HTTP), the app
 * verifying the token and recording the time saved against the configuration's cold time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalActionsIssuer } from '../../demo/github/oidc-issuer.js';
import { startTestApp } from '../helpers/app.js';
import { REPO } from '../helpers/ids.js';
import { jobClaims, startRestoreReports } from '../helpers/restore-reports.js';
import { git, runBundle } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
let issuer: LocalActionsIssuer;
let app: Awaited<ReturnType<typeof startTestApp>>;
let origin: string;
let store: string;
let sha: string;

beforeAll(async () => {
  origin = await tempDir('origin-');
  store = await tempDir('store-');
  dirs.push(origin, store);
  git(origin, 'init', '-q', '-b', 'main');
  await mkdir(path.join(origin, '.devcontainer'));
  await writeFile(
    path.join(origin, '.devcontainer/devcontainer.json'),
    JSON.stringify({ image: 'mcr.microsoft.com/devcontainers/base:ubuntu', onCreateCommand: 'echo created > created.txt' }),
  );
  await writeFile(path.join(origin, '.gitignore'), '.prebuilds/\ncreated.txt\n');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'first');
  sha = git(origin, 'rev-parse', 'HEAD');
  const pb = await tempDir('prebuild-');
  dirs.push(pb);
  git(pb, 'clone', '-q', origin, '.');
  const built = await runBundle(pb, { store: `dir:${store}`, 'prebuild-id': '1' }, dirs);
  expect(built.status).toBe(0);

  // The app's record of the configuration's full prebuild: its hooks took 90 s.
  ({ issuer, app } = await startRestoreReports({ sha, ended: { durationMs: 120_000, hooks: { onCreateCommand: 90_000 } } }));
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await issuer?.stop();
  await cleanup(dirs);
});

const job = jobClaims({ run_id: '7001' });

async function checkout(): Promise<string> {
  const ws = await tempDir('checkout-');
  dirs.push(ws);
  git(ws, 'clone', '-q', origin, '.');
  return ws;
}

describe('the bundled action reports restores', () => {
  it('with app-url and id-token write: the app records the exact hit and the time it saved', async () => {
    const run = await runBundle(await checkout(), { mode: 'restore', store: `dir:${store}`, 'app-url': app.server.url }, dirs, {
      GITHUB_REPOSITORY: 'octo/app',
      ...issuer.jobEnvironment({ ...job, sha }),
    });
    expect(run.stdout).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ 'prebuild-hit': 'exact', 'restore-reported': 'true' });
    expect(run.stdout).toContain('Restore reported to the app (exact)');
    const [restore] = await app.server.store.listRestores(REPO, 0);
    const restoreMs = Number(run.outputs['restore-ms']);
    expect(restore).toMatchObject({ configuration: 'devcontainer', sha, hit: 'exact', prebuildSha: sha, coldMs: 90_000, runId: '7001', repositoryId: '4242' });
    // An exact hit runs no prebuild hook: the job spent only the restore.
    expect(restore!.spentMs).toBe(restoreMs);
    expect(restore!.savedMs).toBe(90_000 - restoreMs);
  });

  it('without id-token write: restores the same and says it did not report', async () => {
    const run = await runBundle(await checkout(), { mode: 'restore', store: `dir:${store}`, 'app-url': app.server.url }, dirs, {
      GITHUB_REPOSITORY: 'octo/app',
    });
    expect(run.status).toBe(0);
    expect(run.outputs).toMatchObject({ 'prebuild-hit': 'exact', 'restore-reported': 'false' });
    expect(run.stdout).toMatch(/::warning::This restore was not reported to the app: the job has no OIDC token \(add permissions: id-token: write/);
  });
});
