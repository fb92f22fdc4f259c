import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { freePort } from '../../src/server.js';
import { openStore } from '../../src/store/index.js';
import type { PrebuildRecord } from '../../src/store/types.js';
import { git } from '../helpers/git.js';
import { appKeyPair } from '../helpers/github.js';
import { REPO_ROOT, tempDir } from '../helpers/tmp.js';

/**
 * SPEC.md rule 9 with a real process: the app (`node lib/src/main.js`, as
 * `npm start` runs it) is killed with SIGKILL while one prebuild runs and another
 * waits; the `workflow_run` of the running one arrives while it is down. Started
 * again on the same SQLite file, it must still track the running prebuild (the
 * reconciler finds the missed completion), then run the waiting one.
 */
describe('restart after SIGKILL (rule 9)', () => {
  const keys = appKeyPair();
  const secret = 'restart-secret';
  let tmp: ReturnType<typeof tempDir>;
  let gh: StandIn;
  let app: ChildProcess | null = null;
  let port: number;
  let databasePath: string;

  const startApp = async () => {
    // `npm start`: lib/src/main.js (Probot's run with the app's logger).
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'lib/src/main.js')], {
      cwd: tmp.dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        APP_ID: '1',
        PRIVATE_KEY: keys.privateKey,
        WEBHOOK_SECRET: secret,
        GHE_HOST: gh.apiUrl.replace(/^http:\/\//, '').replace(/\/api\/v3$/, ''),
        GHE_PROTOCOL: 'http',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: databasePath,
        LOG_LEVEL: 'warn',
        RECONCILE_INTERVAL_MS: '300',
        RECONCILE_GRACE_MS: '0',
        NO_SMEE_SETUP: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/ping`)).ok) return child;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the app did not start: ${output}`);
  };
  const prebuilds = async (): Promise<PrebuildRecord[]> => {
    const store = await openStore(databasePath);
    try {
      return (await store.listPrebuilds({})).reverse();
    } finally {
      await store.close();
    }
  };
  const waitFor = async (what: string, done: (p: PrebuildRecord[]) => boolean, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const list = await prebuilds();
      if (done(list)) return list;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(list.map((p) => [p.id, p.state]))}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    tmp = tempDir();
    databasePath = path.join(tmp.dir, 'data', 'prebuilds.sqlite');
    port = await freePort('127.0.0.1');
    gh = await startStandIn({ appId: 1, publicKey: keys.publicKey, webhookSecret: secret, webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks` });
  });
  afterAll(async () => {
    app?.kill('SIGKILL');
    await gh.stop();
    tmp.cleanup();
  });

  it('keeps the running prebuild tracked and runs the waiting one', async () => {
    const repo = await gh.createRepo('restart', { variables: { PREBUILDS_STORE: `dir:${path.join(tmp.dir, 'snapshots')}` } });
    const work = path.join(tmp.dir, 'work');
    fs.mkdirSync(path.join(work, '.devcontainer'), { recursive: true });
    fs.mkdirSync(path.join(work, '.github/workflows'), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, '.github/workflows/prebuild.yml'), path.join(work, '.github/workflows/prebuild.yml'));
    // The prebuild takes ~3 s, long enough to kill the app while it runs.
    fs.writeFileSync(path.join(work, '.devcontainer/devcontainer.json'), '{ "onCreateCommand": "sleep 3 && echo created > created.txt" }');
    git(tmp.dir, 'init', '-q', '-b', 'main', work);
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'initial');
    git(work, 'remote', 'add', 'origin', repo.remote);
    git(work, 'push', '-q', 'origin', 'main');
    await gh.recordHead('restart', 'main');

    app = await startApp();
    const shas: string[] = [];
    for (let i = 1; i <= 3; i++) {
      fs.writeFileSync(path.join(work, 'file.txt'), String(i));
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', `change ${i}`);
      git(work, 'push', '-q', 'origin', 'main');
      shas.push(git(work, 'rev-parse', 'HEAD'));
      const delivery = await gh.push('restart', { branch: 'main' });
      expect(delivery.status).toBe(200);
    }
    await waitFor(
      'one running and one waiting',
      (list) => list.length === 3 && list[2]!.state === 'waiting' && ['dispatched', 'running'].includes(list[0]!.state),
    );

    app.kill('SIGKILL');
    await new Promise((r) => app!.once('exit', r));
    await gh.idle(); // the first run completes while the app is down; its webhook fails
    expect(gh.deliveries.some((d) => d.event === 'workflow_run' && d.status === null)).toBe(true);

    app = await startApp();
    const list = await waitFor('every push prebuilt', (l) => l.length === 3 && l.every((p) => ['success', 'superseded', 'failure'].includes(p.state)));
    expect(list.map((p) => [p.sha, p.state])).toEqual([
      [shas[0], 'success'],
      [shas[1], 'superseded'],
      [shas[2], 'success'],
    ]);
    expect(list[2]!.baseSha).toBe(shas[0]);
    await gh.idle();
    await waitFor('the last check run to complete', () => gh.checkRuns('restart', { app: true }).every((c) => c.conclusion !== null));
    const conclusions = gh.checkRuns('restart', { app: true }).map((c) => [c.headSha, c.conclusion]);
    expect(conclusions).toEqual(
      expect.arrayContaining([
        [shas[0], 'success'],
        [shas[1], 'neutral'],
        [shas[2], 'success'],
      ]),
    );
  }, 120_000);
});
