/**
 * `pull` (src/container/session.ts) with the real engine and a real registry (Debian's
 * docker-registry on a free 127.0.0.1 port): a digest-pinned image the engine already has
 * is not pulled again; a digest it does not have is. Skipped with a printed reason only
 * when Docker cannot run here; never in CI (test/helpers/docker.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PullError } from '../../src/container/pull.js';
import { localImageLabels, pull } from '../../src/container/session.js';
import { describeWithDocker, docker, startRegistry, type TestRegistry } from '../helpers/docker.js';

/** A one-file image (`docker import` of a tiny tar) with a label, pushed; returns its pinned reference. */
async function pushTinyImage(registry: TestRegistry, tag: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pull-test-'));
  try {
    await writeFile(path.join(dir, 'content.txt'), content);
    const tar = execFileSync('tar', ['-C', dir, '-c', 'content.txt']);
    const ref = `${registry.host}/pull-test/tiny:${tag}`;
    execFileSync('docker', ['import', '--change', `LABEL test.content=${JSON.stringify(content)}`, '-', ref], {
      input: tar,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    docker('push', ref);
    const digest = docker('image', 'inspect', '--format', '{{join .RepoDigests " "}}', ref)
      .split(' ')
      .find((d) => d.startsWith(`${registry.host}/pull-test/tiny@`));
    if (!digest) throw new Error(`docker push ${ref} reported no digest`);
    return digest;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describeWithDocker('pull with the real engine and registry', () => {
  let registry: TestRegistry;
  const created: string[] = [];
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    for (const ref of created.reverse()) spawnSync('docker', ['image', 'rm', '--force', ref], { stdio: 'ignore' }); // gone already: fine
    await registry?.stop();
  });

  it('skips the pull when the engine has the digest, pulls when it does not', async () => {
    const first = await pushTinyImage(registry, 'one', 'first');
    const second = await pushTinyImage(registry, 'two', 'second');
    created.push(`${registry.host}/pull-test/tiny:one`, `${registry.host}/pull-test/tiny:two`, first, second);
    // The engine has the first image under its digest (it pushed it): no pull, 0 ms.
    expect(await pull(first, process.env)).toBe(0);
    // The second one leaves the engine: the registry has it, the engine does not — it is pulled.
    docker('image', 'rm', `${registry.host}/pull-test/tiny:two`); // its only tag: the image (and its digest reference) goes
    expect(await localImageLabels(second, process.env)).toBeNull();
    const ms = await pull(second, process.env);
    expect(ms).toBeGreaterThan(0);
    expect((await localImageLabels(second, process.env))?.['test.content']).toBe('second');
    // Now it is there: the next pull of that digest is skipped.
    expect(await pull(second, process.env)).toBe(0);
    // A digest the registry does not have fails with docker's message (the caller falls back to the cold path).
    const missing = `${registry.host}/pull-test/tiny@sha256:${'0'.repeat(64)}`;
    await expect(pull(missing, process.env)).rejects.toThrow(/docker pull .* failed/);
  }, 120_000);

  it('does not retry a tag the registry does not have (one attempt: the cold fallback does not wait)', async () => {
    // The machine's registry (PREBUILDS_REGISTRY, 127.0.0.1:5055 here) when there is one, else this file's.
    const host = process.env.PREBUILDS_REGISTRY || registry.host;
    const missing = `${host}/pull-test/nowhere:no-such-tag-${process.pid}`;
    const retries: number[] = [];
    const error = (await pull(missing, process.env, undefined, { onRetry: (n) => retries.push(n) }).catch((e: unknown) => e)) as PullError;
    expect(error).toBeInstanceOf(PullError);
    expect(error.output).toMatch(/manifest unknown|not found/);
    expect(error).toMatchObject({ attempts: 1, transient: false });
    expect(retries).toEqual([]);
  }, 60_000);

  it('retries a registry answering 503, with a short backoff, up to the attempts given', async () => {
    // A real HTTP server on 127.0.0.1 (an insecure registry to the engine by default) that is "down".
    let pings = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/v2/') pings++; // the engine's first request of each pull
      res.writeHead(503).end('down');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const error = (await pull(`127.0.0.1:${port}/down/image:tag`, process.env, undefined, { attempts: 3, backoffMs: 20 }).catch(
        (e: unknown) => e,
      )) as PullError;
      expect(error).toBeInstanceOf(PullError);
      expect(error.output).toContain('503 Service Unavailable');
      expect(error).toMatchObject({ attempts: 3, transient: true });
      expect(pings).toBe(3);
    } finally {
      server.close();
    }
  }, 60_000);
});
