import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { FakeGitHub, type Dispatch } from '../../bench/fake-github.js';
import { pushPayload } from '../../bench/harness.js';
import { freePort } from '../../src/server.js';
import { openStore } from '../../src/store/index.js';
import { appKeyPair, deliver } from '../helpers/keys.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { REPO_ROOT, tempDir } from '../helpers/tmp.js';

/**
 * `npm start` (lib/src/main.js) with `DATABASE_URL`: two replicas of the real app on one
 * PostgreSQL, a push webhook to each; then a rolling deploy's SIGTERM: the replica
 * finishes, releases its claims and leadership, and exits 0.
 */
const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping npm start on PostgreSQL: ${unavailable}`);

(unavailable ? describe.skip : describe)('npm start with DATABASE_URL (several replicas)', () => {
  const keys = appKeyPair();
  const secret = 'replica-start-secret';
  let pg: TestPostgres;
  let github: FakeGitHub;
  let tmp: ReturnType<typeof tempDir>;
  const dispatches: Dispatch[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    tmp = tempDir();
    github = new FakeGitHub(() => '{ "image": "mcr.microsoft.com/devcontainers/base:debian" }', (d) => dispatches.push(d), () => undefined);
    await github.start();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await github?.stop();
    pg?.destroy();
    tmp?.cleanup();
  });

  const startReplica = async (databaseUrl: string) => {
    const port = await freePort('127.0.0.1');
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'lib/src/main.js')], {
      cwd: tmp.dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        APP_ID: '1',
        PRIVATE_KEY: keys.privateKey,
        WEBHOOK_SECRET: secret,
        GHE_HOST: github.url.replace(/^http:\/\//, ''),
        GHE_PROTOCOL: 'http',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '4',
        DELIVERY_LEASE_MS: '2000',
        LOG_LEVEL: 'warn',
        NO_SMEE_SETUP: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 150; i++) {
      if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
      if (await fetch(`http://127.0.0.1:${port}/ping`).then((r) => r.ok, () => false)) return { child, url: `http://127.0.0.1:${port}/api/github/webhooks`, output: () => output };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the app did not start: ${output}`);
  };

  it('shares one database between replicas, and hands over on SIGTERM', async () => {
    const url = await pg.createDatabase();
    const [a, b] = [await startReplica(url), await startReplica(url)];
    const shas = ['1'.repeat(40), '2'.repeat(40)];
    expect((await deliver(a.url, secret, 'push', pushPayload('octo', 'one', '0'.repeat(40), shas[0]!, ['src/a.ts']))).status).toBe(200);
    expect((await deliver(b.url, secret, 'push', pushPayload('octo', 'two', '0'.repeat(40), shas[1]!, ['src/a.ts']))).status).toBe(200);
    for (let i = 0; i < 200 && dispatches.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(dispatches.map((d) => `${d.repo}@${d.sha}`).sort()).toEqual([`one@${shas[0]}`, `two@${shas[1]}`]);

    const exited = new Promise<number | null>((resolve) => a.child.once('exit', (code) => resolve(code)));
    a.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const store = await openStore(url);
    try {
      expect(await store.pendingDeliveries(10)).toEqual([]);
      for (const repo of ['one', 'two']) {
        const [d] = await store.listDeliveries({ repository: `octo/${repo}` });
        expect(d).toMatchObject({ state: 'processed', claimedBy: null });
      }
      expect((await store.listPrebuilds({})).map((p) => p.state).sort()).toEqual(['dispatched', 'dispatched']);
    } finally {
      await store.close();
    }
    // The survivor still takes webhooks.
    expect((await deliver(b.url, secret, 'push', pushPayload('octo', 'one', shas[0]!, '3'.repeat(40), ['src/b.ts']))).status).toBe(200);
    expect(b.child.exitCode).toBeNull();
  }, 120_000);
});
