/**
 * The compose stack (compose.yaml) on the real Docker engine, with images built from the
 * local Debian base (scripts/services/docker.sh) because no registry on the internet is
 * reachable: Node.js from the host's own installation (docker/node-local), PostgreSQL from
 * Debian's package (docker/postgres), the app from the repository's Dockerfile on top.
 *
 * Other runs share the engine: everything here carries the project's own name, and
 * cleanup removes only what this run created — its containers, network and volume
 * (`docker-compose down -v`) and the images its builds made (the ids the legacy builder
 * printed for steps it ran, never the ones it took from the cache). Nothing is pruned.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BASE_IMAGE, dockerRequired, dockerSkipReason } from './docker.js';
import { REPO_ROOT } from './tmp.js';

const run = promisify(execFile);

/** Why the compose test cannot run here (no Docker, no docker-compose), or null. @throws under CI when it cannot */
export function composeSkipReason(): string | null {
  const docker = dockerSkipReason();
  if (docker) return docker;
  try {
    execFileSync('docker-compose', ['version', '--short'], { stdio: 'pipe' });
    return null;
  } catch {
    const reason = 'docker-compose is not installed (Debian: apt-get install -y docker-compose)';
    if (dockerRequired()) throw new Error(`${reason}; required: CI / PREBUILDS_REQUIRE_DOCKER is set`);
    console.warn(`SKIPPED: ${reason}`);
    return reason;
  }
}

/**
 * Builds an image with the engine's (legacy) builder.
 * Retried when an intermediate image vanished under it (another run removing its own
 * new dangling images can take a step's image between two steps).
 * @returns the ids of the images the steps created (not those taken from the cache), oldest first
 * @throws Error with the build's output
 */
export async function buildImage(o: { tag: string; context: string; dockerfile?: string; args?: Record<string, string> }): Promise<string[]> {
  const created: string[] = [];
  const args = ['build', '--force-rm', '-t', o.tag, ...(o.dockerfile ? ['-f', o.dockerfile] : [])];
  for (const [k, v] of Object.entries(o.args ?? {})) args.push('--build-arg', `${k}=${v}`);
  for (let attempt = 1; ; attempt++) {
    let output: string;
    let failed = false;
    try {
      const r = await run('docker', [...args, o.context], { maxBuffer: 256 * 1024 * 1024 });
      output = r.stdout + r.stderr;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      output = `${e.stdout ?? ''}${e.stderr ?? e.message}`;
      failed = true;
    }
    // Per step: " ---> Using cache" then " ---> <id>" (taken from the cache), or " ---> <id>" alone (made now).
    for (const step of output.split(/^Step \d+\/\d+ : /m).slice(1)) {
      if (/^ ---> Using cache$/m.test(step)) continue;
      for (const m of step.matchAll(/^ ---> ([0-9a-f]{12,64})$/gm)) created.push(m[1]!);
    }
    if (!failed) return created;
    if (attempt >= 6 || !/No such image|failed to get (destination image|digest)/.test(output)) {
      await removeImages(created);
      throw new Error(`docker build -t ${o.tag} failed:\n${output.slice(-4000)}`);
    }
  }
}

/** Removes images (ids or tags) this run created, last first; each only when nothing else uses it (no force, no pruning of parents). */
export async function removeImages(ids: string[]): Promise<void> {
  for (const id of [...ids].reverse()) await run('docker', ['image', 'rm', '--no-prune', id]).catch(() => undefined);
}

/**
 * A build context with the host's Node.js installation (the running `node`, npm and the
 * headers next to it) and trust store, for docker/node-local/Dockerfile.
 * @returns the folder (the caller removes it)
 * @throws when npm or the headers are not beside the running node
 */
export function hostNodeContext(): string {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const npm = path.join(prefix, 'lib/node_modules/npm');
  const include = path.join(prefix, 'include/node');
  for (const p of [npm, include]) if (!fs.existsSync(p)) throw new Error(`${p} is missing: the host's Node.js installation has no npm or headers there`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-node-context-'));
  fs.mkdirSync(path.join(dir, 'node/bin'), { recursive: true });
  fs.copyFileSync(process.execPath, path.join(dir, 'node/bin/node'));
  fs.cpSync(include, path.join(dir, 'node/include/node'), { recursive: true });
  fs.cpSync(npm, path.join(dir, 'node/lib/node_modules/npm'), { recursive: true, dereference: true });
  const ca = ['/etc/ssl/certs/ca-certificates.crt', process.env.NODE_EXTRA_CA_CERTS].find((f) => f && fs.existsSync(f));
  fs.writeFileSync(path.join(dir, 'ca-certificates.crt'), ca ? fs.readFileSync(ca) : '');
  return dir;
}

/** The gateway address of Docker's default bridge: the host as containers reach it. */
export function dockerHostAddress(): string {
  return execFileSync('docker', ['network', 'inspect', 'bridge', '--format', '{{(index .IPAM.Config 0).Gateway}}'], { encoding: 'utf8' }).trim();
}

/** `docker-compose -p <project> -f compose.yaml …` with `env`; returns stdout. @throws Error with its output */
export async function compose(project: string, env: Record<string, string>, ...args: string[]): Promise<string> {
  try {
    const r = await run('docker-compose', ['-p', project, '-f', path.join(REPO_ROOT, 'compose.yaml'), ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return r.stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker-compose ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`.slice(-4000));
  }
}

/** The address of a container on its compose network. */
export function containerAddress(id: string): string {
  return execFileSync('docker', ['inspect', id, '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'], { encoding: 'utf8' })
    .trim()
    .split(' ')[0]!;
}

export { BASE_IMAGE };
