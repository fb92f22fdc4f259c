/**
 * The demo in container mode (`npm run demo -- --container`): the same three pushes,
 * prebuilt inside the dev container of demo/container-fixture (a Dockerfile FROM the
 * local Debian base that apt-installs jq, a local Feature with its own
 * onCreateCommand), images pushed to the local registry, and at the end
 * `prebuilds up` on the last commit in a fresh clone. Needs what
 * scripts/services/docker.sh sets up (Docker, the base image, a registry on
 * 127.0.0.1:5055); `PREBUILDS_BASE_IMAGE` and `PREBUILDS_REGISTRY` override them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The base image and the registry host the container demo uses. */
export function containerSetting(env: NodeJS.ProcessEnv = process.env): { baseImage: string; registry: string } {
  return { baseImage: env.PREBUILDS_BASE_IMAGE || 'local/debian:bookworm', registry: env.PREBUILDS_REGISTRY || '127.0.0.1:5055' };
}

/**
 * Why the container demo cannot run here (Docker, the base image or the registry
 * missing), with the command that fixes it; `null` when it can.
 */
export async function containerDemoProblem(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const { baseImage, registry } = containerSetting(env);
  const fix = 'run `sudo scripts/services/docker.sh` once (installs Docker, builds the base image, starts a registry)';
  try {
    execFileSync('docker', ['image', 'inspect', baseImage], { stdio: 'pipe' });
  } catch (err) {
    const text = String((err as { stderr?: Buffer }).stderr ?? err);
    return /No such image/i.test(text) ? `the base image ${baseImage} is missing: ${fix}` : `Docker does not answer: ${fix}`;
  }
  const ok = await fetch(`http://${registry}/v2/`).then(
    (r) => r.ok,
    () => false,
  );
  return ok ? null : `no registry answers on ${registry}: ${fix}`;
}

/** Points the fixture's Dockerfile at the base image of this machine. */
export function useBaseImage(checkout: string, baseImage: string): void {
  const file = join(checkout, '.devcontainer', 'devcontainer.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"BASE_IMAGE": "local/debian:bookworm"', `"BASE_IMAGE": "${baseImage}"`));
}

/** The three changes of the container demo: a new source, a changed source (incremental), a new dependency (onCreate again). */
export const CONTAINER_CHANGES: Array<{ message: string; files: Record<string, string> }> = [
  { message: 'Add a second source', files: { 'src/second.txt': 'second\n' } },
  { message: 'Change the main source', files: { 'src/main.txt': 'v2\n' } },
  {
    message: 'Add a dependency',
    files: {
      'package.json':
        '{\n  "name": "container-fixture",\n  "private": true,\n  "dependencies": { "left-pad": "1.3.0", "is-even": "1.0.0", "is-odd": "3.0.1" }\n}\n',
    },
  },
];

/** What `prebuilds up` did for the demo's fresh clone. */
export interface DemoUp {
  hit: string;
  containerId: string;
  image: string | null;
  /** Until the container was ready, ms. */
  durationMs: number;
  /** The cold path recorded when the image lineage was built, ms. */
  coldMs: number | null;
  /** The project's tests (scripts/test.sh) passed inside the container, with no install step. */
  testsPassed: boolean;
}

/**
 * `prebuilds up` in `workspace`, then the project's tests inside the container.
 * The container is removed unless `keep`.
 */
export function upFreshWorkspace(root: string, workspace: string, snapshotDir: string, keep: boolean, print: (line: string) => void): DemoUp {
  const out = execFileSync(process.execPath, [join(root, 'lib', 'src', 'cli', 'main.js'), 'up', '--store', `dir:${snapshotDir}`, workspace], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const report = JSON.parse(out) as { hit: string; containerId: string; image: string | null; durationMs: number; coldMs: number | null };
  const cli = join(root, 'node_modules', '@devcontainers', 'cli', 'devcontainer.js');
  let testsPassed = false;
  try {
    testsPassed = execFileSync(process.execPath, [cli, 'exec', '--workspace-folder', workspace, 'sh', 'scripts/test.sh'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).includes('tests passed');
  } catch {
    testsPassed = false;
  }
  const cold = report.coldMs ? `; the cold path took ${(report.coldMs / 1000).toFixed(1)} s` : '';
  print(
    `up       ${report.hit} hit: container ${report.containerId.slice(0, 12)} ready in ${(report.durationMs / 1000).toFixed(1)} s${cold}; tests ${testsPassed ? 'pass' : 'FAIL'} inside it`,
  );
  if (keep) print(`         try: npx devcontainer exec --workspace-folder ${workspace} bash`);
  else {
    execFileSync('docker', ['rm', '-f', report.containerId], { stdio: 'ignore' });
    if (report.image) execFileSync('docker', ['image', 'rm', report.image], { stdio: 'ignore' });
  }
  return { ...report, testsPassed };
}
