/**
 * Snapshot benchmark: how much faster a workspace is ready from a prebuild, on two
 * realistic TypeScript fixtures: test/fixtures/web-service (~200 npm packages,
 * `onCreateCommand: npm ci`, `updateContentCommand: npm run build`) and
 * test/fixtures/ts-monorepo (npm workspaces, 16 packages built with `tsc -b`, ~430
 * npm packages). The lifecycle steps (bench/snapshot-lifecycle.ts) run through the
 * BUNDLED action (action/dist) with a dir: store, like a self-hosted runner; a cold
 * step starts with an empty package cache, so installs really download.
 *
 * Measured, in one run (ms unless named otherwise); the top-level step keys are
 * web-service's, `fixtures` holds one record per fixture with the same keys:
 * - coldMs: clone + full lifecycle (onCreate, updateContent, postCreate);
 * - fullMs: a prebuild from scratch; incrementalSourceMs / incrementalLockfileMs:
 *   incremental prebuilds after a source-only commit / a lockfile change;
 * - restoreExactMs / restoreAncestorMs: clone + restore mode (exact / ancestor hit),
 *   started after a quiet period (`--quiet-seconds`, default 61) following the lockfile
 *   prebuild, like a restore on another runner; restoreExactFirstMs: the same exact
 *   restore right after that prebuild, back to back on this file system (slower on ext4
 *   without a journal, which skips the inodes `npm ci` just freed: see snapshot-lifecycle.ts);
 * - breakdown: one record per fixture and step: `checkout` (the clone) and the
 *   action's `timings` output (setup, restore, download, merge, each hook, save,
 *   upload, retention), ms;
 * - correctness: lockfileDependencyInstalled, sourceSkippedOnCreate, exactHit,
 *   ancestorHit, cachesParts (see snapshot-lifecycle.ts);
 * - treeBytes, cachesBytes (the package-manager caches kept, in the tree),
 *   snapshotBytes (the full prebuild's archive, without the caches, which are a part
 *   of their own) and cachesArchiveBytes (the caches alone, compressed: their size cost);
 * - saveMBps / restoreMBps: the dir store's archive + extract throughput, and
 *   tarSaveMBps / tarRestoreMBps: plain `tar | zstd -T0 -3` of the same tree (MB/s
 *   of uncompressed tree, 1 MB = 10^6 bytes; best of 2);
 * - scannedSaveMBps: the same save with five secret values to scan for (the stream
 *   passes the secret scan between tar and zstd), and scanSharePct: the scan's cost as
 *   a share of that save's time (target ≤ 10 %), from saves without and with the scan
 *   interleaved, best of five each; scanCpuSharePct: the same share of CPU time (this
 *   process and its tar and zstd, summed over the five saves each), which other load
 *   on the machine disturbs far less than wall time;
 * - relayFloorSharePct / relayFloorCpuSharePct: the floor any relay between tar and zstd
 *   pays (the scan must be one, since it sees every byte on its way to zstd): the share of
 *   `tar | cat | zstd` against `tar | zstd` (wall and CPU), interleaved with the saves above;
 * - ociSaveMBps / ociRestoreMBps: the `oci:` store against a local docker-registry
 *   (127.0.0.1; 0 when docker-registry is not installed).
 * `--size small` (the CI test) runs web-service only and skips the throughput half;
 * `--tree DIR` runs the throughput half alone on DIR (treeBytes and the keys above).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DirStore } from '../src/lifecycle/snapshot/dir-store.js';
import { DEFAULT_QUIET_MS, duBytes, FIXTURES, runLifecycleBench, type LifecycleTimes } from './snapshot-lifecycle.js';
import { measureThroughput, throughputRows, type ThroughputKeys } from './snapshot-throughput.js';
import type { BenchContext, BenchResult, BenchRow, MetricValue } from './types.js';

/** Options of {@link runSnapshotBench}. */
export interface SnapshotBenchOptions {
  /** Fixture names (keys of FIXTURES; default both); the first one gives the top-level keys. */
  fixtures?: string[];
  /** `small` skips the throughput half (the CI test); default `full`. */
  size?: 'small' | 'full';
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Keep the temp directory (default false). */
  keep?: boolean;
  /** Quiet period before the restores, ms (snapshot-lifecycle.ts; default {@link DEFAULT_QUIET_MS}). */
  quietMs?: number;
}

/** The keys of `--json snapshot`, see the module comment for units. */
export type SnapshotBenchResult = LifecycleTimes &
  Record<'snapshotBytes' | 'treeBytes' | 'cachesBytes' | 'cachesArchiveBytes', number> &
  Partial<Record<ThroughputKeys, number>> & {
    lockfileDependencyInstalled: boolean;
    sourceSkippedOnCreate: boolean;
    cachesParts: number;
    exactHit: string;
    ancestorHit: string;
    fixtures: Array<Record<string, number | string | boolean>>;
    breakdown: Array<Record<string, number | string>>;
  };

/**
 * Measures everything in the module comment, in one run.
 * @returns the `--json snapshot` keys
 * @throws Error when a step fails (npm offline, no zstd, an unknown fixture, …)
 */
export async function runSnapshotBench(options: SnapshotBenchOptions = {}): Promise<SnapshotBenchResult> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const size = options.size ?? 'full';
  const names = options.fixtures ?? (size === 'small' ? ['web-service'] : Object.keys(FIXTURES));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'prebuilds-bench-'));
  let n = 0;
  const fresh = async (prefix: string) => mkdtemp(path.join(tmp, `${prefix}-${++n}-`));
  try {
    const runs = [];
    for (const name of names) {
      const fixture = FIXTURES[name];
      if (!fixture) throw new Error(`unknown fixture ${JSON.stringify(name)} (known: ${Object.keys(FIXTURES).join(', ')})`);
      const run = await runLifecycleBench(fixture, await fresh(name), log, { quietMs: options.quietMs ?? DEFAULT_QUIET_MS });
      const caches = new DirStore(await fresh('caches-store'));
      const cachesArchiveBytes = (await caches.save('bench/caches', ['.prebuilds/caches'], run.builtWorkspace)).bytes;
      runs.push({ name, run, cachesArchiveBytes });
    }
    const first = runs[0]!;
    const r: SnapshotBenchResult = {
      ...first.run.times,
      lockfileDependencyInstalled: first.run.lockfileDependencyInstalled,
      sourceSkippedOnCreate: first.run.sourceSkippedOnCreate,
      cachesParts: first.run.cachesParts,
      exactHit: first.run.exactHit,
      ancestorHit: first.run.ancestorHit,
      treeBytes: first.run.treeBytes,
      cachesBytes: first.run.cachesBytes,
      snapshotBytes: first.run.snapshotBytes,
      cachesArchiveBytes: first.cachesArchiveBytes,
      fixtures: runs.map(({ name, run, cachesArchiveBytes }) => ({
        fixture: name,
        ...run.times,
        lockfileDependencyInstalled: run.lockfileDependencyInstalled,
        sourceSkippedOnCreate: run.sourceSkippedOnCreate,
        cachesParts: run.cachesParts,
        exactHit: run.exactHit,
        ancestorHit: run.ancestorHit,
        treeBytes: run.treeBytes,
        cachesBytes: run.cachesBytes,
        snapshotBytes: run.snapshotBytes,
        cachesArchiveBytes,
      })),
      breakdown: runs.flatMap(({ run }) => run.breakdown),
    };
    if (size === 'small') return r;

    Object.assign(r, await measureThroughput(first.run.builtWorkspace, first.run.treeBytes, fresh, log));
    log(`    archive ${Math.round(r.snapshotBytes / 1e6)} MB`);
    return r;
  } finally {
    if (!options.keep) await rm(tmp, { recursive: true, force: true });
  }
}

/** The table rows of one fixture's steps, with the issue 15 targets as ratios (reported, not asserted). */
function lifecycleRows(fixture: string, t: LifecycleTimes): BenchRow[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const x = (a: number, b: number) => `${(a / b).toFixed(1)}× faster than (a)`;
  const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`;
  const ok = (pass: boolean) => (pass ? 'met' : 'missed');
  const f = `[${fixture}] `;
  return [
    { metric: `${f}(a) cold workspace: clone + full lifecycle`, value: s(t.coldMs) },
    { metric: `${f}(b) full prebuild (bundled action, dir store)`, value: s(t.fullMs) },
    {
      metric: `${f}(c) incremental prebuild, source-only commit`,
      value: s(t.incrementalSourceMs),
      target: '≤ 15% of (b)',
      note: `${pct(t.incrementalSourceMs, t.fullMs)}: ${ok(t.incrementalSourceMs <= 0.15 * t.fullMs)}`,
    },
    {
      metric: `${f}(d) incremental prebuild, lockfile change`,
      value: s(t.incrementalLockfileMs),
      target: '≤ 40% of (b)',
      note: `${pct(t.incrementalLockfileMs, t.fullMs)}: ${ok(t.incrementalLockfileMs <= 0.4 * t.fullMs)}`,
    },
    {
      metric: `${f}(e) ready from restore, exact hit (after the quiet period)`,
      value: s(t.restoreExactMs),
      target: '≥ 5× faster than (a)',
      note: `${x(t.coldMs, t.restoreExactMs)}: ${ok(t.coldMs >= 5 * t.restoreExactMs)}`,
    },
    {
      metric: `${f}(e) the same, right after the prebuild on this disk (no quiet period)`,
      value: s(t.restoreExactFirstMs),
      note: x(t.coldMs, t.restoreExactFirstMs),
    },
    {
      metric: `${f}(f) ready from restore, ancestor hit`,
      value: s(t.restoreAncestorMs),
      target: '≥ 8× faster than (a)',
      note: `${x(t.coldMs, t.restoreAncestorMs)}: ${ok(t.coldMs >= 8 * t.restoreAncestorMs)}`,
    },
  ];
}

/** The table rows of a result: each fixture's steps, the breakdown, sizes and throughput. */
export function snapshotRows(r: SnapshotBenchResult): BenchRow[] {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const rows = r.fixtures.flatMap((f) => lifecycleRows(String(f.fixture), f as unknown as LifecycleTimes));
  for (const b of r.breakdown) {
    const { fixture, step, totalMs, ...phases } = b;
    const parts = Object.entries(phases).map(([phase, ms]) => `${phase} ${ms}`);
    rows.push({ metric: `[${fixture}] breakdown of ${step} (ms)`, value: totalMs!, note: parts.join(', ') });
  }
  for (const f of r.fixtures) {
    rows.push({
      metric: `[${f.fixture}] snapshot size / of it package caches`,
      value: `${mb(Number(f.snapshotBytes))} / ${mb(Number(f.cachesArchiveBytes))}`,
      note: `caches ${mb(Number(f.cachesBytes))} of a ${mb(Number(f.treeBytes))} tree`,
    });
  }
  if (r.saveMBps === undefined) return rows;
  return [...rows, ...throughputRows(r as Record<ThroughputKeys, number>)];
}

/** A Markdown table of a result (see {@link snapshotRows}). */
export function snapshotTable(r: SnapshotBenchResult): string {
  const rows = snapshotRows(r).map((row) => `| ${[row.metric, String(row.value), row.target ?? '', row.note ?? ''].join(' | ')} |`);
  return ['| step | result | target | ratio |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/**
 * The `bench/main.ts` entry (`npm run bench -- snapshot [--size small] [--fixture NAME[,NAME]]
 * [--quiet-seconds S]`, `--json snapshot`): metrics are the {@link SnapshotBenchResult} keys.
 */
export async function run(context: BenchContext): Promise<BenchResult> {
  const at = (flag: string) => {
    const i = context.argv.indexOf(flag);
    return i >= 0 ? context.argv[i + 1] : undefined;
  };
  const size = at('--size');
  if (size !== undefined && size !== 'small' && size !== 'full') throw new Error(`--size must be small or full, not ${JSON.stringify(size)}`);
  const fixture = at('--fixture');
  const tree = at('--tree');
  if (tree !== undefined) {
    // The throughput half alone, on an existing directory (quick to repeat while tuning).
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'prebuilds-bench-'));
    try {
      let n = 0;
      const treeBytes = duBytes(tree);
      const r = await measureThroughput(tree, treeBytes, async (prefix) => mkdtemp(path.join(tmp, `${prefix}-${++n}-`)), context.log);
      return { metrics: { treeBytes, ...r }, rows: throughputRows(r) };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const quiet = at('--quiet-seconds');
  if (quiet !== undefined && !/^\d+$/.test(quiet)) throw new Error(`--quiet-seconds must be a whole number of seconds, not ${JSON.stringify(quiet)}`);
  const metrics = await runSnapshotBench({
    log: context.log,
    size,
    ...(fixture ? { fixtures: fixture.split(',') } : {}),
    ...(quiet !== undefined ? { quietMs: Number(quiet) * 1000 } : {}),
  });
  return { metrics: metrics as unknown as Record<string, MetricValue>, rows: snapshotRows(metrics) };
}
