/**
 * Prebuild mode reports its result to a running app: the BUNDLED action as a child
 * process with a runner's OIDC variables (the local issuer, over HTTP), the app keeping
 * the result for the prebuild it dispatched; and with the app unreachable, the prebuild
 * succeeds all the same (the app would read the result from the run).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalActionsIssuer } from '../../demo/github/oidc-issuer.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../../src/api/restore-report.js';
import { freePort } from '../../src/server.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { INSTALLATION_ID, REPO } from '../helpers/ids.js';
import { newPrebuild } from '../helpers/store-backends.js';
import { jobClaims } from '../helpers/restore-reports.js';
import { git, runBundle } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
let issuer: LocalActionsIssuer;
let app: TestApp;
let origin: string;
let sha: string;

beforeAll(async () => {
  origin = await tempDir('origin-');
  dirs.push(origin);
  git(origin, 'init', '-q', '-b', 'main');
  await mkdir(path.join(origin, '.devcontainer'));
  await writeFile(path.join(origin, '.devcontainer/devcontainer.json'), JSON.stringify({ image: 'x', onCreateCommand: 'echo created > created.txt' }));
  await writeFile(path.join(origin, '.gitignore'), '.prebuilds/\ncreated.txt\n');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'first');
  sha = git(origin, 'rev-parse', 'HEAD');
  issuer = await LocalActionsIssuer.start();
  app = await startTestApp({ restoreReports: { issuer: issuer.url, audience: DEFAULT_RESTORE_AUDIENCE } });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await issuer?.stop();
  await cleanup(dirs);
});

/** A prebuild of `sha` the app dispatched as workflow run `runId`. */
async function dispatched(runId: number): Promise<number> {
  const p = await app.server.store.createPrebuild(
    newPrebuild({ ...REPO, installationId: INSTALLATION_ID, identity: 'identity-1', sha, deliveryId: `d-${runId}` }),
  );
  await app.server.store.updatePrebuild(p.id, { state: 'running', dispatchedAt: Date.now(), workflowRunId: runId });
  return p.id;
}

async function checkout(): Promise<string> {
  const ws = await tempDir('checkout-');
  dirs.push(ws);
  git(ws, 'clone', '-q', origin, '.');
  return ws;
}

const claims = (runId: number) =>
  jobClaims({
    sha,
    run_id: String(runId),
    workflow: 'Prebuild',
    workflow_ref: 'octo/app/.github/workflows/prebuild.yml@refs/heads/main',
    event_name: 'workflow_dispatch',
  });

describe('the bundled action reports its prebuild result', () => {
  it('with app-url and id-token write: the app keeps the result for the run it dispatched', async () => {
    const id = await dispatched(8001);
    const store = await tempDir('store-');
    dirs.push(store);
    const run = await runBundle(await checkout(), { store: `dir:${store}`, sha, 'prebuild-id': String(id), 'app-url': app.server.url }, dirs, {
      GITHUB_REPOSITORY: 'octo/app',
      ...issuer.jobEnvironment(claims(8001)),
    });
    expect(run.stdout).not.toContain('::error::');
    expect([run.status, run.result?.prebuildId]).toEqual([0, String(id)]);
    expect(run.stdout).toContain(`Result reported to the app (prebuild #${id})`);
    const p = await app.server.store.getPrebuild(id);
    expect(p?.runReport).toMatchObject({ runId: 8001, runAttempt: 1 });
    expect(JSON.parse(p!.runReport!.result)).toMatchObject({ snapshotKey: run.result!.snapshotKey, snapshotBytes: run.result!.snapshotBytes });
  }, 60_000);

  it('with the app unreachable: the prebuild succeeds, says it did not report, and the app keeps nothing', async () => {
    const id = await dispatched(8002);
    const store = await tempDir('store-');
    dirs.push(store);
    const closed = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
    const run = await runBundle(await checkout(), { store: `dir:${store}`, sha, 'prebuild-id': String(id), 'app-url': closed }, dirs, {
      GITHUB_REPOSITORY: 'octo/app',
      ...issuer.jobEnvironment(claims(8002)),
    });
    expect([run.status, run.outputs['snapshot-key']]).toEqual([0, run.result?.snapshotKey]);
    expect(run.stdout).toMatch(/::warning::The result was not reported to the app \(it reads it from the run instead\): fetch failed/);
    expect((await app.server.store.getPrebuild(id))?.runReport).toBeNull();
  }, 60_000);
});
