/**
 * Docker Compose benchmark (container mode, issue 9): a ready compose dev container from
 * a prebuild versus the cold path, on test/fixtures/compose-project (the `app` service
 * built FROM the local Debian base, a `cache` service from the same base, onCreate
 * "installs" dependencies for 2 s). Real Docker, docker-compose, @devcontainers/cli, the
 * BUNDLED action and the `prebuilds` CLI as child processes, the registry
 * scripts/services/docker.sh starts (`PREBUILDS_REGISTRY`, default 127.0.0.1:5055; each
 * run pushes under its own path).
 *
 * Measured (ms unless named otherwise):
 * - coldMs: clone + `devcontainer up` (build the app image, start both services, onCreate,
 *   updateContent, postCreate, postStart);
 * - fullMs: a compose prebuild through the action (a project of its own, build, onCreate +
 *   updateContent in the app container, commit, push, workspace snapshot, project down);
 *   pushMs: its `docker push`;
 * - upFromPrebuildMs: clone + `prebuilds up` with no image on the engine (restore the
 *   workspace, pull, start the project with the prebuilt app image, postCreate +
 *   postStart), the median of three runs; pullMs: that run's pull;
 * - imageBytes: the prebuilt app image (uncompressed); speedup: coldMs / upFromPrebuildMs.
 *
 * Then the same with a realistic onCreateCommand (`realistic*` keys): python3 apt-installed
 * from Debian's mirror instead of the 2 s stand-in, so the cold path costs what a real setup costs.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeDown, defaultProjectName } from '../src/container/compose.js';
import { benchSetup, docker, git, timed } from './container.js';
import type { BenchContext, BenchResult } from './types.js';

const root = fileURLToPath(new URL(import.meta.url.includes('/lib/bench/') ? '../../' : '../', import.meta.url));
const bundle = path.join(root, 'action/dist/index.js');
const cliMain = path.join(root, 'lib/src/cli/main.js');
const devcontainer = path.join(root, 'node_modules/@devcontainers/cli/devcontainer.js');
const UP_RUNS = 3;

/** The keys of `--json compose`, see the module comment for units. */
export type ComposeBenchResult = Record<'coldMs' | 'upFromPrebuildMs' | 'fullMs' | 'pushMs' | 'pullMs' | 'imageBytes' | 'speedup', number>;

/** Takes a clone's compose project (the name the CLI gives it) down with its volumes, and removes the app image it built. */
async function down(ws: string): Promise<void> {
  const files = ['.devcontainer/docker-compose.yml'];
  const project = await defaultProjectName(ws, files, {});
  await composeDown(project, ws, files, process.env);
  for (const image of docker('images', '--quiet', '--filter', `reference=${project}_*`).split('\n').filter(Boolean)) docker('image', 'rm', '--force', image);
}

/**
 * Measures everything in the module comment.
 * @throws Error when Docker, docker-compose, the base image or the registry is missing, or a step fails
 */
export async function runComposeBench(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: { realistic?: boolean } = {},
): Promise<ComposeBenchResult> {
  const { baseImage, registry, tmp, store, origin, fresh, clone } = await benchSetup('compose', 'bench-compose');
  const started: string[] = [];
  try {
    await cp(path.join(root, 'test/fixtures/compose-project'), origin, { recursive: true });
    const compose = path.join(origin, '.devcontainer/docker-compose.yml');
    // A build argument unique to this run: the cold build is not answered from the layer cache.
    await writeFile(
      compose,
      (await readFile(compose, 'utf8'))
        .replace('BASE_IMAGE: local/debian:bookworm', `BASE_IMAGE: ${baseImage}\n        BENCH_RUN: ${path.basename(tmp)}`)
        .replaceAll('local/debian:bookworm', baseImage),
    );
    if (opts.realistic) {
      // A real dependency install in onCreateCommand instead of the 2 s stand-in (as bench/container.ts).
      const install = path.join(origin, 'scripts/install.sh');
      const script = await readFile(install, 'utf8');
      if (!script.includes('sleep 2\n')) throw new Error('test/fixtures/compose-project/scripts/install.sh no longer has the 2 s stand-in');
      await writeFile(
        install,
        script.replace(
          'sleep 2\n',
          'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin\n',
        ),
      );
    }
    git(origin, 'init', '-q', '-b', 'main');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'fixture');
    const sha = git(origin, 'rev-parse', 'HEAD');
    const r = {} as ComposeBenchResult;

    log('(a) cold: clone + devcontainer up (build the app image, both services, every hook)');
    {
      const { ws, ms } = await clone(sha);
      started.push(ws);
      const up = await timed(process.execPath, [devcontainer, 'up', '--workspace-folder', ws], { cwd: ws });
      r.coldMs = Math.round(ms + up.ms);
      await down(ws);
    }

    log('(b) compose prebuild through the bundled action');
    {
      const { ws } = await clone(sha);
      const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_WORKSPACE: ws, RUNNER_TEMP: await fresh('runner') };
      for (const k of Object.keys(env)) if (k.startsWith('INPUT_') || k.startsWith('GITHUB_STEP') || k === 'GITHUB_OUTPUT') delete env[k];
      const inputs = { store: `dir:${store}`, registry, 'container-mode': 'container', 'prebuild-id': 'full', sha };
      for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
      const full = await timed(process.execPath, [bundle], { cwd: ws, env });
      r.fullMs = Math.round(full.ms);
      const pushed = /Pushed \S+ \((\d+) bytes\) in (\d+) ms/.exec(full.output);
      r.imageBytes = Number(pushed?.[1] ?? NaN);
      r.pushMs = Number(pushed?.[2] ?? NaN);
    }

    log(`(c) ready from the prebuild: clone + prebuilds up (pull, start the project, postCreate, postStart), median of ${UP_RUNS}`);
    const ups: Array<{ ms: number; pullMs: number }> = [];
    for (let i = 0; i < UP_RUNS; i++) {
      const { ws, ms } = await clone(sha);
      started.push(ws);
      const up = await timed(process.execPath, [cliMain, 'up', ws, '--store', `dir:${store}`], { cwd: ws });
      const outcome = JSON.parse(up.stdout) as { image: string; pullMs: number; hit: string };
      await down(ws);
      docker('image', 'rm', outcome.image); // every run pulls
      if (outcome.hit !== 'exact') throw new Error(`prebuilds up found no exact prebuild (${outcome.hit})`);
      ups.push({ ms: ms + up.ms, pullMs: outcome.pullMs });
    }
    const median = ups.sort((a, b) => a.ms - b.ms)[Math.floor(UP_RUNS / 2)]!;
    r.upFromPrebuildMs = Math.round(median.ms);
    r.pullMs = median.pullMs;
    r.speedup = Math.round((r.coldMs / r.upFromPrebuildMs) * 10) / 10;
    return r;
  } finally {
    for (const ws of started) {
      try {
        await down(ws);
      } catch {
        // already down
      }
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

/** `npm run bench -- compose` / `--json compose`. */
export async function run(context: BenchContext): Promise<BenchResult> {
  const r = await runComposeBench((l) => context.log(l));
  context.log('the same with a realistic onCreateCommand (apt-get install python3 instead of the 2 s stand-in)');
  const real = await runComposeBench((l) => context.log(l), { realistic: true });
  return {
    metrics: {
      ...r,
      realisticColdMs: real.coldMs,
      realisticUpFromPrebuildMs: real.upFromPrebuildMs,
      realisticFullMs: real.fullMs,
      realisticSpeedup: real.speedup,
      realisticImageBytes: real.imageBytes,
    },
    rows: [
      { metric: 'coldMs', value: r.coldMs, note: 'clone + devcontainer up: build the app image, both services, every hook' },
      {
        metric: 'upFromPrebuildMs',
        value: r.upFromPrebuildMs,
        target: '≤ coldMs / 5',
        note: `clone + prebuilds up (pull ${r.pullMs} ms); ${r.speedup}× faster`,
      },
      { metric: 'fullMs', value: r.fullMs, note: `compose prebuild from scratch (push ${r.pushMs} ms)` },
      { metric: 'imageBytes', value: r.imageBytes, note: 'prebuilt app image, uncompressed' },
      { metric: 'realisticColdMs', value: real.coldMs, note: 'cold, onCreateCommand apt-installs python3' },
      {
        metric: 'realisticUpFromPrebuildMs',
        value: real.upFromPrebuildMs,
        target: '≤ realisticColdMs / 5',
        note: `prebuilds up (pull ${real.pullMs} ms, image ${Math.round(real.imageBytes / 1e6)} MB); ${real.speedup}× faster`,
      },
      { metric: 'realisticFullMs', value: real.fullMs, note: 'compose prebuild from scratch, onCreateCommand apt-installs python3' },
    ],
  };
}
