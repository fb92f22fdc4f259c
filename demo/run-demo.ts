/**
 * The end-to-end demo: a local GitHub stand-in, the app as a real HTTP server,
 * and the product's action run by the stand-in's runner. A fixture project is
 * pushed, the app is installed, then three commits are pushed one after the
 * other; each becomes a prebuild whose snapshot lands in a directory store.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppServer, type AppServer } from '../src/server.js';
import { issueToken } from '../src/api/auth.js';
import type { PrebuildRecord } from '../src/store/types.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../src/api/restore-report.js';
import { appKeyPair, startStandIn, type Delivery, type RecordedExchange, type StandIn } from './github/index.js';
import { LocalActionsIssuer } from './github/oidc-issuer.js';
import { CONTAINER_CHANGES, containerDemoProblem, containerSetting, upFreshWorkspace, useBaseImage, type DemoUp } from './container.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** App logs at `info` and every job log line on stderr. */
  verbose?: boolean;
  /** Where everything goes; default a new temp dir. */
  workDir?: string;
  /** Remove `workDir` at the end (tests); default false (the snapshots stay to look at). */
  cleanup?: boolean;
  /** How long to wait for one prebuild, ms; default 300 000 (the first `npm ci` needs the registry). */
  prebuildTimeoutMs?: number;
  /** Where progress lines go; default stdout. */
  print?: (line: string) => void;
  /** Keep the app and the stand-in running (the result's `stop()` ends them), so a person can open the Prebuilds page. */
  keep?: boolean;
  /** Container mode (demo/container.ts): prebuild inside the dev container, end with `prebuilds up`. */
  container?: boolean;
}

/** What `prebuilds restore` reported for the demo's fresh workspace. */
export interface DemoRestore {
  /** `exact`, `ancestor` or `none`. */
  hit: string;
  prebuildSha: string | null;
  restoreMs: number;
  /** Files the workspace had right after the restore, without running onCreateCommand itself. */
  ready: { nodeModules: boolean; dist: boolean };
}

/** One row of the demo's table. */
export interface DemoRow {
  id: number;
  sha: string;
  trigger: string;
  state: string;
  durationMs: number | null;
  /** Sha of the base prebuild it started from (incremental), or null (from scratch). */
  baseSha: string | null;
  snapshotBytes: number | null;
  checkRunConclusion: string | null;
  /** Whether its run reported the result to the app itself (OIDC token, `app-url`), sparing the app the jobs request. */
  resultReported: boolean;
}

/** What {@link runDemo} found. */
export interface DemoResult {
  /** All three prebuilds succeeded with non-empty snapshots and `success` check runs. */
  ok: boolean;
  rows: DemoRow[];
  problems: string[];
  workDir: string;
  snapshotDir: string;
  /** Files in the snapshot directory. */
  snapshotFiles: string[];
  /** Every REST exchange the stand-in served and every webhook it sent (for the honesty tests). */
  exchanges: RecordedExchange[];
  deliveries: Delivery[];
  totalMs: number;
  /** A workspace made ready from the last prebuild by `prebuilds restore` (host mode). */
  restore: DemoRestore | null;
  /** Container mode: the dev container `prebuilds up` started from the last prebuild. */
  up: DemoUp | null;
  /** The Prebuilds page and a token to log in with. */
  page: { url: string; token: string } | null;
  /** Stops the app and the stand-in (already stopped unless `keep`). */
  stop(): Promise<void>;
}

const OWNER = 'octo-demo';
const REPO = 'demo-app';
const APP_ID = 1;
const FINAL = ['success', 'failure', 'cancelled', 'superseded', 'timed_out', 'expired'];

/** The repository root, from `demo/` or from `lib/demo/`. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'demo', 'fixture'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json with demo/fixture)');
    dir = up;
  }
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }).trim();
}

/** `1.2 MB`-style sizes. */
export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The table the demo prints. */
export function formatTable(rows: DemoRow[]): string {
  const head = ['prebuild', 'sha', 'trigger', 'base', 'status', 'duration', 'snapshot', 'check run'];
  const body = rows.map((r) => [
    `#${r.id}`,
    r.sha.slice(0, 7),
    r.trigger,
    r.baseSha ? `incremental from ${r.baseSha.slice(0, 7)}` : 'from scratch',
    r.state,
    r.durationMs === null ? '—' : r.durationMs < 1000 ? '<1 s' : `${(r.durationMs / 1000).toFixed(1)} s`,
    formatBytes(r.snapshotBytes),
    r.checkRunConclusion ?? '—',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function waitForPrebuild(app: AppServer, gh: StandIn, sha: string, timeoutMs: number): Promise<PrebuildRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await gh.idle();
    await app.idle();
    const found = (await app.store.listPrebuilds({ owner: OWNER, repo: REPO })).filter((p) => p.sha === sha);
    if (found.length > 0 && found.every((p) => FINAL.includes(p.state))) return found[found.length - 1]!;
    if (Date.now() > deadline) {
      throw new Error(
        `prebuild of ${sha.slice(0, 7)} did not finish within ${timeoutMs / 1000} s (${found.map((p) => p.state).join(', ') || 'no prebuild recorded'})`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The three changes the demo pushes, one commit each. */
const CHANGES: Array<{ message: string; files: Record<string, string> }> = [
  { message: 'Add a farewell', files: { 'src/farewell.js': 'module.exports = (name) => `Goodbye, ${name}!`;\n' } },
  {
    message: 'Greet more warmly',
    files: { 'src/index.js': '// The demo application.\nmodule.exports = function greet(name) {\n  return `Hello, dear ${name}!`;\n};\n' },
  },
  { message: 'Add the answer', files: { 'src/answer.txt': '42\n' } },
];

/**
 * Runs the demo end to end.
 * @returns the rows and whether they are all successful; throws only when the
 *   environment is broken (git missing, a prebuild never finishing)
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const print = options.print ?? ((line: string) => console.log(line));
  if (options.container) {
    const problem = await containerDemoProblem();
    if (problem) throw new Error(`The container demo needs Docker: ${problem}`);
  }
  const changes = options.container ? CONTAINER_CHANGES : CHANGES;
  const root = repositoryRoot();
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'prebuilds-demo-'));
  mkdirSync(workDir, { recursive: true });
  const snapshotDir = join(workDir, 'snapshots');
  mkdirSync(snapshotDir, { recursive: true });
  const keys = appKeyPair();
  const webhookSecret = `demo-${Math.random().toString(36).slice(2)}`;
  const echo = options.verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined;

  // GitHub's Actions OIDC issuer: jobs granted id-token: write (the shipped workflow) get tokens the app verifies.
  const issuer = await LocalActionsIssuer.start();
  const gh = await startStandIn({
    appId: APP_ID,
    publicKey: keys.publicKey,
    webhookSecret,
    owner: OWNER,
    oidcIssuer: issuer,
    actionDir: join(root, 'action'),
    workRoot: join(workDir, 'github'),
    ...(echo ? { echo } : {}),
  });
  let app: AppServer | null = null;
  try {
    const variables: Record<string, string> = { PREBUILDS_STORE: `dir:${snapshotDir}` };
    if (options.container)
      Object.assign(variables, { PREBUILDS_CONTAINER_MODE: 'container', PREBUILDS_REGISTRY: `${containerSetting().registry}/${REPO}-${Date.now()}` });
    const repo = await gh.createRepo(REPO, { variables });
    const logLevel = options.verbose ? 'info' : ((process.env.LOG_LEVEL as 'warn' | undefined) ?? 'warn');
    app = await startAppServer({
      appId: APP_ID,
      privateKey: keys.privateKey,
      webhookSecret,
      baseUrl: gh.apiUrl,
      databasePath: join(workDir, 'prebuilds.sqlite'),
      logLevel,
      restoreReports: { issuer: issuer.url, audience: DEFAULT_RESTORE_AUDIENCE },
    });
    gh.setWebhookUrl(app.webhookUrl);
    // The repository variable the shipped workflow passes as the action's app-url: runs report their results there.
    repo.variables.PREBUILDS_APP_URL = app.url;
    print(`GitHub stand-in  ${gh.apiUrl}`);
    print(`app              ${app.url}`);
    print(`work directory   ${workDir}`);

    // The project as it was before the app was installed.
    const checkout = join(workDir, 'checkout');
    cpSync(join(root, 'demo', options.container ? 'container-fixture' : 'fixture'), checkout, {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|dist)$/.test(src),
    });
    if (options.container) useBaseImage(checkout, containerSetting().baseImage);
    mkdirSync(join(checkout, '.github', 'workflows'), { recursive: true });
    cpSync(join(root, '.github', 'workflows', 'prebuild.yml'), join(checkout, '.github', 'workflows', 'prebuild.yml'));
    git(checkout, 'init', '-q', '--initial-branch=main');
    git(checkout, 'config', 'user.name', 'Dev Demo');
    git(checkout, 'config', 'user.email', 'dev@example.com');
    git(checkout, 'config', 'commit.gpgsign', 'false');
    git(checkout, 'add', '-A');
    git(checkout, 'commit', '-q', '-m', 'Initial commit');
    git(checkout, 'remote', 'add', 'origin', repo.remote);
    git(checkout, 'push', '-q', 'origin', 'main');
    await gh.recordHead(REPO, 'main'); // pushed before the app was installed: no webhook
    await gh.installationCreated();
    await app.idle();
    print(`installed the app on ${OWNER}/${REPO}`);

    const shas: string[] = [];
    for (const [n, change] of changes.entries()) {
      for (const [path, content] of Object.entries(change.files)) {
        mkdirSync(dirname(join(checkout, path)), { recursive: true });
        writeFileSync(join(checkout, path), content);
      }
      git(checkout, 'add', '-A');
      git(checkout, 'commit', '-q', '-m', change.message);
      git(checkout, 'push', '-q', 'origin', 'main');
      const sha = git(checkout, 'rev-parse', 'HEAD');
      shas.push(sha);
      const t0 = Date.now();
      print(`push ${n + 1}/3  ${sha.slice(0, 7)}  ${change.message}`);
      const delivery = await gh.push(REPO, { branch: 'main' });
      if (delivery.status === null || delivery.status >= 300) throw new Error(`the app answered the push webhook with ${delivery.status ?? delivery.error}`);
      const p = await waitForPrebuild(app, gh, sha, options.prebuildTimeoutMs ?? 300_000);
      print(`         prebuild #${p.id} ${p.state} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }

    const all = await app.store.listPrebuilds({ owner: OWNER, repo: REPO });
    const rows: DemoRow[] = all
      .filter((p) => shas.includes(p.sha))
      .sort((a, b) => a.id - b.id)
      .map((p) => ({
        id: p.id,
        sha: p.sha,
        trigger: p.trigger,
        state: p.state,
        durationMs: p.durationMs,
        baseSha: p.baseSha,
        snapshotBytes: p.snapshotBytes,
        checkRunConclusion: p.checkRunId === null ? null : (gh.state.checkRuns.get(p.checkRunId)?.conclusion ?? null),
        resultReported: p.runReport !== null,
      }));
    const problems: string[] = [];
    for (const sha of shas) {
      const row = rows.filter((r) => r.sha === sha).at(-1);
      if (!row) problems.push(`no prebuild for ${sha.slice(0, 7)}`);
      else {
        if (row.state !== 'success') problems.push(`prebuild #${row.id} (${sha.slice(0, 7)}) ended ${row.state}`);
        if (!row.snapshotBytes) problems.push(`prebuild #${row.id} has no snapshot size`);
        if (row.checkRunConclusion !== 'success') problems.push(`prebuild #${row.id}'s check run is ${row.checkRunConclusion ?? 'missing'}`);
      }
    }
    if (problems.length > 0) {
      for (const run of gh.runs(REPO).filter((r) => r.conclusion !== 'success')) {
        for (const job of gh.jobs(run.id)) problems.push(`run ${run.id} (${run.displayTitle}) ${run.conclusion}; log tail:\n${job.log.slice(-15).join('\n')}`);
      }
    }
    const ready = problems.length === 0 && !options.container;
    const restore = ready ? restoreFreshWorkspace(root, repo.remote, workDir, snapshotDir, shas.at(-1)!, print) : null;
    if (restore && restore.hit !== 'exact') problems.push(`prebuilds restore found no exact prebuild (hit: ${restore.hit})`);
    const up =
      problems.length === 0 && options.container
        ? upFreshWorkspace(root, freshClone(repo.remote, workDir, shas.at(-1)!), snapshotDir, options.keep ?? false, print)
        : null;
    if (up && (up.hit !== 'exact' || !up.testsPassed)) problems.push(`prebuilds up: ${up.hit} hit, tests ${up.testsPassed ? 'pass' : 'fail'} in the container`);
    const { token } = await issueToken(app.store, 'demo', ['*']);
    const page = { url: `${app.url}/prebuilds/${OWNER}/${REPO}`, token };
    const snapshotFiles = existsSync(snapshotDir) ? listFiles(snapshotDir) : [];
    const running = app;
    const stop = async () => {
      await running.stop();
      await gh.stop();
      await issuer.stop();
      if (options.cleanup) rmSync(workDir, { recursive: true, force: true });
    };
    if (options.keep) app = null;
    return {
      restore,
      up,
      page,
      stop: options.keep ? stop : async () => {},
      ok: problems.length === 0,
      rows,
      problems,
      workDir,
      snapshotDir,
      snapshotFiles,
      exchanges: gh.exchanges,
      deliveries: gh.deliveries,
      totalMs: Date.now() - started,
    };
  } finally {
    if (app || !options.keep) {
      await app?.stop();
      await gh.stop();
      await issuer.stop();
      if (options.cleanup) rmSync(workDir, { recursive: true, force: true });
    }
  }
}

/**
 * A developer's fresh clone at `sha`, made ready by the product's CLI
 * (`prebuilds restore --store dir:…`, the same code as the action's `mode: restore`).
 */
function restoreFreshWorkspace(root: string, remote: string, workDir: string, snapshotDir: string, sha: string, print: (line: string) => void): DemoRestore {
  const workspace = freshClone(remote, workDir, sha);
  const out = execFileSync(process.execPath, [join(root, 'lib', 'src', 'cli', 'main.js'), 'restore', '--store', `dir:${snapshotDir}`, workspace], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const report = JSON.parse(out) as { prebuildHit: string; prebuildSha: string | null; restoreMs: number };
  const ready = { nodeModules: existsSync(join(workspace, 'node_modules')), dist: existsSync(join(workspace, 'dist')) };
  print(
    `restore  ${sha.slice(0, 7)}  ${report.prebuildHit} hit in ${report.restoreMs} ms; node_modules ${ready.nodeModules ? 'present' : 'missing'}, dist ${ready.dist ? 'present' : 'missing'} (${workspace})`,
  );
  return { hit: report.prebuildHit, prebuildSha: report.prebuildSha, restoreMs: report.restoreMs, ready };
}

/** A developer's fresh clone of the demo repository at `sha` (`<workDir>/workspace`). */
function freshClone(remote: string, workDir: string, sha: string): string {
  const workspace = join(workDir, 'workspace');
  git(workDir, 'clone', '-q', remote, workspace);
  git(workspace, 'checkout', '-q', sha);
  return workspace;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full, `${prefix}${name}/`) : [`${prefix}${name} (${formatBytes(statSync(full).size)})`];
  });
}
