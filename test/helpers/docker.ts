/**
 * Real Docker for the container-mode tests: whether the engine answers, the base
 * image scripts/services/docker.sh builds, and a private OCI registry
 * (Debian's `docker-registry`) on a free 127.0.0.1 port per test file.
 *
 * A test that needs Docker calls {@link dockerSkipReason}: when Docker cannot run it
 * gets the printed reason and skips; under CI (`CI` or `PREBUILDS_REQUIRE_DOCKER`
 * set, as .ci/run does) a missing engine is an error instead, so CI never skips.
 */
import { execFileSync } from 'node:child_process';
import { startRegistry as startLocalRegistry } from '../../bench/local-registry.js';

/** The base image scripts/services/docker.sh builds (`PREBUILDS_BASE_IMAGE`). */
export const BASE_IMAGE = process.env.PREBUILDS_BASE_IMAGE || 'local/debian:bookworm';

/** Runs docker; returns trimmed stdout. @throws Error with docker's stderr */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
}

function probe(): string | null {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 15_000 });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') return 'the docker client is not installed';
    return `the Docker engine does not answer (${(e.stderr?.toString() || String(err)).trim().split('\n').pop()})`;
  }
  try {
    execFileSync('docker', ['image', 'inspect', BASE_IMAGE], { stdio: 'pipe' });
  } catch {
    return `the base image ${BASE_IMAGE} is missing`;
  }
  try {
    execFileSync('docker-registry', ['--version'], { stdio: 'pipe' });
  } catch {
    return 'docker-registry (Debian package) is not installed';
  }
  return null;
}

/** Whether this run must not skip Docker tests (CI). */
export function dockerRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.CI || env.PREBUILDS_REQUIRE_DOCKER);
}

let cached: string | null | undefined;

/**
 * Why Docker tests cannot run here, or `null` when they can. Prints the reason once.
 * @throws Error under CI when Docker is unusable (CI must run these tests)
 */
export function dockerSkipReason(): string | null {
  if (cached === undefined) {
    cached = probe();
    if (cached) {
      const message = `Docker tests cannot run: ${cached}. Set the machine up with: sudo scripts/services/docker.sh`;
      if (dockerRequired()) throw new Error(`${message} (required: CI / PREBUILDS_REQUIRE_DOCKER is set)`);
      console.warn(`SKIPPED: ${message}`);
    }
  }
  return cached;
}

/** `describe` when Docker can run, `describe.skip` otherwise (the reason is printed by {@link dockerSkipReason}). */
export function describeWithDocker(name: string, fn: () => void): void {
  if (dockerSkipReason()) describe.skip(`${name} (skipped: ${cached})`, fn);
  else describe(name, fn);
}

/** A private registry: `host` is `127.0.0.1:PORT` (Docker pushes there without TLS). */
export interface TestRegistry {
  host: string;
  /** Repository names (`GET /v2/_catalog`). */
  catalog(): Promise<string[]>;
  /** Tags of one repository (`GET /v2/<name>/tags/list`), empty when it has none. */
  tags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts Debian's `docker-registry` on a free port (bench/local-registry.ts) with the listing calls the tests read. */
export async function startRegistry(): Promise<TestRegistry> {
  const registry = await startLocalRegistry();
  const base = `http://${registry.host}/v2/`;
  const get = async (url: string): Promise<unknown> => {
    const res = await fetch(url);
    if (res.status === 404) return {};
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    return res.json();
  };
  return {
    host: registry.host,
    catalog: async () => ((await get(`${base}_catalog`)) as { repositories?: string[] }).repositories ?? [],
    tags: async (repository) => ((await get(`${base}${repository}/tags/list`)) as { tags?: string[] | null }).tags ?? [],
    stop: () => registry.stop(),
  };
}
