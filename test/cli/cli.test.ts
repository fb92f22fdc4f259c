import { execFile, execFileSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { FILES, githubRepository, REPO, SHA_A, SHA_B, startHarness, succeeded, type Harness } from '../api/harness.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const CLI = path.join(REPO_ROOT, 'lib/src/cli/main.js');

/** Runs the built CLI as a child process. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: '/' }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `main(argv)` in this process with captured output. */
async function inProcess(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env,
    readFile: async () => '',
    setExitCode: () => undefined,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('prebuilds CLI against a running app', () => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    h = await startHarness();
    githubRepository(h.github, FILES, { main: SHA_A, feature: SHA_B });
    env = { PREBUILDS_URL: h.server.url, PREBUILDS_TOKEN: h.scoped, PREBUILDS_REPO: 'octo/app' };
    await h.seed({}, succeeded());
  }, 180_000);
  afterAll(() => h.stop());

  describe('as a child process', () => {
    it('--help documents the commands, the environment and the exit codes (exit 0)', async () => {
      const r = await run(['--help'], {});
      expect(r.code).toBe(0);
      for (const word of [
        'list',
        'info',
        'update',
        'delete',
        'cancel',
        'why',
        'logs',
        'rerun',
        'trigger',
        'pause',
        'resume',
        'report',
        'token',
        'Exit codes:',
        '3  authentication',
        '4  not found',
        'PREBUILDS_TOKEN',
      ]) {
        expect(r.stdout).toContain(word);
      }
    });

    it.each(['list', 'info', 'update', 'delete', 'cancel', 'why', 'logs', 'rerun', 'trigger', 'pause', 'resume', 'report', 'token'])(
      '%s --help has an example',
      async (cmd) => {
        const r = await run([cmd, '--help'], {});
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/Examples?:\n\s+\$ prebuilds /);
      },
    );

    it('list prints a table of configurations; --json prints what the API answered', async () => {
      const table = await run(['list'], env);
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout.split('\n')[0]).toMatch(/^CONFIGURATION\s+STATE\s+LAST PREBUILD/);
      expect(table.stdout).toMatch(/devcontainer\s+active\s+#\d+ success\s+main\s+aaaaaaa/);
      const json = await run(['list', '--json'], env);
      expect(JSON.parse(json.stdout)[0]).toMatchObject({ name: 'devcontainer', lastPrebuild: { status: 'success' } });
    });

    it('exit 3 without a token or with a wrong one; 4 out of scope (the API answers 404) and for a missing prebuild; 2 for bad usage; 1 unreachable', async () => {
      expect((await run(['list'], { ...env, PREBUILDS_TOKEN: '' })).code).toBe(3);
      const wrong = await run(['list'], { ...env, PREBUILDS_TOKEN: 'pbt_nope' });
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toMatch(/invalid or revoked token \(HTTP 401\)/);
      expect(wrong.stderr).not.toContain('pbt_nope');
      expect((await run(['list'], { ...env, PREBUILDS_TOKEN: h.outsider })).code).toBe(4);
      const missing = await run(['info', '99999'], env);
      expect(missing).toMatchObject({ code: 4, stdout: '' });
      expect(missing.stderr).toMatch(/prebuild #99999 does not exist/);
      expect((await run(['info'], env)).code).toBe(2);
      expect((await run(['info', 'abc'], env)).code).toBe(2);
      expect((await run(['list', '--bogus'], env)).code).toBe(2);
      expect((await run(['frobnicate'], env)).code).toBe(2);
      expect((await run(['list', '--repo', 'not a repo'], env)).code).toBe(2);
      expect((await run(['list', '--url', 'http://127.0.0.1:1'], env)).code).toBe(1);
    });

    it('token create prints the secret once, list never shows it, revoke makes it fail with 3', async () => {
      const db = path.join(h.dir, 'prebuilds.sqlite');
      const created = await run(['token', 'create', '--name', 'ci', '--scope', '1', '--database', db], {});
      expect(created.code).toBe(0);
      const secret = created.stdout.trim();
      expect(secret).toMatch(/^pbt_[A-Za-z0-9_-]{43}$/);
      expect(created.stderr).toMatch(/Token #\d+ "ci" for 1/);
      expect((await run(['why', SHA_A], { ...env, PREBUILDS_TOKEN: secret })).code).toBe(0);
      const list = await run(['token', 'list'], { DATABASE_PATH: db });
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/ci\s+1\s/);
      expect(list.stdout).not.toContain(secret);
      const id = /(\d+)\s+ci\s/.exec(list.stdout)![1]!;
      expect((await run(['token', 'revoke', id, '--database', db], {})).code).toBe(0);
      expect((await run(['token', 'revoke', id, '--database', db], {})).code).toBe(4);
      expect((await run(['why', SHA_A], { ...env, PREBUILDS_TOKEN: secret })).code).toBe(3);
      expect((await run(['token', 'create', '--scope', 'abc', '--database', db], {})).code).toBe(2);
      expect((await run(['token', 'list', '--database', path.join(h.dir, 'none.sqlite')], {})).code).toBe(4);
    });
  });

  describe('in process (main(argv))', () => {
    it('info ID shows timings, size, base and links; info --configuration shows file and overrides', async () => {
      const p = await h.seed({}, succeeded());
      const r = await inProcess(['info', String(p.id)], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Status\s+success/);
      expect(r.stdout).toMatch(/Duration\s+5m 00s/);
      expect(r.stdout).toMatch(/Snapshot\s+prebuild-v1-.* \(150\.0 MB\)/);
      expect(r.stdout).toMatch(/Check run\s+https:\/\/github\.com\/octo\/app\/runs\/7001/);
      const c = await inProcess(['info', '--configuration', 'devcontainer'], env);
      expect(c.stdout).toMatch(/commitInterval\s+1\s+—\s+1/);
    });

    it('update sets overrides, --reset drops one; bad values exit 2', async () => {
      const r = await inProcess(['update', 'devcontainer', '--commit-interval', '4', '--trigger-files', 'package.json,*.lock', '--retention', '2'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/commitInterval\s+1\s+4\s+4/);
      expect(r.stdout).toMatch(/triggerFiles\s+\[\]\s+package\.json, \*\.lock/);
      const reset = await inProcess(['update', 'devcontainer', '--reset', 'retention', 'commitInterval', '--json'], env);
      expect(JSON.parse(reset.stdout).overrides).toEqual({ triggerFiles: ['package.json', '*.lock'] });
      expect((await inProcess(['update', 'devcontainer', '--retention', '0'], env)).code).toBe(2);
      expect((await inProcess(['update', 'devcontainer'], env)).code).toBe(2);
      expect((await inProcess(['update', 'nope', '--retention', '1'], env)).code).toBe(4);
    });

    it('trigger, why, rerun, cancel', async () => {
      const t = await inProcess(['trigger', '--branch', 'feature', '--json'], env);
      expect(t.code).toBe(0);
      const started = JSON.parse(t.stdout).prebuilds[0];
      expect(started).toMatchObject({ decision: 'started', prebuild: { branch: 'feature', sha: SHA_B, trigger: 'manual' } });
      const why = await inProcess(['why', SHA_B.slice(0, 7)], env);
      expect(why.stdout.split('\n')[0]).toMatch(/^AT\s+EVENT\s+CONFIGURATION\s+DECISION\s+PREBUILD\s+REASON/);
      expect(why.stdout).toMatch(/manual\s+devcontainer\s+started\s+#\d+\s+manual prebuild of feature/);
      expect((await inProcess(['why', 'zzz'], env)).code).toBe(2);
      const cancel = await inProcess(['cancel', String(started.prebuild.id)], env);
      expect(cancel).toMatchObject({ code: 0, stdout: `Cancelled prebuild #${started.prebuild.id} (devcontainer at bbbbbbb)\n` });
      expect((await inProcess(['cancel', String(started.prebuild.id)], env)).code).toBe(1);
      const rerun = await inProcess(['rerun', String(started.prebuild.id)], env);
      expect(rerun.stdout).toMatch(/^Prebuild #\d+ started \(devcontainer at bbbbbbb\)/);
    });

    it('pause and resume', async () => {
      expect(await inProcess(['pause', 'devcontainer'], env)).toMatchObject({ code: 0, stdout: 'Paused devcontainer: pushes wait until it is resumed\n' });
      expect((await h.store.getConfigurationState(REPO, 'devcontainer')).paused).toBe(true);
      expect(await inProcess(['resume', 'devcontainer'], env)).toMatchObject({ code: 0, stdout: 'Resumed devcontainer\n' });
      expect((await inProcess(['pause', 'missing'], env)).code).toBe(4);
    });

    it('list --prebuilds pages with --cursor; report prints a table', async () => {
      const first = await inProcess(['list', '--prebuilds', '--limit', '1'], env);
      expect(first.stdout.split('\n')[0]).toMatch(/^ID\s+CONFIGURATION\s+STATUS/);
      const cursor = /--cursor (\d+)/.exec(first.stderr)![1];
      const second = await inProcess(['list', '--prebuilds', '--limit', '1', '--cursor', cursor!, '--json'], env);
      expect(JSON.parse(second.stdout).prebuilds[0].id).toBeLessThan(Number(cursor) + 1);
      expect((await inProcess(['list', '--prebuilds', '--status', 'bogus'], env)).code).toBe(2);
      await h.store.recordRestore({
        ...REPO,
        installationId: 1,
        repositoryId: '1',
        configuration: 'devcontainer',
        sha: SHA_B,
        hit: 'ancestor',
        prebuildSha: SHA_A,
        spentMs: 60_000,
        coldMs: 5_460_000,
        savedMs: 5_400_000,
        runId: null,
        runAttempt: null,
        reportId: 'cli-report',
      });
      const report = await inProcess(['report', '--period', '30d'], env);
      expect(report.code).toBe(0);
      expect(report.stdout).toMatch(/^octo\/app, last 30d/);
      expect(report.stdout).toMatch(/devcontainer\s+\d+\s+[\d.]+/);
      expect(report.stdout.split('\n')[1]).toMatch(/RESTORES E\/A\/M\s+HOURS SAVED$/);
      expect(report.stdout).toMatch(/^devcontainer\s.*\s0\/1\/0\s+1\.5$/m);
      expect(report.stdout).toMatch(/^Restores: 0 exact, 1 ancestor, 0 miss; 1\.5 hours saved for [\d.]+ minutes of prebuilds$/m);
      expect((await inProcess(['report', '--period', 'forever'], env)).code).toBe(2);
    });

    it('logs prints the job log; delete needs --yes', async () => {
      const run = await h.github.standIn.recordRun(REPO.repo, { ref: 'main' });
      h.github.standIn.finishRun(run.id, 'failure', [], ['line 1', 'line 2', 'npm ERR! failed']);
      const p = await h.seed({}, { state: 'failure', workflowRunId: run.id, workflowRunUrl: `https://github.com/octo/app/actions/runs/${run.id}` });
      const logs = await inProcess(['logs', String(p.id), '--tail', '2'], env);
      expect(logs).toMatchObject({ code: 0, stdout: 'line 2\nnpm ERR! failed\n' });
      const s = await h.seed({}, succeeded({ snapshotKey: 'prebuild-v1-cli-delete' }));
      h.github.standIn.recordCache(REPO.repo, { key: 'prebuild-v1-cli-delete' });
      expect((await inProcess(['delete', String(s.id)], env)).code).toBe(2);
      // The snapshot also sits in a directory store only this machine reaches: --store deletes its files.
      const dirStore = new DirStore(path.join(h.dir, 'cli-dir-store'));
      await mkdir(path.join(h.dir, 'cli-ws'), { recursive: true });
      await writeFile(path.join(h.dir, 'cli-ws/f.txt'), 'x');
      await dirStore.save('prebuild-v1-cli-delete', ['.'], path.join(h.dir, 'cli-ws'));
      expect(await inProcess(['delete', String(s.id), '--yes', '--store', `dir:${dirStore.root}`], env)).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/now expired; 1 snapshot\(s\) deleted from the directory /),
      });
      expect(await readdir(dirStore.root)).toEqual([]);
    });
  });

  it('answered only documented GitHub endpoints with valid replies', () => {
    expect(h.github.problems()).toEqual([]);
  });
});
