/**
 * The `oci:` snapshot store against a real registry (Debian's docker-registry on
 * 127.0.0.1, started here): save, exact lookup, listing by configuration, guarded
 * restore with digest check, immutability, deletion by digest, token authentication.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { snapshotKey, snapshotKeyPrefix } from '../../src/lifecycle/snapshot-key.js';
import { ANNOTATIONS, ARTIFACT_TYPE, LAYER_MEDIA_TYPE, OciStore, tagOf } from '../../src/lifecycle/snapshot/oci-store.js';
import { parseRepositoryRef, RegistryClient } from '../../src/lifecycle/snapshot/oci/registry-client.js';
import { SnapshotExistsError } from '../../src/lifecycle/snapshot/store.js';
import { UnsafeArchiveError } from '../../src/lifecycle/snapshot/tar-guard.js';
import { registryUnavailable, startRegistry, type TestRegistry } from '../../bench/local-registry.js';
import { CACHES_PART_PATHS, UNREFERENCED_PART_GRACE_MS, cachesPartKey, restoreCachesPart, saveCachesPart } from '../../src/lifecycle/caches-part.js';
import { CACHES_DIR } from '../../src/lifecycle/caches.js';
import type { PrebuildMarker } from '../../src/lifecycle/marker.js';
import { pruneSnapshots } from '../../src/lifecycle/snapshot/prune.js';
import { PhaseTimer } from '../../src/lifecycle/timings.js';
import { existsSync } from 'node:fs';
import { tarBytes } from '../helpers/tar.js';
import { spawnSync } from 'node:child_process';

const unavailable = registryUnavailable();
if (unavailable) console.warn(`Skipping the oci: store tests: ${unavailable}`);
const maybe = unavailable ? describe.skip : describe;

const sha = 'd'.repeat(40);
const meta = (id: string) => ({ sha, configuration: 'web', prebuildId: id, identity: 'i'.repeat(64), hooks: { onCreateCommand: 1200 }, base: null });

maybe('OciStore (real registry)', () => {
  let registry: TestRegistry;
  let tmp: string;
  let ws: string;

  beforeAll(async () => {
    registry = await startRegistry();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'oci-store-'));
    ws = path.join(tmp, 'ws');
    await mkdir(path.join(ws, '.git'), { recursive: true });
    await mkdir(path.join(ws, 'node_modules/dep'), { recursive: true });
    await writeFile(path.join(ws, '.git/HEAD'), 'ref: refs/heads/main\n');
    await writeFile(path.join(ws, 'node_modules/dep/index.js'), 'module.exports = 42;\n'.repeat(1000));
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('saves an OCI artifact (zstd tar layer, annotations, one tag per key) and restores it by exact key', async () => {
    const store = new OciStore(parseRepositoryRef(`${registry.host}/octo/app/prebuilds`));
    const key = snapshotKey('web', sha, '1');
    const { bytes } = await store.save(key, ['.'], ws, meta('1'));
    expect(bytes).toBeGreaterThan(100);

    const client = new RegistryClient(store.ref);
    expect(await client.tags()).toEqual([`web.${sha}.1`]);
    const { manifest } = (await client.getManifest(tagOf(key)))!;
    expect(manifest).toMatchObject({ artifactType: ARTIFACT_TYPE, layers: [{ mediaType: LAYER_MEDIA_TYPE, size: bytes }] });
    expect(manifest.annotations).toMatchObject({
      [ANNOTATIONS.Key]: key,
      [ANNOTATIONS.Sha]: sha,
      [ANNOTATIONS.Identity]: 'i'.repeat(64),
      [ANNOTATIONS.Paths]: '["."]',
    });

    expect(await store.exists(key, ['.'])).toBe(true);
    expect(await store.exists(key, ['node_modules'])).toBe(false);
    expect(await store.exists(snapshotKey('web', sha, '9'), ['.'])).toBe(false);
    const into = await mkdtemp(path.join(tmp, 'into-'));
    expect(await store.restore(key, ['.'], into)).toBe(true);
    expect((await readdir(into)).sort()).toEqual(['node_modules']); // .git never archived
    expect(await readFile(path.join(into, 'node_modules/dep/index.js'), 'utf8')).toBe('module.exports = 42;\n'.repeat(1000));
    await expect(store.save(key, ['.'], ws, meta('1'))).rejects.toBeInstanceOf(SnapshotExistsError);
  });

  it('lists by configuration from the annotations, and deletes by digest', async () => {
    const store = new OciStore(parseRepositoryRef(`${registry.host}/octo/app/listing`));
    await store.save(snapshotKey('web', sha, '2'), ['.'], ws, meta('2'));
    await store.save(snapshotKey('api', sha, '3'), ['.'], ws, { ...meta('3'), configuration: 'api' });
    const long = `${'x'.repeat(100)}`;
    await store.save(snapshotKey(long, sha, '4'), ['.'], ws, { ...meta('4'), configuration: long });
    const web = await store.list(snapshotKeyPrefix('web'));
    expect(web).toEqual([
      expect.objectContaining({ key: snapshotKey('web', sha, '2'), sha, configuration: 'web', identity: 'i'.repeat(64), hooks: { onCreateCommand: 1200 } }),
    ]);
    expect((await store.list(snapshotKeyPrefix(long))).map((l) => l.key)).toEqual([snapshotKey(long, sha, '4')]);

    expect(await store.delete(snapshotKey('web', sha, '2'))).toBe(true);
    expect(await store.delete(snapshotKey('web', sha, '2'))).toBe(false);
    expect(await store.list(snapshotKeyPrefix('web'))).toEqual([]);
    expect(await store.restore(snapshotKey('web', sha, '2'), ['.'], tmp)).toBe(false);
    expect((await store.list(snapshotKeyPrefix('api'))).length).toBe(1);
  });

  it('keeps the package caches as a part of their own: left out of the snapshot, named in its annotations, swept by retention', async () => {
    const store = new OciStore(parseRepositoryRef(`${registry.host}/octo/app/caches`));
    const part = path.join(tmp, 'with-caches');
    await mkdir(path.join(part, CACHES_DIR, 'npm'), { recursive: true });
    await mkdir(path.join(part, 'node_modules'), { recursive: true });
    await writeFile(path.join(part, CACHES_DIR, 'npm/tarball'), 'cached');
    await writeFile(path.join(part, 'node_modules/x.js'), 'x');
    const cachesKey = cachesPartKey('web', 'i'.repeat(64), ['npm'], { 'package-lock.json': 'a'.repeat(64) })!;
    expect(await saveCachesPart(store, cachesKey, part, { timer: new PhaseTimer() })).toMatchObject({ state: 'saved' });
    expect(await saveCachesPart(store, cachesKey, part, { timer: new PhaseTimer() })).toEqual({ state: 'reused' });
    const key = snapshotKey('web', sha, '5');
    await store.save(key, ['.'], part, { ...meta('5'), caches: cachesKey }, { exclude: [CACHES_DIR] });
    const into = await mkdtemp(path.join(tmp, 'into-'));
    expect(await store.restore(key, ['.'], into)).toBe(true);
    expect(existsSync(path.join(into, 'node_modules/x.js'))).toBe(true);
    expect(existsSync(path.join(into, CACHES_DIR))).toBe(false);
    expect(await store.list(snapshotKeyPrefix('web'))).toEqual([expect.objectContaining({ key, caches: cachesKey })]);
    const marker = { caches: cachesKey } as PrebuildMarker;
    expect(await restoreCachesPart(store, marker, into, new PhaseTimer())).toBe(true);
    expect(await readFile(path.join(into, CACHES_DIR, 'npm/tarball'), 'utf8')).toBe('cached');

    const later = Date.now() + UNREFERENCED_PART_GRACE_MS + 1000;
    expect(await pruneSnapshots(store, snapshotKeyPrefix('web'), 1, [], later)).toEqual([]); // the kept snapshot names it
    expect(await store.delete(key)).toBe(true);
    expect(await pruneSnapshots(store, snapshotKeyPrefix('web'), 1, [], later)).toEqual([cachesKey]);
    expect(await store.exists(cachesKey, CACHES_PART_PATHS)).toBe(false);
  });

  it('refuses a crafted artifact before anything lands outside, and a layer whose bytes do not match its digest', async () => {
    const store = new OciStore(parseRepositoryRef(`${registry.host}/octo/app/crafted`));
    const client = new RegistryClient(store.ref);
    const outside = await mkdtemp(path.join(tmp, 'outside-'));
    const z = spawnSync('zstd', ['-q', '-c'], { input: tarBytes([{ name: path.join(outside, 'pwned'), data: 'x' }]) });
    const layer = await client.pushBlob(z.stdout);
    await client.pushBlob(Buffer.from('{}'));
    const key = snapshotKey('web', sha, '5');
    await client.putManifest(tagOf(key), {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: ARTIFACT_TYPE,
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 },
      layers: [{ mediaType: LAYER_MEDIA_TYPE, ...layer }],
      annotations: { [ANNOTATIONS.Key]: key, [ANNOTATIONS.Paths]: '["."]' },
    });
    const into = await mkdtemp(path.join(tmp, 'into-'));
    await expect(store.restore(key, ['.'], into)).rejects.toBeInstanceOf(UnsafeArchiveError);
    expect(await readdir(outside)).toEqual([]);

    // Corrupt the stored blob on disk: the download no longer matches its digest.
    const blobFile = path.join(registry.root, 'docker/registry/v2/blobs/sha256', layer.digest.slice(7, 9), layer.digest.slice(7), 'data');
    await writeFile(blobFile, Buffer.concat([z.stdout, Buffer.from('tampered')]));
    await expect(store.restore(key, ['.'], into)).rejects.toThrow(/has digest sha256:[0-9a-f]{64}: refusing it/);
  });
});

/**
 * A gate in front of the real registry that asks for GHCR-style token authentication
 * (the Docker token flow): 401 with a Bearer challenge, a token realm that wants Basic
 * credentials, then requests with the token are passed to the registry.
 */
async function tokenGate(
  registryHost: string,
  user: string,
  password: string,
): Promise<{ host: string; tokensIssued: () => number; close: () => Promise<void> }> {
  let issued = 0;
  const server = http.createServer((req, res) => {
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url?.startsWith('/token')) {
      const ok = req.headers.authorization === `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      const scope = new URL(req.url, `http://${host}`).searchParams.get('scope');
      res.writeHead(ok && scope === 'repository:octo/private:pull,push' ? 200 : 401, { 'content-type': 'application/json' });
      if (ok) issued++;
      res.end(JSON.stringify(ok ? { token: 'granted' } : { errors: [{ code: 'UNAUTHORIZED' }] }));
      return;
    }
    if (req.headers.authorization !== 'Bearer granted') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="gate",scope="repository:octo/private:pull,push"` });
      res.end();
      return;
    }
    const upstream = http.request(
      { host: '127.0.0.1', port: Number(registryHost.split(':')[1]), method: req.method, path: req.url, headers: { ...req.headers, host: registryHost } },
      (up) => {
        const headers = { ...up.headers };
        if (headers.location) headers.location = headers.location.replace(registryHost, host);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokensIssued: () => issued,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

maybe('OciStore behind token authentication (the Docker token flow GHCR uses)', () => {
  let registry: TestRegistry;
  let tmp: string;

  beforeAll(async () => {
    registry = await startRegistry();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'oci-auth-'));
    await writeFile(path.join(tmp, 'f.txt'), 'x');
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it('fetches a token with the credentials and uses it; refuses clearly with wrong credentials', async () => {
    const gate = await tokenGate(registry.host, 'octocat', 'ghs_token');
    try {
      const store = new OciStore(parseRepositoryRef(`${gate.host}/octo/private`), { username: 'octocat', password: 'ghs_token' });
      const key = snapshotKey('web', sha, '1');
      await store.save(key, ['.'], tmp, meta('1'));
      expect(gate.tokensIssued()).toBe(1); // one token for the whole save
      expect((await store.list(snapshotKeyPrefix('web'))).map((l) => l.key)).toEqual([key]);
      const into = await mkdtemp(path.join(tmp, 'into-'));
      expect(await store.restore(key, ['.'], into)).toBe(true);
      expect(await readFile(path.join(into, 'f.txt'), 'utf8')).toBe('x');

      const wrong = new OciStore(parseRepositoryRef(`${gate.host}/octo/private`), { username: 'octocat', password: 'nope' });
      await expect(wrong.list(snapshotKeyPrefix('web'))).rejects.toThrow(/token service .* refused \(401\): check the credentials for 127\.0\.0\.1/);
      await expect(new OciStore(parseRepositoryRef(`${gate.host}/octo/private`)).list(snapshotKeyPrefix('web'))).rejects.toThrow(/401/);
    } finally {
      await gate.close();
    }
  });
});
