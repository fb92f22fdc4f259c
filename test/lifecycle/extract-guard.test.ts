/**
 * Extraction is safe (issue 13 item 6): hand-built archives whose entries escape the
 * extraction directory are refused before anything is written outside it.
 */
import { spawnSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { createArchive, extractArchive } from '../../src/lifecycle/snapshot/archive.js';
import { TarGuard, UnsafeArchiveError } from '../../src/lifecycle/snapshot/tar-guard.js';
import { writeTarZst, type TarEntry } from '../helpers/tar.js';

let root: string;
let outside: string;
let target: string;
let n = 0;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'extract-guard-'));
  outside = path.join(root, 'outside');
  target = path.join(root, 'ws', 'staging');
  await mkdir(outside);
  await mkdir(target, { recursive: true });
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function extract(entries: TarEntry[]): Promise<{ entries: number }> {
  const file = path.join(root, `a${n++}.tar.zst`);
  await writeTarZst(file, entries);
  return extractArchive(file, target);
}

async function expectRefused(entries: TarEntry[], message: RegExp): Promise<void> {
  const error = await extract(entries).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnsafeArchiveError);
  expect((error as Error).message).toMatch(message);
  expect(await readdir(outside)).toEqual([]);
  expect(await readdir(path.join(root, 'ws'))).toEqual(['staging']);
}

describe('extractArchive refuses entries that escape', () => {
  it('extracts an honest hand-made archive: files, a symlink to an absolute path, a hard link', async () => {
    const r = await extract([
      { name: './', type: '5' },
      { name: './bin/', type: '5' },
      { name: './bin/tool', data: 'echo hi\n' },
      { name: './bin/python', type: '2', linkname: '/usr/bin/python3' },
      { name: './bin/tool-again', type: '1', linkname: './bin/tool' },
    ]);
    expect(r.entries).toBe(5);
    expect(await readFile(path.join(target, 'bin/tool-again'), 'utf8')).toBe('echo hi\n');
    expect(await readlink(path.join(target, 'bin/python'))).toBe('/usr/bin/python3');
  });

  it('refuses a ".." name', async () => {
    await expectRefused(
      [
        { name: 'ok.txt', data: 'x' },
        { name: '../../outside/pwned', data: 'x' },
      ],
      /"\.\.\/\.\.\/outside\/pwned" escapes the workspace/,
    );
  });

  it('refuses an absolute name (what tar -P would write anywhere)', async () => {
    await expectRefused([{ name: path.join(outside, 'pwned'), data: 'x' }], /has an absolute path/);
  });

  it('refuses a pax path that escapes behind an innocent header name', async () => {
    await expectRefused([{ name: 'innocent', data: 'x', pax: { path: '../../outside/pwned' } }], /escapes the workspace/);
  });

  it('refuses a write through a symlink of the archive', async () => {
    await expectRefused(
      [
        { name: 'link', type: '2', linkname: outside },
        { name: 'link/pwned', data: 'x' },
      ],
      /"link\/pwned" would be written through the symlink "link"/,
    );
  });

  it('refuses a write through a relative symlink that climbs out', async () => {
    await expectRefused(
      [
        { name: 'up', type: '2', linkname: '../../outside' },
        { name: './up/pwned', data: 'x' },
      ],
      /written through the symlink "up"/,
    );
  });

  it('refuses a write through a hard link to a symlink', async () => {
    await expectRefused(
      [
        { name: 'link', type: '2', linkname: outside },
        { name: 'again', type: '1', linkname: 'link' },
        { name: 'again/pwned', data: 'x' },
      ],
      /written through the symlink "again"/,
    );
  });

  it('refuses a directory entry replacing a symlink', async () => {
    await expectRefused(
      [
        { name: 'link', type: '2', linkname: outside },
        { name: 'link/', type: '5' },
      ],
      /replaces a symlink/,
    );
  });

  it('refuses hard links out of the archive', async () => {
    await expectRefused([{ name: 'h', type: '1', linkname: '../../outside/x' }], /hard link whose target/);
    await expectRefused([{ name: 'h', type: '1', linkname: '/etc/passwd' }], /hard link whose target/);
    await expectRefused([{ name: 'h', type: '1', linkname: 'not-in-archive' }], /not a file earlier in the archive/);
  });

  it('refuses devices and FIFOs', async () => {
    await expectRefused([{ name: 'null', type: '3' }], /is a character device/);
    await expectRefused([{ name: 'sda', type: '4' }], /is a block device/);
    await expectRefused([{ name: 'fifo', type: '6' }], /is a FIFO/);
  });

  it('refuses what tar could read differently: bad checksums, GNU sparse records, link entries with data', async () => {
    await expectRefused([{ name: 'x', data: 'x', checksum: 1 }], /bad header checksum/);
    await expectRefused([{ name: 'GNUSparseFile.0/x', data: 'x', pax: { 'GNU.sparse.name': '../../outside/x' } }], /GNU sparse/);
    await expectRefused([{ name: 'l', type: '2', linkname: 'x', data: 'abc' }], /link with 3 bytes of data/);
  });
});

describe('createArchive', () => {
  it('never archives the workspace .git, keeps nested ones, and the result extracts', async () => {
    const ws = path.join(root, 'src');
    await mkdir(path.join(ws, '.git'), { recursive: true });
    await mkdir(path.join(ws, 'vendor/dep/.git'), { recursive: true });
    await writeFile(path.join(ws, '.git/HEAD'), 'ref: refs/heads/main\n');
    await writeFile(path.join(ws, 'vendor/dep/.git/HEAD'), 'x\n');
    await writeFile(path.join(ws, 'a.txt'), 'a\n');
    const file = path.join(root, 'ws.tar.zst');
    await createArchive({ cwd: ws, paths: ['.'] }, file);
    await extractArchive(file, target);
    expect((await readdir(target)).sort()).toEqual(['a.txt', 'vendor']);
    expect(await readFile(path.join(target, 'vendor/dep/.git/HEAD'), 'utf8')).toBe('x\n');
  });
});

describe('TarGuard', () => {
  it('passes an honest archive through byte for byte, however the stream is cut', async () => {
    const ws = path.join(root, 'honest');
    await mkdir(path.join(ws, `${'long-directory-name/'.repeat(8)}x`), { recursive: true });
    await writeFile(path.join(ws, `${'long-directory-name/'.repeat(8)}x/f.bin`), Buffer.alloc(20_000, 3));
    await symlink('/usr/bin/python3', path.join(ws, 'python'));
    await link(path.join(ws, `${'long-directory-name/'.repeat(8)}x/f.bin`), path.join(ws, 'hard.bin'));
    const r = spawnSync('tar', ['--posix', '-c', '-f', '-', '-C', ws, '.'], { maxBuffer: 1 << 26 });
    const bytes = r.stdout;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 6 }), async (sizes) => {
        const chunks: Buffer[] = [];
        for (let off = 0, i = 0; off < bytes.length; i++) chunks.push(bytes.subarray(off, (off += sizes[i % sizes.length]!)));
        const out: Buffer[] = [];
        const guard = new TarGuard();
        await pipeline(Readable.from(chunks), guard, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }));
        expect(Buffer.concat(out).equals(bytes)).toBe(true);
        expect(guard.entries).toBeGreaterThanOrEqual(8);
      }),
      { numRuns: 30 },
    );
  });
});
