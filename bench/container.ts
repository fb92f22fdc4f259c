/**
 * Container benchmark (issue 9): a ready dev container from a container-mode
 * prebuild versus the cold path, on demo/container-fixture (a Dockerfile FROM the
 * local Debian base that apt-installs jq, a local Feature, onCreate "installs"
 * dependencies for 2 s). Real Docker, @devcontainers/cli, the BUNDLED action as a
 * child process, the `prebuilds` CLI as a child process, the registry
 * scripts/services/docker.sh starts (`PREBUILDS_REGISTRY`, default 127.0.0.1:5055;
 * each run pushes under its own path).
 *
 * Measured, in one run (ms unless named otherwise):
 * - coldMs: clone + `devcontainer up` with no image on the engine (build, Features,
 *   onCreate, updateContent, postCreate, postStart);
 * - fullMs: a container prebuild from scratch (build, onCreate + updateContent in the
 *   container, commit, push, workspace snapshot); pushMs: its `docker push`;
 * - incrementalMs: an incremental container prebuild after a source-only commit
 *   (pull the base's image, updateContent only, commit, push one layer);
 * - upFromPrebuildMs: clone + `prebuilds up` with no image on the engine (restore the
 *   workspace, pull, start, postCreate + postStart in one `devcontainer up`), the median
 *   of three runs; pullMs: that run's pull; `up*` keys: that run's breakdown ({@link UpBreakdown});
 * - imageBytes: the prebuilt image (uncompressed); workspaceBytes: the workspace snapshot archive.
 *
 * Then the same on a more realistic variant (`realistic*` keys: coldMs, upFromPrebuildMs,
 * speedup, imageBytes): onCreateCommand installs a real dependency (python3 with apt from
 * Debian's mirror) instead of sleeping 2 s, so the cold path costs what a real setup costs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMarker } from '../src/lifecycle/marker.js';
import type { BenchContext, BenchResult } from './types.js';

const root = fileURLToPath(new URL(import.meta.url.includes('/lib/bench/') ? '../../' : '../', import.meta.url));
const bundle = path.join(root, 'action/dist/index.js');
const cliMain = path.join(root, 'lib/src/cli/main.js');
const devcontainer = path.join(root, 'node_modules/@devcontainers/cli/devcontainer.js');

/** `prebuilds up` runs, each from a fresh clone with no image on the engine: the median is reported (one run is at the mercy of the machine's load). */
const UP_RUNS = 3;

/**
 * Where one `prebuilds up` spent its time, ms (the pull overlaps the restore and the
 * container's start, so the parts add up to more than the whole):
 * - upCloneMs: `git clone` + checkout;
 * - upStartupMs: the `prebuilds` process until the restore starts (Node, reading the
 *   configuration, `docker info`) and after the container is ready (exit);
 * - upRestoreMs: finding and restoring the workspace snapshot;
 * - upPullMs: `docker pull` of the image;
 * - upDevcontainerMs: `devcontainer up` (started while the pull runs);
 * - upContainerRunMs: in it, `docker run` until the container says it started;
 * - upHooksMs: in it, postCreate + postStart + postAttach.
 */
export type UpBreakdown = Record<'upCloneMs' | 'upStartupMs' | 'upRestoreMs' | 'upPullMs' | 'upDevcontainerMs' | 'upContainerRunMs' | 'upHooksMs', number>;

/** The keys of `--json container`, see the module comment for units. */
export type ContainerBenchResult = Record<
  'coldMs' | 'upFromPrebuildMs' | 'fullMs' | 'incrementalMs' | 'pushMs' | 'pullMs' | 'imageBytes' | 'workspaceBytes' | 'speedup',
  number
> &
  UpBreakdown;

/** The part of `prebuilds up`'s JSON outcome the benchmark reads (src/container/up.ts UpOutcome). */
interface UpJson {
  containerId: string;
  image: string;
  hit: string;
  restoreMs: number;
  pullMs: number;
  upMs: number;
  durationMs: number;
  hooks: Array<{ action: string; durationMs?: number }>;
}

/** Milliseconds between the first log lines (`[ISO time] …`) matching `from` and `to`, NaN when absent. */
function logSpan(output: string, from: RegExp, to: RegExp): number {
  const at = (re: RegExp) => {
    for (const line of output.split('\n')) {
      const m = /^\[(\d{4}-\d\d-\d\dT[\d:.]+Z)\] (.*)$/.exec(line);
      if (m && re.test(m[2]!)) return Date.parse(m[1]!);
    }
    return NaN;
  };
  return Math.round(at(to) - at(from));
}

/** The breakdown of one `prebuilds up` run from its JSON outcome and its log (stderr). */
function upBreakdown(cloneMs: number, processMs: number, o: UpJson, output: string): UpBreakdown {
  return {
    upCloneMs: Math.round(cloneMs),
    upStartupMs: Math.round(processMs - o.durationMs),
    upRestoreMs: o.restoreMs,
    upPullMs: o.pullMs,
    upDevcontainerMs: o.upMs,
    upContainerRunMs: logSpan(output, /^Start: Run: docker run /, /^Container started/),
    upHooksMs: o.hooks.reduce((sum, h) => sum + (h.action === 'run' ? (h.durationMs ?? 0) : 0), 0),
  };
}

/** Runs git with a bench identity; returns trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** Runs docker; returns trimmed stdout. @throws Error when it fails */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Runs a command; resolves with its wall time (ms) and stdout. @throws Error with the output tail when it fails */
export function timed(file: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ ms: number; stdout: string; output: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      output += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ ms: performance.now() - started, stdout, output })
        : reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

/** What a container benchmark works in (see {@link benchSetup}). */
export interface BenchSetup {
  /** The local base image (`PREBUILDS_BASE_IMAGE`). */
  baseImage: string;
  /** A repository of the local registry unique to this run (`PREBUILDS_REGISTRY`/PREFIX-<ms>). */
  registry: string;
  /** The run's temporary directory (the caller removes it). */
  tmp: string;
  /** A `dir:` store's directory in it. */
  store: string;
  /** The fixture repository's directory in it (the caller fills and commits it). */
  origin: string;
  /** A new directory in `tmp` named after `prefix`. */
  fresh(prefix: string): Promise<string>;
  /** A clone of `origin` at `sha` in a new directory, and how long it took (ms). */
  clone(sha: string): Promise<{ ws: string; ms: number }>;
}

/**
 * The setup the container and compose benchmarks share.
 * @param name the benchmark (temporary directory prefix)
 * @param registryPrefix the registry repository's prefix
 * @throws Error when the base image is not on the engine
 */
export async function benchSetup(name: string, registryPrefix: string): Promise<BenchSetup> {
  const baseImage = process.env.PREBUILDS_BASE_IMAGE || 'local/debian:bookworm';
  const registry = `${process.env.PREBUILDS_REGISTRY || '127.0.0.1:5055'}/${registryPrefix}-${Date.now()}`;
  try {
    docker('image', 'inspect', baseImage);
  } catch {
    throw new Error(`the base image ${baseImage} is missing: run sudo scripts/services/docker.sh first`);
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), `prebuilds-bench-${name}-`));
  const origin = path.join(tmp, 'origin');
  let n = 0;
  const fresh = async (prefix: string) => mkdtemp(path.join(tmp, `${prefix}-${++n}-`));
  const clone = async (sha: string): Promise<{ ws: string; ms: number }> => {
    const ws = await fresh('ws');
    const started = performance.now();
    git(ws, 'clone', '-q', origin, '.');
    git(ws, 'checkout', '-q', '--detach', sha);
    return { ws, ms: performance.now() - started };
  };
  return { baseImage, registry, tmp, store: path.join(tmp, 'store'), origin, fresh, clone };
}

/**
 * Measures everything in the module comment, in one run.
 * @throws Error when Docker, the base image or the registry is missing, or a step fails
 */
export async function runContainerBench(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: { realistic?: boolean } = {},
): Promise<ContainerBenchResult> {
  const { baseImage, registry, tmp, store, origin, fresh, clone } = await benchSetup('container', 'bench');
  const commit = (message: string): string => {
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', message);
    return git(origin, 'rev-parse', 'HEAD');
  };
  const action = async (ws: string, inputs: Record<string, string>) => {
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_WORKSPACE: ws, RUNNER_TEMP: await fresh('runner') };
    for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('GITHUB_STEP') || k === 'GITHUB_OUTPUT') delete env[k];
    for (const [k, v] of Object.entries({ store: `dir:${store}`, registry, 'container-mode': 'container', ...inputs })) env[`INPUT_${k.toUpperCase()}`] = v;
    return timed(process.execPath, [bundle], { cwd: ws, env });
  };
  const imagesBefore = new Set(docker('images', '--all', '--quiet', '--no-trunc').split('\n'));
  try {
    await cp(path.join(root, 'demo/container-fixture'), origin, { recursive: true });
    if (opts.realistic) {
      // A real dependency install in onCreateCommand instead of the 2 s stand-in: the project's
      // runtime (python3, ~30 MB) from Debian's mirror, as many projects' setup scripts do.
      const install = path.join(origin, 'scripts/install.sh');
      const script = await readFile(install, 'utf8');
      if (!script.includes('sleep 2\n')) throw new Error('demo/container-fixture/scripts/install.sh no longer has the 2 s stand-in');
      await writeFile(
        install,
        script.replace(
          'sleep 2\n',
          'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin\n',
        ),
      );
    }
    const config = path.join(origin, '.devcontainer/devcontainer.json');
    // A build argument unique to this run: the cold build cannot be answered from the engine's layer
    // cache (an earlier run's, or another checkout's with the same Dockerfile).
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace('"BASE_IMAGE": "local/debian:bookworm"', `"BASE_IMAGE": "${baseImage}", "BENCH_RUN": "${path.basename(tmp)}"`),
    );
    git(origin, 'init', '-q', '-b', 'main');
    const c1 = commit('fixture');
    const r = {} as ContainerBenchResult;

    log('(a) cold: clone + devcontainer up (build, Features, onCreate, updateContent, postCreate, postStart)');
    {
      const { ws, ms } = await clone(c1);
      const up = await timed(process.execPath, [devcontainer, 'up', '--workspace-folder', ws, '--id-label', `prebuilds.bench=${path.basename(tmp)}`], {
        cwd: ws,
      });
      r.coldMs = Math.round(ms + up.ms);
      const id = (JSON.parse(up.stdout.trim().split('\n').pop()!) as { containerId: string }).containerId;
      const image = docker('inspect', '--format', '{{.Image}}', id);
      docker('rm', '-f', id);
      docker('image', 'rm', '--force', image); // the next steps start without this build's layers
      // The CLI's Features staging image of this build (the action's runs remove their own).
      // Its child (the stage built on it) first: it is left untagged.
      const staging = docker('images', '--quiet', '--no-trunc', 'dev_container_feature_content_temp');
      if (staging && !imagesBefore.has(staging)) {
        for (const child of docker('images', '--all', '--quiet', '--no-trunc', '--filter', 'dangling=true').split('\n'))
          if (child && !imagesBefore.has(child) && docker('image', 'inspect', '--format', '{{.Parent}}', child) === staging) docker('image', 'rm', child);
        docker('image', 'rm', staging);
      }
    }

    log('(b) full container prebuild through the bundled action');
    const full = await action((await clone(c1)).ws, { 'prebuild-id': 'full' });
    r.fullMs = Math.round(full.ms);
    r.pushMs = Number(/Pushed \S+ \(\d+ bytes\) in (\d+) ms/.exec(full.output)?.[1] ?? NaN);
    const fullResult = JSON.parse(/^::notice title=prebuild-result::(.*)$/m.exec(full.output)![1]!) as { snapshotBytes: number };
    r.workspaceBytes = fullResult.snapshotBytes;

    log('(c) incremental container prebuild after a source-only commit');
    await writeFile(path.join(origin, 'src/main.txt'), 'v2\n');
    const c2 = commit('source change');
    const incWs = (await clone(c2)).ws;
    r.incrementalMs = Math.round((await action(incWs, { 'prebuild-id': 'inc', base: `prebuilds-v1/devcontainer/${c1}/full` })).ms);
    const marker = parseMarker(await readFile(path.join(incWs, '.prebuilds/marker.json'), 'utf8'));
    r.imageBytes = marker?.image?.bytes ?? NaN;

    log(`(d) ready from the prebuild: clone + prebuilds up (pull, start, postCreate, postStart), median of ${UP_RUNS}`);
    const ups: Array<{ ms: number; pullMs: number; breakdown: UpBreakdown }> = [];
    for (let i = 0; i < UP_RUNS; i++) {
      const { ws, ms } = await clone(c2);
      const up = await timed(process.execPath, [cliMain, 'up', ws, '--store', `dir:${store}`], { cwd: ws });
      const outcome = JSON.parse(up.stdout) as UpJson;
      docker('rm', '-f', outcome.containerId);
      docker('image', 'rm', outcome.image); // every run pulls
      if (outcome.hit !== 'exact') throw new Error(`prebuilds up found no exact prebuild (${outcome.hit})`);
      ups.push({ ms: ms + up.ms, pullMs: outcome.pullMs, breakdown: upBreakdown(ms, up.ms, outcome, up.output) });
    }
    const median = ups.sort((a, b) => a.ms - b.ms)[Math.floor(UP_RUNS / 2)]!;
    r.upFromPrebuildMs = Math.round(median.ms);
    r.pullMs = median.pullMs;
    Object.assign(r, median.breakdown);
    r.speedup = Math.round((r.coldMs / r.upFromPrebuildMs) * 10) / 10;
    return r;
  } finally {
    for (const id of docker('ps', '--all', '--quiet', '--filter', `label=prebuilds.bench=${path.basename(tmp)}`)
      .split('\n')
      .filter(Boolean))
      docker('rm', '-f', id);
    // What the cold build left (multi-stage leftovers, the CLI's Features content image), never an image that was there before.
    const ofThisRun = (id: string) => {
      try {
        return docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', id).includes(`BENCH_RUN=${path.basename(tmp)}`);
      } catch {
        return false;
      }
    };
    const remove = (id: string) => {
      try {
        docker('image', 'rm', '--force', id);
      } catch {
        // gone already, or still has a child (the next pass)
      }
    };
    for (let pass = 0; pass < 2; pass++) {
      // Only this run's builds (their history carries its BENCH_RUN value): another job's images on the engine stay.
      for (const id of docker('images', '--all', '--quiet', '--no-trunc', '--filter', 'dangling=true').split('\n'))
        if (id && !imagesBefore.has(id) && ofThisRun(id)) remove(id);
      const temp = docker('images', '--quiet', '--no-trunc', 'dev_container_feature_content_temp');
      if (temp && !imagesBefore.has(temp)) remove(temp);
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

/** `npm run bench -- container` / `--json container`. */
export async function run(context: BenchContext): Promise<BenchResult> {
  const r = await runContainerBench((l) => context.log(l));
  context.log('the same with a realistic onCreateCommand (apt-get install python3 instead of the 2 s stand-in)');
  const real = await runContainerBench((l) => context.log(l), { realistic: true });
  return {
    metrics: {
      ...r,
      realisticColdMs: real.coldMs,
      realisticUpFromPrebuildMs: real.upFromPrebuildMs,
      realisticSpeedup: real.speedup,
      realisticImageBytes: real.imageBytes,
      ...Object.fromEntries(
        Object.entries(real)
          .filter(([k]) => k.startsWith('up'))
          .map(([k, v]) => [`realistic${k[0]!.toUpperCase()}${k.slice(1)}`, v]),
      ),
    },
    rows: [
      { metric: 'coldMs', value: r.coldMs, note: 'clone + devcontainer up: build, Features, every hook' },
      {
        metric: 'upFromPrebuildMs',
        value: r.upFromPrebuildMs,
        target: '≤ coldMs / 5',
        note: `clone + prebuilds up (pull ${r.pullMs} ms); ${r.speedup}× faster`,
      },
      { metric: 'fullMs', value: r.fullMs, note: `container prebuild from scratch (push ${r.pushMs} ms)` },
      { metric: 'incrementalMs', value: r.incrementalMs, note: 'from the base image: updateContent only, one layer pushed' },
      { metric: 'imageBytes', value: r.imageBytes, note: 'prebuilt image, uncompressed' },
      { metric: 'workspaceBytes', value: r.workspaceBytes, note: 'workspace snapshot archive' },
      { metric: 'realisticColdMs', value: real.coldMs, note: 'cold, onCreateCommand apt-installs python3' },
      {
        metric: 'realisticUpFromPrebuildMs',
        value: real.upFromPrebuildMs,
        target: '≤ realisticColdMs / 5',
        note: `prebuilds up (pull ${real.pullMs} ms, image ${Math.round(real.imageBytes / 1e6)} MB); ${real.speedup}× faster`,
      },
      ...(['', 'realistic'] as const).map((variant) => {
        const b = variant ? real : r;
        return {
          metric: `${variant ? 'realisticUp' : 'up'}Breakdown`,
          value: b.upFromPrebuildMs,
          note: `clone ${b.upCloneMs}, prebuilds process ${b.upStartupMs}, restore ${b.upRestoreMs}, pull ${b.upPullMs} (overlapping), devcontainer up ${b.upDevcontainerMs} (docker run ${b.upContainerRunMs}, hooks ${b.upHooksMs})`,
        };
      }),
    ],
  };
}
