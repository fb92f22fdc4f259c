/**
 * A real OCI registry for tests and benchmarks: Debian's `docker-registry` (distribution 2.8, the
 * reference implementation) on 127.0.0.1 and a free port, storing into a temp dir,
 * with deletion enabled. `.ci/run` installs it; without it the caller skips and says why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A running registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** Storage root (blobs and repositories). */
  root: string;
  stop(): Promise<void>;
}

/**
 * Why no registry can start here, or `null` when `docker-registry` is installed.
 * @throws in CI (`CI` set, as `.ci/run` does, which installs the package): a missing registry is an error there, never a skip
 */
export function registryUnavailable(): string | null {
  const r = spawnSync('docker-registry', ['--version'], { encoding: 'utf8' });
  const reason = r.error ? 'docker-registry is not installed (apt-get install -y docker-registry; .ci/run installs it)' : null;
  if (reason && process.env.CI) throw new Error(reason);
  return reason;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a registry and waits until `GET /v2/` answers. @throws Error with its log when it does not come up */
export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'registry-'));
  const port = await freePort();
  const config = path.join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const host = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { host, root: path.join(dir, 'data'), stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`docker-registry did not start on ${host}: ${log.slice(-2000)}`);
}
