import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { MemoryRepoContent } from '../../demo/github/index.js';
import { freePort } from '../../src/server.js';
import { openStore } from '../../src/store/index.js';
import { PREBUILD_WORKFLOW, startGitHub, testAppKeys, type TestGitHub } from '../helpers/github.js';
import { WEBHOOK_SECRET } from '../helpers/ids.js';
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
  const keys = testAppKeys();
  let pg: TestPostgres;
  let github: TestGitHub;
  let tmp: ReturnType<typeof tempDir>;
  const children: ChildProcess[] = [];
  const repos = new Map<string, MemoryRepoContent>();
  /** Commits `sha` on main of octo/`repo` (in memory) with a devcontainer.json, the prebuild workflow and `changed`. */
  const commit = (repo: string, sha: string, changed: string) =>
    repos.get(repo)!.commit({
      sha,
      files: {
        '.devcontainer/devcontainer.json': '{ "image": "mcr.microsoft.com/devcontainers/base:debian" }',
        '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW,
        [changed]: sha,
      },
    });
  /** Pushes main of octo/`repo` to one replica, as GitHub would; returns the app's answer. */
  const pushTo = async (url: string, repo: string) => {
    github.standIn.setWebhookUrl(url);
    return (await github.standIn.push(repo, { branch: 'main' })).status;
  };
  /** `repo@sha` of every run the replicas dispatched. */
  const dispatched = () => github.standIn.dispatched().map((r) => `${github.standIn.state.repoById(r.repoId).name}@${r.inputs.sha}`);

  beforeAll(async () => {
    pg = await startPostgres();
    tmp = tempDir();
    github = await startGitHub();
    for (const name of ['one', 'two']) repos.set(name, github.standIn.createMemoryRepo(name).content);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await github?.stop();
    pg?.destroy();
    tmp?.cleanup();
    expect(github?.problems()).toEqual([]);
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
        WEBHOOK_SECRET,
        GHE_HOST: github.standIn.serverUrl.replace(/^http:\/\//, ''),
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
      if (
        await fetch(`http://127.0.0.1:${port}/ping`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return { child, url: `http://127.0.0.1:${port}/api/github/webhooks`, output: () => output };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the app did not start: ${output}`);
  };

  it('shares one database between replicas, and hands over on SIGTERM', async () => {
    const url = await pg.createDatabase();
    const [a, b] = [await startReplica(url), await startReplica(url)];
    const shas = ['1'.repeat(40), '2'.repeat(40)];
    commit('one', shas[0]!, 'src/a.ts');
    commit('two', shas[1]!, 'src/a.ts');
    expect(await pushTo(a.url, 'one')).toBe(200);
    expect(await pushTo(b.url, 'two')).toBe(200);
    for (let i = 0; i < 200 && dispatched().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(dispatched().sort()).toEqual([`one@${shas[0]}`, `two@${shas[1]}`]);

    const exited = new Promise<number | null>((resolve) => a.child.once('exit', (code) => resolve(code)));
    a.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const store = await openStore(url);
    try {
      // a has exited: its delivery is as it left it. b may still be finishing its own (the check run's update after the dispatch).
      for (let i = 0; i < 100 && (await store.pendingDeliveries(10)).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
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
    commit('one', '3'.repeat(40), 'src/b.ts');
    expect(await pushTo(b.url, 'one')).toBe(200);
    expect(b.child.exitCode).toBeNull();
  }, 120_000);
});
