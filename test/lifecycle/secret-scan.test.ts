/** The secret scan over real `tar --posix` streams, cut into chunks anywhere (a value may span two). */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { SecretInSnapshotError, SecretScan, scannable } from '../../src/lifecycle/snapshot/secret-scan.js';

const SECRET = 'tok_9f8e7d6c5b4a';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'secret-scan-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The uncompressed archive GNU tar writes for `files` (path → content). */
async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const dir = await mkdtemp(path.join(root, 'ws-'));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  const r = spawnSync('tar', ['--posix', '-c', '-f', '-', '-C', dir, '.'], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout;
}

/** The uncompressed archive GNU tar writes for the directory `dir`, as archive.ts writes it. */
async function tarOfDir(dir: string): Promise<Buffer> {
  const r = spawnSync('tar', ['--posix', '-c', '-f', '-', '-C', dir, '.'], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout;
}

/** Streams `bytes` through a scan in chunks of the given sizes (cycled). */
async function scan(bytes: Buffer, sizes: number[]): Promise<{ error: unknown; scanned: number; out: number }> {
  const chunks: Buffer[] = [];
  for (let off = 0, i = 0; off < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(off, off + n));
    off += n;
  }
  const s = new SecretScan([{ name: 'NPM_TOKEN', value: SECRET }]);
  let out = 0;
  const sink = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.length), cb()) });
  const error = await pipeline(Readable.from(chunks), s, sink).then(
    () => null,
    (e: unknown) => e,
  );
  return { error, scanned: s.scannedBytes, out };
}

describe('SecretScan', () => {
  it('finds a value in any file, however the stream is cut, and names the file (long pax names too)', async () => {
    const deep = `${'very-long-directory-name/'.repeat(6)}config.json`;
    const padding = Buffer.alloc(70_000, 'a');
    const bytes = await tarOf({ 'a.txt': 'nothing here\n', [deep]: Buffer.concat([padding, Buffer.from(`"token": "${SECRET}"`)]) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 }), async (sizes) => {
        const r = await scan(bytes, sizes);
        expect(r.error).toBeInstanceOf(SecretInSnapshotError);
        expect(r.error).toMatchObject({ file: deep, secret: 'NPM_TOKEN' });
      }),
      { numRuns: 40 },
    );
  });

  it('passes every byte through and scans only file data when no value is there', async () => {
    const bytes = await tarOf({ 'a.txt': SECRET.slice(0, -1), 'b.bin': Buffer.alloc(100_000, 7), [SECRET.slice(1)]: 'x' });
    const r = await scan(bytes, [4096, 13]);
    expect(r.error).toBeNull();
    expect(r.out).toBe(bytes.length);
    expect(r.scanned).toBe(SECRET.length - 1 + 100_000 + 1);
  });

  it('finds a value in names (a file, a directory deep in a long pax path, a symlink target), masked in the path it reports', async () => {
    const dir = await mkdtemp(path.join(root, 'names-'));
    await writeFile(path.join(dir, `cache-${SECRET}.json`), '{}');
    let r = await scan(await tarOfDir(dir), [1000]);
    expect(r.error).toMatchObject({ file: 'cache-***.json', secret: 'NPM_TOKEN' });

    const deep = `${'long-directory-name/'.repeat(6)}${SECRET}/x`;
    r = await scan(await tarOf({ [`${deep}/file.txt`]: 'nothing' }), [777]);
    expect(r.error).toBeInstanceOf(SecretInSnapshotError);
    // The first member whose name holds it: the directory named after it.
    expect((r.error as SecretInSnapshotError).file).toBe(`${'long-directory-name/'.repeat(6)}***/`);

    const links = await mkdtemp(path.join(root, 'links-'));
    await symlink(`/home/runner/${SECRET}`, path.join(links, 'token-link'));
    r = await scan(await tarOfDir(links), [4096]);
    expect(r.error).toMatchObject({ file: 'token-link', secret: 'NPM_TOKEN' });
  });

  it('keeps no reference to a chunk: a reader may reuse its buffer', async () => {
    const bytes = await tarOf({ 'a/b.txt': `pad ${'z'.repeat(3000)} ${SECRET} end`, [`${'n/'.repeat(60)}f`]: 'x' });
    for (const size of [100, 700, 5000]) {
      const s = new SecretScan([{ name: 'NPM_TOKEN', value: SECRET }]);
      const reused = Buffer.alloc(size);
      let error: unknown = null;
      for (let off = 0; off < bytes.length && !error; off += size) {
        const n = bytes.copy(reused, 0, off, off + size);
        try {
          s.walk(reused.subarray(0, n));
        } catch (e) {
          error = e;
        }
        reused.fill(0x58); // what a stale view would see next
      }
      expect(error).toMatchObject({ file: 'a/b.txt', secret: 'NPM_TOKEN' });
    }
  });

  it('skips values too short to scan for, and duplicates', () => {
    expect(
      scannable([
        { name: 'A', value: 'abc' },
        { name: 'B', value: 'abcdefgh' },
        { name: 'C', value: 'abcdefgh' },
      ]),
    ).toEqual([{ name: 'B', value: 'abcdefgh' }]);
  });
});
