import { mkdir, readFile, readlink, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mergeTree } from '../../src/lifecycle/merge.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

describe('mergeTree', () => {
  it('moves what the target lacks, keeps what it has, skips top-level names', async () => {
    const src = await tempDir();
    const dst = await tempDir();
    dirs.push(src, dst);
    await mkdir(path.join(src, 'node_modules/pkg'), { recursive: true });
    await writeFile(path.join(src, 'node_modules/pkg/index.js'), 'base');
    await mkdir(path.join(src, 'lib'));
    await writeFile(path.join(src, 'lib/generated.js'), 'generated');
    await writeFile(path.join(src, 'lib/source.js'), 'old source');
    await symlink('lib/generated.js', path.join(src, 'link'));
    await writeFile(path.join(src, 'clash'), 'file in base');
    await mkdir(path.join(src, '.git'));
    await writeFile(path.join(src, '.git/HEAD'), 'base head');

    await mkdir(path.join(dst, 'lib'));
    await writeFile(path.join(dst, 'lib/source.js'), 'new source');
    await mkdir(path.join(dst, 'clash'));
    await mkdir(path.join(dst, '.git'));
    await writeFile(path.join(dst, '.git/HEAD'), 'checkout head');

    const stats = await mergeTree(src, dst, ['.git']);
    expect(stats).toEqual({ moved: 3, kept: 2 }); // node_modules, lib/generated.js, link | lib/source.js, clash
    expect(await readFile(path.join(dst, 'node_modules/pkg/index.js'), 'utf8')).toBe('base');
    expect(await readFile(path.join(dst, 'lib/generated.js'), 'utf8')).toBe('generated');
    expect(await readFile(path.join(dst, 'lib/source.js'), 'utf8')).toBe('new source');
    expect(await readlink(path.join(dst, 'link'))).toBe('lib/generated.js');
    expect(await readdir(path.join(dst, 'clash'))).toEqual([]);
    expect(await readFile(path.join(dst, '.git/HEAD'), 'utf8')).toBe('checkout head');
  });
});
