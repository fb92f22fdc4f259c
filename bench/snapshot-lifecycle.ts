/**
 * The lifecycle half of the snapshot benchmark (bench/snapshot.ts): on one fixture,
 * a cold workspace, a full prebuild, incremental prebuilds after a source-only commit
 * and after a lockfile change, and restores from an exact and an ancestor hit, each
 * through the BUNDLED action (action/dist) as a child process with a `dir:` store,
 * like a self-hosted runner. Each step gets a fresh clone and a fresh runner temp
 * directory; a prebuild's package cache is the one the snapshot keeps (the action
 * points npm at `.prebuilds/caches/npm` in the workspace, empty from scratch), and the
 * cold workspace gets an empty npm cache of its own, so both download everything.
 * Each step starts after a `sync` (untimed), so no step pays for the writeback of
 * what the step before it wrote.
 *
 * The restores model a runner that did not just delete thousands of files: on ext4
 * without a journal (this machine's root file system), the inode allocator skips every
 * inode freed in the last 60 s (300 s while its inode table block is unwritten) and
 * rescans them for each new file (fs/ext4/ialloc.c `recently_deleted`), so extracting a
 * snapshot right after the lockfile prebuild's `npm ci` deleted node_modules costs
 * seconds of kernel time a fresh runner (or ext4 with a journal, mkfs.ext4's default)
 * never pays. The first exact restore runs right after that prebuild anyway
 * (`restoreExactFirstMs`, the back-to-back figure); then the benchmark syncs and waits
 * until `quietMs` after the prebuild ended, and measures the ancestor and exact restores.
 *
 * Besides the wall times, every step's time breakdown (the action's `timings`
 * output, ms per phase, plus `checkout` for the clone) and the facts that show the
 * steps did the right thing (the added dependency installed, the hits found).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirStore } from '../src/lifecycle/snapshot/dir-store.js';

const root = fileURLToPath(new URL(import.meta.url.includes('/lib/bench/') ? '../../' : '../', import.meta.url));
const bundle = path.join(root, 'action/dist/index.js');

/** A fixture the benchmark can run: a repository tree with a devcontainer.json and an `add-dependency` variant. */
export interface BenchFixture {
  /** Short name, used in the JSON (`web-service`, `ts-monorepo`). */
  name: string;
  /** Absolute path of the tree. */
  dir: string;
  /** Fixture-relative source file a source-only commit appends to. */
  sourceFile: string;
  /** Fixture-relative `package.json` of the dependency `variants/add-dependency` adds (proof it was installed). */
  addedDependency: string;
}

/** The fixtures in test/fixtures the benchmark knows. */
export const FIXTURES: Record<string, BenchFixture> = {
  'web-service': {
    name: 'web-service',
    dir: path.join(root, 'test/fixtures/web-service'),
    sourceFile: 'src/todos.ts',
    addedDependency: 'node_modules/dotenv/package.json',
  },
  'ts-monorepo': {
    name: 'ts-monorepo',
    dir: path.join(root, 'test/fixtures/ts-monorepo'),
    sourceFile: 'packages/todos/src/index.ts',
    addedDependency: 'packages/core/node_modules/nanoid/package.json',
  },
};

/** The steps of one fixture, wall times in ms (see the module comment). */
export interface LifecycleTimes {
  coldMs: number;
  fullMs: number;
  incrementalSourceMs: number;
  incrementalLockfileMs: number;
  /** Exact hit, after the quiet period that follows the lockfile prebuild (see the module comment). */
  restoreExactMs: number;
  /** Exact hit right after the lockfile prebuild, back to back on the same file system (no quiet period). */
  restoreExactFirstMs: number;
  /** Ancestor hit, after the quiet period. */
  restoreAncestorMs: number;
}

/** Options of {@link runLifecycleBench}. */
export interface LifecycleBenchOptions {
  /**
   * How long after the lockfile prebuild ended the quiet restores start, ms (default
   * {@link DEFAULT_QUIET_MS}); 0 measures them back to back (a run checking correctness only).
   */
  quietMs?: number;
}

/**
 * Default quiet period before the restores, ms: ext4 without a journal skips inodes freed
 * in the last 60 s (RECENTCY_MIN in fs/ext4/ialloc.c) once their inode table block is
 * written (the `sync`), plus a second of margin.
 */
export const DEFAULT_QUIET_MS = 61_000;

/** What one fixture's steps measured and showed. */
export interface LifecycleBench {
  times: LifecycleTimes;
  /** One record per step: `fixture`, `step`, `totalMs`, `checkout`, then the action's phases (ms). */
  breakdown: Array<Record<string, number | string>>;
  /** Whether the incremental prebuild after the lockfile change installed the added dependency. */
  lockfileDependencyInstalled: boolean;
  /** Whether the source-only incremental prebuild skipped onCreateCommand (it reran nothing it did not need to). */
  sourceSkippedOnCreate: boolean;
  /** The `prebuild-hit` outputs of the two restores (`exact`, `ancestor` expected). */
  exactHit: string;
  ancestorHit: string;
  /**
   * Package caches parts in the store after every step (src/lifecycle/caches-part.ts): 2
   * expected, the full prebuild's and the lockfile change's (the source-only prebuild
   * reuses the full one's).
   */
  cachesParts: number;
  /** Bytes of the full prebuild's tree, its package-manager caches (`.prebuilds/caches`), and the archive (without the caches part). */
  treeBytes: number;
  cachesBytes: number;
  snapshotBytes: number;
  /** The workspace of the full prebuild (for the throughput half). */
  builtWorkspace: string;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** Apparent size of a tree, bytes (0 when it does not exist). */
export function duBytes(dir: string): number {
  try {
    return Number(execFileSync('du', ['-sb', '--apparent-size', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\t')[0]);
  } catch {
    return 0;
  }
}

/**
 * Runs a command; resolves with its wall time (ms).
 * @param opts.output receives its whole stdout and stderr when it succeeded
 * @throws Error with the output tail when it fails
 */
export function timed(file: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; output?: (tail: string) => void }): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let all = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString('utf8')).slice(-4000);
      if (opts.output) all += d.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${out}`));
      opts.output?.(all);
      resolve(performance.now() - started);
    });
  });
}

/** The outputs an action run wrote to its `GITHUB_OUTPUT` file (`name<<delimiter` blocks, as @actions/core writes them). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    if (end < 0) break;
    out[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/**
 * Runs the steps on `fixture` in `tmp` (a fresh directory): cold, full, the two
 * incremental prebuilds, the exact restore back to back, then (after the quiet period)
 * the ancestor and exact restores.
 * @throws Error when a step fails (no network for npm, no zstd, …)
 */
export async function runLifecycleBench(
  fixture: BenchFixture,
  tmp: string,
  log: (line: string) => void,
  options: LifecycleBenchOptions = {},
): Promise<LifecycleBench> {
  const quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  const store = path.join(tmp, 'store');
  let n = 0;
  const fresh = async (prefix: string) => mkdtemp(path.join(tmp, `${prefix}-${++n}-`));
  const breakdown: LifecycleBench['breakdown'] = [];
  /** Runs the action in `ws`; returns its wall time and outputs, and records the step's breakdown. */
  const action = async (step: string, ws: string, checkoutMs: number, inputs: Record<string, string>) => {
    const outputFile = path.join(await fresh('outputs'), 'output');
    await writeFile(outputFile, '');
    const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', GITHUB_WORKSPACE: ws, RUNNER_TEMP: await fresh('runner') };
    for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('GITHUB_STEP') || k === 'npm_config_cache') delete env[k];
    env.GITHUB_OUTPUT = outputFile;
    // A cold workspace's package manager starts empty (a prebuild's own cache is the snapshot's, empty from scratch).
    if (step === 'cold') env.npm_config_cache = await fresh('npm-cache');
    for (const [k, v] of Object.entries({ store: `dir:${store}`, ...inputs })) env[`INPUT_${k.toUpperCase()}`] = v;
    let actionLog = '';
    const ms = await timed(process.execPath, [bundle], { cwd: ws, env, output: (t) => (actionLog = t) });
    const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
    // A restore that found nothing usable says why in its log: shown, so a miss is explained.
    if (inputs.mode === 'restore' && step !== 'cold' && outputs['prebuild-hit'] === 'none') {
      for (const line of actionLog.split('\n').filter((l) => /Discarding|Skipping|::warning::|No usable prebuild/.test(l))) log(`    ${step}: ${line}`);
    }
    const timings = JSON.parse(outputs.timings || '{}') as Record<string, number>;
    breakdown.push({ fixture: fixture.name, step, totalMs: Math.round(ms + checkoutMs), checkout: Math.round(checkoutMs), ...timings });
    return { ms: ms + checkoutMs, outputs, timings };
  };
  const origin = path.join(tmp, 'origin');
  const clone = async (sha: string, depth: number): Promise<{ ws: string; ms: number }> => {
    const ws = await fresh('ws');
    // Every step starts on a flushed disk, like a new job on a runner: what the previous step
    // wrote is written back first (untimed), so no step pays for its predecessor's writeback.
    execFileSync('sync');
    const started = performance.now();
    git(ws, 'init', '-q');
    git(ws, 'fetch', '-q', ...(depth > 0 ? [`--depth=${depth}`] : []), `file://${origin}`, sha);
    git(ws, 'checkout', '-q', '--detach', sha);
    return { ws, ms: performance.now() - started };
  };
  const commit = (message: string): string => {
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', message);
    return git(origin, 'rev-parse', 'HEAD');
  };
  // Both fixtures keep their environment in .devcontainer/devcontainer.json: configuration `devcontainer`.
  const key = (sha: string, id: string) => `prebuilds-v1/devcontainer/${sha}/${id}`;

  await cp(fixture.dir, origin, { recursive: true });
  git(origin, 'init', '-q', '-b', 'main');
  const c1 = commit(fixture.name);
  const times = {} as LifecycleTimes;

  log(`[${fixture.name}] (a) cold workspace: clone + onCreate (empty package cache) + updateContent + postCreate`);
  {
    const { ws, ms } = await clone(c1, 1);
    times.coldMs = (await action('cold', ws, ms, { mode: 'restore', store: `dir:${path.join(tmp, 'no-prebuilds')}` })).ms;
  }
  log(`[${fixture.name}] (b) full prebuild through the bundled action`);
  const built = await clone(c1, 1);
  times.fullMs = (await action('full', built.ws, built.ms, { 'prebuild-id': 'full' })).ms;

  log(`[${fixture.name}] (c) incremental prebuild after a source-only commit`);
  const source = path.join(origin, fixture.sourceFile);
  await writeFile(source, `${await readFile(source, 'utf8')}\nexport const LIMIT = 100;\n`);
  const c2 = commit('source change');
  const srcWs = await clone(c2, 1);
  const src = await action('incrementalSource', srcWs.ws, srcWs.ms, { 'prebuild-id': 'src', base: key(c1, 'full') });
  times.incrementalSourceMs = src.ms;

  log(`[${fixture.name}] (d) incremental prebuild after a lockfile change (one more dependency)`);
  await cp(path.join(origin, 'variants/add-dependency'), origin, { recursive: true });
  const c3 = commit('add a dependency');
  const lockWs = await clone(c3, 1);
  times.incrementalLockfileMs = (await action('incrementalLockfile', lockWs.ws, lockWs.ms, { 'prebuild-id': 'lock', base: key(c2, 'src') })).ms;
  const lockfileDependencyInstalled = await readFile(path.join(lockWs.ws, fixture.addedDependency)).then(
    () => true,
    () => false,
  );
  log(`    added dependency installed by the incremental prebuild: ${lockfileDependencyInstalled ? 'yes' : 'NO'}`);

  const lockfileEnded = performance.now();

  log(`[${fixture.name}] (e) workspace ready from restore, exact hit, right after the prebuild (back to back)`);
  const exact = await clone(c3, 1);
  const exactRun = await action('restoreExactFirst', exact.ws, exact.ms, { mode: 'restore' });
  times.restoreExactFirstMs = exactRun.ms;

  // A user's restore runs on another runner, whose file system did not just free the thousands
  // of inodes the prebuild's `npm ci` did (see the module comment): the restores below start
  // once those are older than the no-journal ext4 window. Synced first, so it is 60 s, not 300 s.
  execFileSync('sync');
  const wait = lockfileEnded + quietMs - performance.now();
  if (wait > 0) {
    log(`    quiet period: ${Math.round(wait / 1000)} s until the prebuild's deleted inodes are reusable`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }

  log(`[${fixture.name}] (f) workspace ready from restore, ancestor hit (full history)`);
  await writeFile(source, `${await readFile(source, 'utf8')}export const PAGE = 20;\n`);
  const c4 = commit('another source change');
  const ancestor = await clone(c4, 0);
  const ancestorRun = await action('restoreAncestor', ancestor.ws, ancestor.ms, { mode: 'restore' });
  times.restoreAncestorMs = ancestorRun.ms;

  log(`[${fixture.name}] (e') workspace ready from restore, exact hit, after the quiet period`);
  const again = await clone(c3, 1);
  const againRun = await action('restoreExact', again.ws, again.ms, { mode: 'restore' });
  times.restoreExactMs = againRun.ms;

  for (const k of Object.keys(times) as Array<keyof LifecycleTimes>) times[k] = Math.round(times[k]);
  const snapshotBytes = (await new DirStore(store).manifest(key(c1, 'full')))?.bytes ?? 0;
  return {
    times,
    breakdown,
    lockfileDependencyInstalled,
    sourceSkippedOnCreate: !('onCreateCommand' in src.timings) && 'updateContentCommand' in src.timings,
    cachesParts: (await new DirStore(store).list('prebuilds-v1-caches/')).length,
    exactHit: againRun.outputs['prebuild-hit'] === exactRun.outputs['prebuild-hit'] ? (exactRun.outputs['prebuild-hit'] ?? '') : 'differs',
    ancestorHit: ancestorRun.outputs['prebuild-hit'] ?? '',
    treeBytes: duBytes(built.ws),
    cachesBytes: duBytes(path.join(built.ws, '.prebuilds/caches')),
    snapshotBytes,
    builtWorkspace: built.ws,
  };
}
