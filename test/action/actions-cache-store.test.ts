import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ActionsCacheStore, CACHE_ARCHIVE, inWorkspace, loggedSaveFailure, type CacheApi } from '../../action/src/snapshot/actions-cache-store.js';
import { SnapshotExistsError } from '../../action/src/snapshot/store.js';
import { SecretInSnapshotError } from '../../src/lifecycle/snapshot/secret-scan.js';
import { UnsafeArchiveError } from '../../src/lifecycle/snapshot/tar-guard.js';
import { writeTarZst } from '../helpers/tar.js';
import { cachesPartKey, restoreCachesPart, saveCachesPart } from '../../src/lifecycle/caches-part.js';
import { CACHES_DIR } from '../../src/lifecycle/caches.js';
import type { PrebuildMarker } from '../../src/lifecycle/marker.js';
import { PhaseTimer } from '../../src/lifecycle/timings.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

async function dir(prefix?: string): Promise<string> {
  const d = await tempDir(prefix);
  dirs.push(d);
  return d;
}

/**
 * A stand-in for the cache service behind @actions/cache: saveCache archives the
 * paths from the working directory the way the library does (`tar --posix -P -c |
 * zstd`) into a blob; restoreCache matches keys as prefixes; downloadArchive hands
 * out the blob as is. Entries are immutable; a taken key logs what the library logs.
 */
function fakeCache(blobs: string): CacheApi & { saved: Array<{ key: string; paths: string[]; cwd: string }>; entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const saved: Array<{ key: string; paths: string[]; cwd: string }> = [];
  return {
    entries,
    saved,
    async saveCache(paths, key) {
      saved.push({ key, paths, cwd: process.cwd() });
      if (entries.has(key)) {
        process.stdout.write(`Failed to save: Unable to reserve cache with key ${key}, another job may be creating this cache.\n`);
        return -1;
      }
      const blob = path.join(blobs, `${entries.size}.tzst`);
      const r = spawnSync('bash', ['-c', `set -o pipefail 2>/dev/null; tar --posix -P -c -f - -- "$@" | zstd -q -c > "${blob}"`, 'sh', ...paths], {
        cwd: process.env.GITHUB_WORKSPACE,
      });
      if (r.status !== 0) throw new Error(r.stderr.toString());
      entries.set(key, blob);
      return 7;
    },
    async restoreCache(_paths, key) {
      return [...entries.keys()].find((e) => e === key) ?? [...entries.keys()].find((e) => e.startsWith(key));
    },
    async downloadArchive(_paths, key, archivePath) {
      const blob = entries.get(key);
      if (!blob) return false;
      await copyFile(blob, archivePath);
      return true;
    },
  };
}

async function workspace(): Promise<string> {
  const ws = await dir('ws-');
  await mkdir(path.join(ws, '.git'));
  await writeFile(path.join(ws, '.git/HEAD'), 'ref: refs/heads/main\n');
  await mkdir(path.join(ws, 'node_modules'));
  await writeFile(path.join(ws, 'node_modules/dep.js'), 'module.exports = 1;\n');
  return ws;
}

describe('ActionsCacheStore', () => {
  it('carries our archive as one file: round trip without .git, size of our archive, exact keys only', async () => {
    const api = fakeCache(await dir('blobs-'));
    const temp = await dir('temp-');
    const store = new ActionsCacheStore(api, temp);
    const before = process.cwd();
    const { bytes } = await store.save('prebuilds-v1/web/abc1234/42', ['.'], await workspace());
    expect(process.cwd()).toBe(before);
    expect(api.saved[0]!.paths).toEqual([CACHE_ARCHIVE]);
    expect(bytes).toBeGreaterThan(50);
    expect(await store.exists('prebuilds-v1/web/abc1234/4')).toBe(false);
    expect(await store.exists('prebuilds-v1/web/abc1234/42')).toBe(true);

    const target = await dir('restore-');
    expect(await store.restore('prebuilds-v1/web/abc1234/4', ['.'], target)).toBe(false);
    expect(await store.restore('prebuilds-v1/web/abc1234/42', ['.'], target)).toBe(true);
    expect(await readdir(target)).toEqual(['node_modules']);
    expect(await readFile(path.join(target, 'node_modules/dep.js'), 'utf8')).toBe('module.exports = 1;\n');
    expect(await readdir(temp)).toEqual([]); // staging removed
    await expect(store.delete('x')).rejects.toThrow(/REST API/);
  });

  it('carries the package caches as a part of their own: the snapshot leaves them out, the part is saved once and restored guarded', async () => {
    const api = fakeCache(await dir('blobs-'));
    const store = new ActionsCacheStore(api, await dir('temp-'));
    const ws = await workspace();
    await mkdir(path.join(ws, CACHES_DIR, 'npm'), { recursive: true });
    await writeFile(path.join(ws, CACHES_DIR, 'npm/tarball'), 'cached');
    const cachesKey = cachesPartKey('web', 'id', ['npm'], { 'package-lock.json': 'a'.repeat(64) })!;
    expect(await saveCachesPart(store, cachesKey, ws, { timer: new PhaseTimer() })).toMatchObject({ state: 'saved' });
    expect(await saveCachesPart(store, cachesKey, ws, { timer: new PhaseTimer() })).toEqual({ state: 'reused' });
    expect(api.saved.map((s) => s.key)).toEqual([cachesKey]);
    await store.save('prebuilds-v1/web/abc1234/43', ['.'], ws, undefined, { exclude: [CACHES_DIR] });
    const target = await dir('restore-');
    expect(await store.restore('prebuilds-v1/web/abc1234/43', ['.'], target)).toBe(true);
    expect(await readdir(path.join(target, '.prebuilds'))).toEqual([]); // the caches left out
    expect(await restoreCachesPart(store, { caches: cachesKey } as PrebuildMarker, target, new PhaseTimer())).toBe(true);
    expect(await readFile(path.join(target, CACHES_DIR, 'npm/tarball'), 'utf8')).toBe('cached');
  });

  it('turns a taken key into SnapshotExistsError', async () => {
    const store = new ActionsCacheStore(fakeCache(await dir('blobs-')), await dir('temp-'));
    const ws = await workspace();
    await store.save('k/1', ['.'], ws);
    await expect(store.save('k/1', ['.'], ws)).rejects.toBeInstanceOf(SnapshotExistsError);
    expect(loggedSaveFailure('::warning::Failed to save: boom\n')).toBe('Failed to save: boom');
  });

  it('refuses the save, naming the file, when a file holds a secret value; nothing is uploaded', async () => {
    const api = fakeCache(await dir('blobs-'));
    const store = new ActionsCacheStore(api, await dir('temp-'));
    const ws = await workspace();
    await writeFile(path.join(ws, 'node_modules/.npmrc'), '//registry.example/:_authToken=s3cr3t-token-value\n');
    const err = await store.save('k/2', ['.'], ws, undefined, { secrets: [{ name: 'NPM_TOKEN', value: 's3cr3t-token-value' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretInSnapshotError);
    expect((err as Error).message).toMatch(/node_modules\/\.npmrc contains the value of the secret NPM_TOKEN/);
    expect((err as Error).message).not.toContain('s3cr3t-token-value');
    expect(api.saved).toEqual([]);
  });

  it('never lets a crafted entry write outside: absolute names in the outer archive (what tar -P would follow)', async () => {
    const api = fakeCache(await dir('blobs-'));
    const outside = await dir('outside-');
    const crafted = path.join(await dir('craft-'), 'entry.tzst');
    await writeTarZst(crafted, [{ name: path.join(outside, 'pwned'), data: 'x' }]);
    api.entries.set('k/evil', crafted);
    const store = new ActionsCacheStore(api, await dir('temp-'));
    await expect(store.restore('k/evil', ['.'], await dir('restore-'))).rejects.toBeInstanceOf(UnsafeArchiveError);
    expect(await readdir(outside)).toEqual([]);
  });

  it('refuses an honest outer archive around a crafted snapshot, and entries holding anything else', async () => {
    const api = fakeCache(await dir('blobs-'));
    const outside = await dir('outside-');
    const craft = await dir('craft-');
    await writeTarZst(path.join(craft, CACHE_ARCHIVE), [
      { name: 'link', type: '2', linkname: outside },
      { name: 'link/pwned', data: 'x' },
    ]);
    const store = new ActionsCacheStore(api, await dir('temp-'));
    await inWorkspace(craft, () => api.saveCache([CACHE_ARCHIVE], 'k/inner'));
    await expect(store.restore('k/inner', ['.'], await dir('restore-'))).rejects.toThrow(/written through the symlink "link"/);
    expect(await readdir(outside)).toEqual([]);

    const other = await dir('other-');
    await writeFile(path.join(other, 'something.txt'), 'x');
    await inWorkspace(other, () => api.saveCache(['something.txt'], 'k/other'));
    await expect(store.restore('k/other', ['.'], await dir('restore-'))).rejects.toThrow(/holds something\.txt, not one snapshot\.tar\.zst/);
  });
});

describe('inWorkspace', () => {
  it('restores cwd, GITHUB_WORKSPACE and stdout even when the call fails', async () => {
    const ws = await dir();
    const write = process.stdout.write;
    const prev = process.env.GITHUB_WORKSPACE;
    await expect(inWorkspace(ws, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(process.stdout.write).toBe(write);
    expect(process.env.GITHUB_WORKSPACE).toBe(prev);
  });
});
