/**
 * tar + zstd pipelines on system binaries, streamed process to process (no
 * temporary copies): `tar --posix -c | zstd -T0 -3` to create, `zstd -d | guard |
 * tar -x` to extract, where the guard (tar-guard.ts) refuses any entry that would
 * land outside the extraction directory before tar sees it. The same archive format
 * as @actions/cache on Linux (POSIX tar, zstd, or gzip without zstd), so archives
 * from every store are extracted the same way. The workspace's own `.git` is never
 * archived (restore keeps the checkout's, so it would only cost quota).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarGuard, UnsafeArchiveError } from './tar-guard.js';
import { scannable, SecretScan, SecretInSnapshotError, type SecretValue } from './secret-scan.js';

/** Member names never archived: the workspace's git directory (anchored, so nested `.git` directories stay). */
export const ALWAYS_EXCLUDED: readonly string[] = ['.git', './.git'];

/** Options of {@link createArchive} and {@link streamArchive}. */
export interface CreateOptions {
  /** Directory the paths are relative to (`tar -C`). */
  cwd: string;
  /** Workspace-relative paths to archive (files or directories, recursively). */
  paths: readonly string[];
  /** Exact member names to leave out (anchored, e.g. `./.store`), e.g. a store directory inside the workspace. */
  exclude?: readonly string[];
  /** zstd level, default 3. */
  level?: number;
  /** Secret values the archive must not contain: archiving fails with SecretInSnapshotError naming the file (secret-scan.ts). */
  secrets?: readonly SecretValue[];
}

function tarCreateArgs(opts: CreateOptions): string[] {
  const exclude = [...ALWAYS_EXCLUDED, ...(opts.exclude ?? [])];
  return ['--posix', '-c', '-f', '-', '-C', opts.cwd, '--anchored', ...exclude.map((e) => `--exclude=${e}`), '--', ...opts.paths];
}

/** Collects the tail of a process's stderr for error messages. */
function stderrTail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (d: Buffer) => {
    text = (text + d.toString('utf8')).slice(-2000);
  });
  return () => text.trim();
}

async function exitOf(child: ChildProcess, name: string, stderr: () => string): Promise<void> {
  const [code, signal] = (await Promise.race([
    once(child, 'close'),
    once(child, 'error').then(([err]) => {
      throw new Error(`${name} could not be started: ${(err as Error).message}`);
    }),
  ])) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`${name} failed (${signal ? `signal ${signal}` : `exit code ${code}`})${stderr() ? `: ${stderr()}` : ''}`);
}

/**
 * Streams a compressed archive of `paths` into `sink` (a file descriptor or a
 * Node stream). Resolves when both processes exited successfully.
 * @throws SecretInSnapshotError when a file holds one of `opts.secrets`; Error with
 *   tar's or zstd's stderr when either fails (tar exits non-zero for a missing path or
 *   a file that changed while it was read)
 */
export async function streamArchive(opts: CreateOptions, sink: number | Writable): Promise<void> {
  const tar = spawn('tar', tarCreateArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tarErr = stderrTail(tar);
  const zstdArgs = ['-T0', `-${opts.level ?? 3}`, '-q', '-c'];
  const scan = opts.secrets && scannable(opts.secrets).length > 0 ? new SecretScan(opts.secrets) : null;
  // Without secrets tar feeds zstd directly; with them the stream passes the scan on its way.
  const zstd = spawn('zstd', zstdArgs, { stdio: [scan ? 'pipe' : tar.stdout, typeof sink === 'number' ? sink : 'pipe', 'pipe'] });
  const zstdErr = stderrTail(zstd);
  const scanned = scan
    ? pipeline(tar.stdout!, scan, zstd.stdin!).catch((err: unknown) => {
        tar.kill('SIGKILL');
        zstd.kill('SIGKILL');
        throw err;
      })
    : (tar.stdout!.destroy(), Promise.resolve()); // zstd holds its own copy; ours would keep tar's 'close' from firing
  const piped =
    typeof sink === 'number'
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          zstd.stdout!.on('error', reject).pipe(sink, { end: false }).on('error', reject);
          zstd.stdout!.on('end', resolve);
        });
  const results = await Promise.allSettled([scanned, exitOf(tar, 'tar', tarErr), exitOf(zstd, 'zstd', zstdErr), piped]);
  const found = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof SecretInSnapshotError);
  if (found) throw found.reason;
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) throw new Error(failures.map((f) => (f.reason as Error).message).join('; '));
}

/**
 * Writes a compressed archive of `paths` to `file` (created or truncated).
 * @returns the archive size, bytes
 */
export async function createArchive(opts: CreateOptions, file: string): Promise<{ bytes: number }> {
  const handle = await open(file, 'w', 0o644);
  try {
    await streamArchive(opts, handle.fd);
    return { bytes: (await handle.stat()).size };
  } finally {
    await handle.close();
  }
}

/**
 * Counts the bytes of the compressed archive of `paths` without writing it
 * anywhere (used to report a size when the archive itself is out of reach).
 * @returns archive size, bytes
 */
export async function measureArchive(opts: CreateOptions): Promise<number> {
  let bytes = 0;
  const counter = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  await streamArchive(opts, counter);
  return bytes;
}

/** The decompressor for an archive's first bytes: zstd (with a window large enough for @actions/cache's `--long=30`) or gzip. */
function decompressor(magic: Buffer, file: string): [string, string[]] {
  if (magic.readUInt32LE(0) === 0xfd2fb528) return ['zstd', ['-d', '-q', '-c', '--long=31']];
  if (magic[0] === 0x1f && magic[1] === 0x8b) return ['gzip', ['-d', '-c']];
  throw new Error(`${file} is neither a zstd nor a gzip archive`);
}

/**
 * Extracts an archive made by {@link createArchive} (or by @actions/cache) into
 * `cwd`, which must exist and should be empty (a staging directory: the guard knows
 * the archive's own symlinks, not those already on disk). Existing files are
 * overwritten; symlinks, empty directories and modes are kept. Every entry passes
 * the {@link TarGuard} first: an unsafe one stops the extraction before tar sees it,
 * so nothing is written for it (entries before it are, inside `cwd`).
 * @param options.exclude workspace-relative paths not written (with everything under
 *   them), e.g. the package caches a restore does not need; they still pass the guard
 * @returns how many entries were read (excluded ones included)
 * @throws UnsafeArchiveError naming the first unsafe entry; Error with the
 *   decompressor's or tar's stderr when either fails (a corrupt archive)
 */
export async function extractArchive(file: string, cwd: string, options: { exclude?: readonly string[] } = {}): Promise<{ entries: number }> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    const [program, args] = decompressor(magic, file);
    const dec = spawn(program, args, { stdio: [handle.fd, 'pipe', 'pipe'] });
    const decErr = stderrTail(dec);
    const exclude = (options.exclude ?? []).flatMap((p) => [`--exclude=${p}`, `--exclude=./${p}`]);
    const tar = spawn('tar', ['-x', '-f', '-', '-C', cwd, ...(exclude.length > 0 ? ['--anchored', ...exclude] : [])], { stdio: ['pipe', 'ignore', 'pipe'] });
    const tarErr = stderrTail(tar);
    const guard = new TarGuard();
    const guarded = pipeline(dec.stdout!, guard, tar.stdin!).catch((err: unknown) => {
      // Stop both at once: tar must not read past the last entry the guard let through.
      tar.kill('SIGKILL');
      dec.kill('SIGKILL');
      throw err;
    });
    const results = await Promise.allSettled([guarded, exitOf(dec, program, decErr), exitOf(tar, 'tar', tarErr)]);
    const unsafe = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof UnsafeArchiveError);
    if (unsafe) throw unsafe.reason;
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // A broken pipe only echoes the process that exited: report the processes' own errors first.
    failures.sort((a, b) => Number((a.reason as NodeJS.ErrnoException).code === 'EPIPE') - Number((b.reason as NodeJS.ErrnoException).code === 'EPIPE'));
    if (failures.length > 0) throw new Error(failures.map((f) => (f.reason as Error).message).join('; '));
    return { entries: guard.entries };
  } finally {
    await handle.close();
  }
}
