/**
 * Snapshot benchmark: how much faster a workspace is ready from a prebuild, on a
 * realistic TypeScript web service (test/fixtures/web-service: ~250 npm packages,
 * `onCreateCommand: npm ci`, `updateContentCommand: npm run build`). Every cold step
 * gets a fresh npm cache (`npm_config_cache` in a new temp dir), so installs really
 * download. Prebuilds and restores run through the BUNDLED action (action/dist) as a
 * child process with a dir: store, like a self-hosted runner.
 *
 * Measured, in one run (ms unless named otherwise):
 * - coldMs: clone + full lifecycle (onCreate, updateContent, postCreate);
 * - fullMs: a prebuild from scratch; incrementalSourceMs / incrementalLockfileMs:
 *   incremental prebuilds after a source-only commit / a lockfile change;
 * - restoreExactMs / restoreAncestorMs: clone + restore mode (exact / ancestor hit);
 * - saveMBps / restoreMBps: the dir store's archive + extract throughput, and
 *   tarSaveMBps / tarRestoreMBps: plain `tar | zstd -T0 -3` of the same tree (MB/s
 *   of uncompressed tree, 1 MB = 10^6 bytes; best of 2); snapshotBytes: archive size;
 * - scannedSaveMBps: the same save with five secret values to scan for (the stream
 *   passes the secret scan between tar and zstd), and scanSharePct: the scan's cost as
 *   a share of that save's time (target ≤ 10 %), from saves without and with the scan
 *   interleaved, best of five each;
 * - ociSaveMBps / ociRestoreMBps: the `oci:` store against a local docker-registry
 *   (127.0.0.1; 0 when docker-registry is not installed).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DirStore } from '../src/lifecycle/snapshot/dir-store.js';
import { OciStore } from '../src/lifecycle/snapshot/oci-store.js';
import { registryUnavailable, startRegistry } from './local-registry.js';
import type { BenchContext, BenchResult, BenchRow } from './types.js';

/** Interleaved plain / scanned saves measured for scanSharePct (best of each). */
const SCAN_PAIRS = 5;

/** Options of {@link runSnapshotBench}. */
export interface SnapshotBenchOptions {
  /** The fixture to use (default test/fixtures/web-service). */
  fixture?: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Keep the temp directory (default false). */
  keep?: boolean;
}

/** The keys of `--json snapshot`, see the module comment for units. */
export type SnapshotBenchResult = Record<
  | 'coldMs'
  | 'fullMs'
  | 'incrementalSourceMs'
  | 'incrementalLockfileMs'
  | 'restoreExactMs'
  | 'restoreAncestorMs'
  | 'saveMBps'
  | 'restoreMBps'
  | 'tarSaveMBps'
  | 'tarRestoreMBps'
  | 'scannedSaveMBps'
  | 'scanSharePct'
  | 'ociSaveMBps'
  | 'ociRestoreMBps'
  | 'snapshotBytes',
  number
>;

const root = fileURLToPath(new URL(import.meta.url.includes('/lib/bench/') ? '../../' : '../', import.meta.url));
const bundle = path.join(root, 'action/dist/index.js');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** Runs a command; resolves with its wall time (ms). @throws Error with the output tail when it fails */
function timed(file: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString('utf8')).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/**
 * Measures everything in the module comment, in one run.
 * @returns the `--json snapshot` keys
 * @throws Error when a step fails (npm offline, no zstd, …)
 */
export async function runSnapshotBench(options: SnapshotBenchOptions = {}): Promise<SnapshotBenchResult> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const fixture = options.fixture ?? path.join(root, 'test/fixtures/web-service');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'prebuilds-bench-'));
  const store = path.join(tmp, 'store');
  let n = 0;
  const fresh = async (prefix: string) => mkdtemp(path.join(tmp, `${prefix}-${++n}-`));
  const npmEnv = async (): Promise<NodeJS.ProcessEnv> => ({ ...process.env, npm_config_cache: await fresh('npm-cache'), npm_config_update_notifier: 'false' });
  const action = async (ws: string, inputs: Record<string, string>): Promise<number> => {
    const env: NodeJS.ProcessEnv = { ...(await npmEnv()), GITHUB_WORKSPACE: ws, RUNNER_TEMP: await fresh('runner') };
    for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('GITHUB_STEP') || k === 'GITHUB_OUTPUT') delete env[k];
    for (const [k, v] of Object.entries({ store: `dir:${store}`, ...inputs })) env[`INPUT_${k.toUpperCase()}`] = v;
    return timed(process.execPath, [bundle], { cwd: ws, env });
  };
  const origin = path.join(tmp, 'origin');
  const clone = async (sha: string, depth: number): Promise<{ ws: string; ms: number }> => {
    const ws = await fresh('ws');
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
  try {
    await cp(fixture, origin, { recursive: true });
    git(origin, 'init', '-q', '-b', 'main');
    const c1 = commit('web service');
    const r = {} as SnapshotBenchResult;

    log('(a) cold workspace: clone + onCreate (npm ci, empty npm cache) + updateContent + postCreate');
    {
      const empty = path.join(tmp, 'no-prebuilds');
      const { ws, ms } = await clone(c1, 1);
      r.coldMs = ms + (await action(ws, { mode: 'restore', store: `dir:${empty}` }));
    }
    log('(b) full prebuild through the bundled action');
    const built = await clone(c1, 1);
    r.fullMs = await action(built.ws, { 'prebuild-id': 'full' });

    log('(c) incremental prebuild after a source-only commit');
    const todos = path.join(origin, 'src/todos.ts');
    await writeFile(todos, `${await readFile(todos, 'utf8')}\nexport const LIMIT = 100;\n`);
    const c2 = commit('source change');
    r.incrementalSourceMs = await action((await clone(c2, 1)).ws, { 'prebuild-id': 'src', base: `prebuilds-v1/devcontainer/${c1}/full` });

    log('(d) incremental prebuild after a lockfile change (one more dependency)');
    await cp(path.join(origin, 'variants/add-dependency/package.json'), path.join(origin, 'package.json'));
    await cp(path.join(origin, 'variants/add-dependency/package-lock.json'), path.join(origin, 'package-lock.json'));
    const c3 = commit('add dotenv');
    const lockWs = (await clone(c3, 1)).ws;
    r.incrementalLockfileMs = await action(lockWs, { 'prebuild-id': 'lock', base: `prebuilds-v1/devcontainer/${c2}/src` });
    const installed = await readFile(path.join(lockWs, 'node_modules/dotenv/package.json')).then(
      () => true,
      () => false,
    );
    log(`    dotenv installed by the incremental prebuild: ${installed ? 'yes' : 'NO (npm ci is in onCreateCommand, which incremental prebuilds skip)'}`);

    log('(e) workspace ready from restore, exact hit');
    {
      const { ws, ms } = await clone(c3, 1);
      r.restoreExactMs = ms + (await action(ws, { mode: 'restore' }));
    }
    log('(f) workspace ready from restore, ancestor hit (full history)');
    await writeFile(todos, `${await readFile(todos, 'utf8')}export const PAGE = 20;\n`);
    const c4 = commit('another source change');
    {
      const { ws, ms } = await clone(c4, 0);
      r.restoreAncestorMs = ms + (await action(ws, { mode: 'restore' }));
    }

    log('(g) snapshot throughput: dir store vs plain tar | zstd -T0 -3 of the same tree');
    const tree = built.ws;
    const treeBytes = Number(execFileSync('du', ['-sb', '--apparent-size', tree], { encoding: 'utf8' }).split('\t')[0]);
    const mbps = (ms: number) => Math.round((treeBytes / 1e6 / (ms / 1000)) * 10) / 10;
    const best = async (f: () => Promise<number>) => Math.min(await f(), await f());
    let saved: { store: DirStore; key: string } | null = null;
    r.saveMBps = mbps(
      await best(async () => {
        const target = { store: new DirStore(await fresh('g-store')), key: 'bench/snapshot' };
        const started = performance.now();
        r.snapshotBytes = (await target.store.save(target.key, ['.'], tree)).bytes;
        const ms = performance.now() - started;
        saved = target;
        return ms;
      }),
    );
    const { store: savedStore, key: savedKey } = saved!;
    r.restoreMBps = mbps(
      await best(async () => {
        const into = await fresh('g-into');
        const started = performance.now();
        await savedStore.restore(savedKey, ['.'], into);
        return performance.now() - started;
      }),
    );
    const secrets = ['NPM_TOKEN', 'REGISTRY_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'SENTRY_DSN', 'GITHUB_TOKEN'].map((name) => ({
      name,
      value: `${name.toLowerCase()}_${randomBytes(20).toString('hex')}`,
    }));
    // The scan's share: saves without and with the scan, interleaved so that load from other
    // processes hits both alike, best of SCAN_PAIRS each (a share of a few ms needs it).
    const saveMs = async (name: string, withSecrets: boolean) => {
      const store = new DirStore(await fresh(name));
      const started = performance.now();
      await store.save('bench/scanned', ['.'], tree, undefined, withSecrets ? { secrets } : undefined);
      return performance.now() - started;
    };
    let plainSaveMs = Infinity;
    let scannedMs = Infinity;
    for (let i = 0; i < SCAN_PAIRS; i++) {
      plainSaveMs = Math.min(plainSaveMs, await saveMs(`g-plain-${i}`, false));
      scannedMs = Math.min(scannedMs, await saveMs(`g-scan-${i}`, true));
    }
    r.scannedSaveMBps = mbps(scannedMs);
    r.scanSharePct = Math.round(Math.max(0, (scannedMs - plainSaveMs) / scannedMs) * 1000) / 10;
    const noRegistry = registryUnavailable();
    if (noRegistry) {
      log(`    oci: store not measured: ${noRegistry}`);
      r.ociSaveMBps = 0;
      r.ociRestoreMBps = 0;
    } else {
      const registry = await startRegistry();
      try {
        const oci = new OciStore({ registry: registry.host, name: 'bench/snapshots' });
        // One save: a second one of the same tree could find its layer already in the registry.
        const ociKey = `prebuilds-v1/bench/${'0'.repeat(40)}/1`;
        const saveStarted = performance.now();
        await oci.save(ociKey, ['.'], tree);
        r.ociSaveMBps = mbps(performance.now() - saveStarted);
        r.ociRestoreMBps = mbps(
          await best(async () => {
            const into = await fresh('g-oci');
            const started = performance.now();
            await oci.restore(ociKey, ['.'], into);
            return performance.now() - started;
          }),
        );
      } finally {
        await registry.stop();
      }
    }
    const plain = path.join(tmp, 'plain.tar.zst');
    r.tarSaveMBps = mbps(await best(() => timed('sh', ['-c', `tar --posix -cf - -C "${tree}" . | zstd -T0 -3 -q -f -o "${plain}"`], { cwd: tmp })));
    r.tarRestoreMBps = mbps(await best(async () => timed('sh', ['-c', `zstd -d -q -c "${plain}" | tar -xf - -C "${await fresh('g-plain')}"`], { cwd: tmp })));
    log(`    tree ${Math.round(treeBytes / 1e6)} MB, archive ${Math.round(r.snapshotBytes / 1e6)} MB`);
    for (const k of Object.keys(r) as Array<keyof SnapshotBenchResult>) if (k.endsWith('Ms')) r[k] = Math.round(r[k]);
    return r;
  } finally {
    if (!options.keep) await rm(tmp, { recursive: true, force: true });
  }
}

/** The table rows of a result, with the targets as ratios (targets are reported, not asserted). */
export function snapshotRows(r: SnapshotBenchResult): BenchRow[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const x = (a: number, b: number) => `${(a / b).toFixed(1)}× faster than (a)`;
  const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`;
  const ok = (pass: boolean) => (pass ? 'met' : 'missed');
  return [
    { metric: '(a) cold workspace: clone + full lifecycle', value: s(r.coldMs) },
    { metric: '(b) full prebuild (bundled action, dir store)', value: s(r.fullMs) },
    {
      metric: '(c) incremental prebuild, source-only commit',
      value: s(r.incrementalSourceMs),
      target: '≤ 25% of (b)',
      note: `${pct(r.incrementalSourceMs, r.fullMs)}: ${ok(r.incrementalSourceMs <= 0.25 * r.fullMs)}`,
    },
    { metric: '(d) incremental prebuild, lockfile change', value: s(r.incrementalLockfileMs), note: `${pct(r.incrementalLockfileMs, r.fullMs)} of (b)` },
    {
      metric: '(e) ready from restore, exact hit',
      value: s(r.restoreExactMs),
      target: '≥ 5× faster than (a)',
      note: `${x(r.coldMs, r.restoreExactMs)}: ${ok(r.coldMs >= 5 * r.restoreExactMs)}`,
    },
    { metric: '(f) ready from restore, ancestor hit', value: s(r.restoreAncestorMs), note: x(r.coldMs, r.restoreAncestorMs) },
    {
      metric: '(g) save MB/s, dir store / plain tar|zstd -3',
      value: `${r.saveMBps} / ${r.tarSaveMBps}`,
      target: '≥ 80%',
      note: `${pct(r.saveMBps, r.tarSaveMBps)}: ${ok(r.saveMBps >= 0.8 * r.tarSaveMBps)}`,
    },
    {
      metric: '(g) restore MB/s, dir store / plain zstd|tar',
      value: `${r.restoreMBps} / ${r.tarRestoreMBps}`,
      target: '≥ 80%',
      note: `${pct(r.restoreMBps, r.tarRestoreMBps)}: ${ok(r.restoreMBps >= 0.8 * r.tarRestoreMBps)}`,
    },
    {
      metric: '(g) save MB/s with the secret scan (5 values)',
      value: `${r.scannedSaveMBps}`,
      target: 'scan ≤ 10% of save time',
      note: `${r.scanSharePct}%: ${ok(r.scanSharePct <= 10)}`,
    },
    { metric: '(g) oci: store save / restore MB/s (local docker-registry)', value: `${r.ociSaveMBps} / ${r.ociRestoreMBps}` },
    { metric: 'snapshot size', value: `${(r.snapshotBytes / 1e6).toFixed(1)} MB` },
  ];
}

/** A Markdown table of a result (see {@link snapshotRows}). */
export function snapshotTable(r: SnapshotBenchResult): string {
  const rows = snapshotRows(r).map((row) => `| ${[row.metric, String(row.value), row.target ?? '', row.note ?? ''].join(' | ')} |`);
  return ['| step | result | target | ratio |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The `bench/main.ts` entry (`npm run bench -- snapshot`, `--json snapshot`): metrics are the {@link SnapshotBenchResult} keys. */
export async function run(context: BenchContext): Promise<BenchResult> {
  const metrics = await runSnapshotBench({ log: context.log });
  return { metrics, rows: snapshotRows(metrics) };
}
