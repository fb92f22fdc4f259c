import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ActionsCacheStore, inWorkspace, loggedArchiveSize, type CacheApi } from '../../action/src/snapshot/actions-cache-store.js';
import { SnapshotExistsError } from '../../action/src/snapshot/store.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

/** A fake of @actions/cache that behaves like it: prefix matching, -1 on failure, logging via stdout. */
function fakeCache(entries: Set<string>, seen: Array<{ cwd: string; workspace?: string; paths: string[] }>): CacheApi {
  return {
    async saveCache(paths, key) {
      seen.push({ cwd: process.cwd(), workspace: process.env.GITHUB_WORKSPACE, paths });
      if (entries.has(key)) {
        process.stdout.write(`Failed to save: Unable to reserve cache with key ${key}, another job may be creating this cache.\n`);
        return -1;
      }
      process.stdout.write(`::debug::File Size: 4321\n`);
      entries.add(key);
      return 7;
    },
    async restoreCache(paths, key) {
      seen.push({ cwd: process.cwd(), workspace: process.env.GITHUB_WORKSPACE, paths });
      return [...entries].find((e) => e === key) ?? [...entries].find((e) => e.startsWith(key));
    },
  };
}

describe('ActionsCacheStore', () => {
  it('saves in the workspace with relative paths and reports the logged archive size', async () => {
    const ws = await tempDir();
    dirs.push(ws);
    const seen: Array<{ cwd: string; workspace?: string; paths: string[] }> = [];
    const store = new ActionsCacheStore(fakeCache(new Set(), seen));
    const before = process.cwd();
    const { bytes } = await store.save('prebuilds-v1/web/abc1234/1', ['.'], ws);
    expect(bytes).toBe(4321);
    expect(seen[0]).toEqual({ cwd: await import('node:fs/promises').then((f) => f.realpath(ws)), workspace: ws, paths: ['.'] });
    expect(process.cwd()).toBe(before); // restored
  });

  it('turns a taken key into SnapshotExistsError', async () => {
    const ws = await tempDir();
    dirs.push(ws);
    const store = new ActionsCacheStore(fakeCache(new Set(['k/1']), []));
    await expect(store.save('k/1', ['.'], ws)).rejects.toBeInstanceOf(SnapshotExistsError);
  });

  it('restores exact keys only (no prefix matches)', async () => {
    const ws = await tempDir();
    dirs.push(ws);
    const store = new ActionsCacheStore(fakeCache(new Set(['prebuilds-v1/web/abc1234/42']), []));
    expect(await store.exists('prebuilds-v1/web/abc1234/4', ['.'], ws)).toBe(false);
    expect(await store.restore('prebuilds-v1/web/abc1234/4', ['.'], ws)).toBe(false);
    expect(await store.restore('prebuilds-v1/web/abc1234/42', ['.'], ws)).toBe(true);
    await expect(store.delete('x')).rejects.toThrow(/REST API/);
  });

  it('measures the archive itself when the size was not logged', async () => {
    const ws = await tempDir();
    dirs.push(ws);
    await mkdir(path.join(ws, 'd'));
    await writeFile(path.join(ws, 'd/f.txt'), 'hello '.repeat(1000));
    const api: CacheApi = { saveCache: async () => 1, restoreCache: async () => undefined };
    const { bytes } = await new ActionsCacheStore(api).save('k', ['d'], ws);
    expect(bytes).toBeGreaterThan(50);
    expect(bytes).toBeLessThan(6000);
  });
});

describe('inWorkspace', () => {
  it('restores cwd, GITHUB_WORKSPACE and stdout even when the call fails', async () => {
    const ws = await tempDir();
    dirs.push(ws);
    const write = process.stdout.write;
    const prev = process.env.GITHUB_WORKSPACE;
    await expect(inWorkspace(ws, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(process.stdout.write).toBe(write);
    expect(process.env.GITHUB_WORKSPACE).toBe(prev);
    expect(loggedArchiveSize('x\n::debug::File Size: 12\n')).toBe(12);
    expect(loggedArchiveSize('nothing')).toBeNull();
  });
});
