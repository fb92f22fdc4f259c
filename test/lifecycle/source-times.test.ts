/** Modification times of unchanged sources carried from a base to a new checkout (src/lifecycle/source-times.ts). */
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { restoreSourceTimes, SOURCE_TIMES_PATH, writeSourceTimes } from '../../src/lifecycle/source-times.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const temp = async () => {
  const d = await mkdtemp(path.join(os.tmpdir(), 'source-times-'));
  dirs.push(d);
  return d;
};
const mtime = async (file: string) => (await lstat(file)).mtimeMs;
const OLD = new Date('2024-01-02T03:04:05Z');

describe('source times', () => {
  it('gives unchanged tracked files the base’s times back, and leaves changed and untracked ones new', async () => {
    const repo = await temp();
    git(repo, 'init', '-q', '-b', 'main');
    for (const f of ['same.ts', 'changed.ts']) await writeFile(path.join(repo, f), `${f}\n`);
    await symlink('same.ts', path.join(repo, 'link.ts'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'base');
    for (const f of ['same.ts', 'changed.ts']) await utimes(path.join(repo, f), OLD, OLD);
    await writeSourceTimes(repo);
    const record = await readFile(path.join(repo, SOURCE_TIMES_PATH), 'utf8');
    expect(record.split('\0').filter(Boolean)).toHaveLength(2); // regular files only, not the symlink

    await writeFile(path.join(repo, 'changed.ts'), 'changed.ts v2\n');
    git(repo, 'commit', '-qam', 'change');
    const ws = await temp();
    git(ws, 'init', '-q');
    git(ws, 'fetch', '-q', `file://${repo}`, 'main');
    git(ws, 'checkout', '-q', '--detach', 'FETCH_HEAD');
    await writeFile(path.join(ws, 'untracked.txt'), 'x\n');
    const before = Date.now() - 60_000;

    expect(await restoreSourceTimes(ws, record)).toBe(1);
    expect(await mtime(path.join(ws, 'same.ts'))).toBe(OLD.getTime());
    expect(await mtime(path.join(ws, 'changed.ts'))).toBeGreaterThan(before);
    expect(await mtime(path.join(ws, 'untracked.txt'))).toBeGreaterThan(before);
  });

  it('only ever touches files git tracks in the checkout: a hostile record changes nothing else', async () => {
    const ws = await temp();
    git(ws, 'init', '-q', '-b', 'main');
    await writeFile(path.join(ws, 'a.ts'), 'a\n');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'a');
    const outside = await temp();
    await writeFile(path.join(outside, 'victim'), 'v\n');
    await symlink(outside, path.join(ws, 'out')); // untracked symlink out of the workspace
    const blob = git(ws, 'rev-parse', 'HEAD:a.ts');
    const hostile = [`100644 ${blob} 1000\t../x`, `100644 ${blob} 1000\tout/victim`, `100644 ${blob} 1000\t/etc/passwd`, 'garbage'].join('\0');
    const victim = await mtime(path.join(outside, 'victim'));
    expect(await restoreSourceTimes(ws, hostile)).toBe(0);
    expect(await mtime(path.join(outside, 'victim'))).toBe(victim);
    expect(await restoreSourceTimes(ws, `100644 ${'0'.repeat(40)} 1000\ta.ts\0`)).toBe(0); // another blob: changed since
  });
});
