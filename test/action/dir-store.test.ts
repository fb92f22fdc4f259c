import { chmod, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DirStore, safeKeyName, type DirManifest } from '../../src/lifecycle/snapshot/dir-store.js';
import { SnapshotExistsError } from '../../action/src/snapshot/store.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));
const sha = 'b'.repeat(40);

async function fixtureTree(): Promise<string> {
  const root = await tempDir('tree-');
  dirs.push(root);
  await mkdir(path.join(root, 'node_modules/.bin'), { recursive: true });
  await mkdir(path.join(root, 'empty/nested-empty'), { recursive: true });
  await writeFile(path.join(root, 'node_modules/pkg.js'), 'module.exports = 42;\n');
  await writeFile(path.join(root, 'run.sh'), '#!/bin/sh\necho hi\n');
  await chmod(path.join(root, 'run.sh'), 0o755);
  await symlink('../pkg.js', path.join(root, 'node_modules/.bin/pkg'));
  await symlink('does-not-exist', path.join(root, 'dangling'));
  await writeFile(path.join(root, 'file with spaces.txt'), 'x'.repeat(10_000));
  return root;
}

describe('safeKeyName', () => {
  it('is file-name safe and injective', () => {
    expect(safeKeyName(snapshotKey('web', sha, 42))).toBe(`prebuilds-v1+web+${sha}+42`);
    expect(safeKeyName('a/b')).not.toBe(safeKeyName('a+b'));
    expect(safeKeyName('..')).toBe('%2E.');
    expect(safeKeyName('ä')).toBe('%C3%A4');
    const long = safeKeyName('k/'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(180);
    expect(long).not.toBe(safeKeyName('k/'.repeat(301)));
  });
});

describe('DirStore', () => {
  it('round-trips a real tree: files, modes, symlinks (also dangling), empty dirs', async () => {
    const src = await fixtureTree();
    const storeDir = await tempDir('store-');
    const dst = await tempDir('restore-');
    dirs.push(storeDir, dst);
    const store = new DirStore(storeDir);
    const key = snapshotKey('web', sha, 1);
    const { bytes } = await store.save(key, ['.'], src, {
      sha,
      configuration: 'web',
      prebuildId: '1',
      identity: 'id-1',
      hooks: { onCreateCommand: 12 },
      base: null,
    });
    const files = store.files(key);
    expect(bytes).toBe((await stat(files.archive)).size);
    expect(bytes).toBeLessThan(10_000); // compressed
    expect(await readdir(storeDir)).toEqual([path.basename(files.manifest), path.basename(files.archive)].sort());

    const manifest = JSON.parse(await readFile(files.manifest, 'utf8')) as DirManifest;
    expect(manifest).toMatchObject({
      version: 1,
      key,
      archive: path.basename(files.archive),
      bytes,
      paths: ['.'],
      sha,
      configuration: 'web',
      prebuildId: '1',
      identity: 'id-1',
      hooks: { onCreateCommand: 12 },
      base: null,
    });
    expect(Number.isNaN(Date.parse(manifest.createdAt))).toBe(false);

    expect(await store.exists(key, ['.'])).toBe(true);
    expect(await store.restore(key, ['.'], dst)).toBe(true);
    expect(await readFile(path.join(dst, 'node_modules/pkg.js'), 'utf8')).toBe('module.exports = 42;\n');
    expect(await readlink(path.join(dst, 'node_modules/.bin/pkg'))).toBe('../pkg.js');
    expect(await readlink(path.join(dst, 'dangling'))).toBe('does-not-exist');
    expect((await lstat(path.join(dst, 'empty/nested-empty'))).isDirectory()).toBe(true);
    expect((await stat(path.join(dst, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect(await readFile(path.join(dst, 'file with spaces.txt'), 'utf8')).toHaveLength(10_000);
  });

  it('keeps entries immutable and reports misses', async () => {
    const src = await fixtureTree();
    const storeDir = await tempDir('store-');
    dirs.push(storeDir);
    const store = new DirStore(path.join(storeDir, 'nested')); // created on first save
    const key = snapshotKey('web', sha, 2);
    expect(await store.exists(key, ['.'])).toBe(false);
    expect(await store.restore(key, ['.'], src)).toBe(false);
    await store.save(key, ['node_modules'], src);
    await expect(store.save(key, ['node_modules'], src)).rejects.toBeInstanceOf(SnapshotExistsError);
    await expect(store.save(key, ['.'], src)).rejects.toThrow(/already exists/);
    // like the Actions cache version: other paths, other entry
    expect(await store.exists(key, ['.'])).toBe(false);
    expect(await store.restore(key, ['.'], src)).toBe(false);
    // no temporary files left behind by the failed saves
    expect((await readdir(path.join(storeDir, 'nested'))).filter((f) => f.startsWith('.tmp'))).toEqual([]);
    expect(await store.delete(key)).toBe(true);
    expect(await store.delete(key)).toBe(false);
    expect(await store.exists(key, ['node_modules'])).toBe(false);
    await store.save(key, ['node_modules'], src); // a deleted key can be saved again
  });

  it('saves only the given paths, and never itself when it lives in the workspace', async () => {
    const src = await fixtureTree();
    const store = new DirStore(path.join(src, '.store'));
    const key = snapshotKey('web', sha, 3);
    await store.save(snapshotKey('web', sha, 'earlier'), ['node_modules'], src);
    await store.save(key, ['.'], src);
    const dst = await tempDir('restore-');
    dirs.push(dst);
    await store.restore(key, ['.'], dst);
    expect(await readdir(dst)).not.toContain('.store');
    expect((await readdir(dst)).sort()).toEqual(['dangling', 'empty', 'file with spaces.txt', 'node_modules', 'run.sh']);
  });

  it('fails clearly when a path does not exist', async () => {
    const src = await fixtureTree();
    const storeDir = await tempDir('store-');
    dirs.push(storeDir);
    const store = new DirStore(storeDir);
    await expect(store.save(snapshotKey('web', sha, 4), ['missing'], src)).rejects.toThrow(/tar failed .*missing/s);
    expect(await readdir(storeDir)).toEqual([]);
  });
});
