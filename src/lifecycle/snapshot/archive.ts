/**
 * tar + zstd pipelines on system binaries, streamed process to process (no
 * temporary copies): `tar --posix -c | zstd -T0 -3` to create, `zstd -d | tar -x`
 * to extract. The same archive format as @actions/cache on Linux (POSIX tar,
 * zstd), so archives from both stores can be inspected the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';

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
}

function tarCreateArgs(opts: CreateOptions): string[] {
  const args = ['--posix', '-c', '-f', '-', '-C', opts.cwd];
  if (opts.exclude?.length) args.push('--anchored', ...opts.exclude.map((e) => `--exclude=${e}`));
  return [...args, '--', ...opts.paths];
}

/** Collects the tail of a process's stderr for error messages. */
function stderrTail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (d: Buffer) => {
    text = (text + d.toString('utf8')).slice(-2000);
  });
  return () => text.trim();
}

/** Waits for every step of a pipeline; rejects with all failures' messages joined. */
async function allSucceed(steps: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(steps);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) throw new Error(failures.map((f) => (f.reason as Error).message).join('; '));
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
 * @throws Error with tar's or zstd's stderr when either fails (tar exits non-zero
 *   for a missing path or a file that changed while it was read)
 */
export async function streamArchive(opts: CreateOptions, sink: number | Writable): Promise<void> {
  const tar = spawn('tar', tarCreateArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  const tarErr = stderrTail(tar);
  const zstdArgs = ['-T0', `-${opts.level ?? 3}`, '-q', '-c'];
  const zstd = spawn('zstd', zstdArgs, { stdio: [tar.stdout, typeof sink === 'number' ? sink : 'pipe', 'pipe'] });
  const zstdErr = stderrTail(zstd);
  tar.stdout!.destroy(); // zstd holds its own copy; ours would keep tar's 'close' from firing
  const piped =
    typeof sink === 'number'
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          zstd.stdout!.on('error', reject).pipe(sink, { end: false }).on('error', reject);
          zstd.stdout!.on('end', resolve);
        });
  await allSucceed([exitOf(tar, 'tar', tarErr), exitOf(zstd, 'zstd', zstdErr), piped]);
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

/**
 * Extracts an archive made by {@link createArchive} into `cwd` (which must exist).
 * Existing files are overwritten; symlinks, empty directories and modes are kept.
 * @throws Error with zstd's or tar's stderr when either fails
 */
export async function extractArchive(file: string, cwd: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const zstd = spawn('zstd', ['-d', '-q', '-c'], { stdio: [handle.fd, 'pipe', 'pipe'] });
    const zstdErr = stderrTail(zstd);
    const tar = spawn('tar', ['-x', '-f', '-', '-C', cwd], { stdio: [zstd.stdout, 'ignore', 'pipe'] });
    const tarErr = stderrTail(tar);
    zstd.stdout!.destroy(); // tar holds its own copy
    await allSucceed([exitOf(zstd, 'zstd', zstdErr), exitOf(tar, 'tar', tarErr)]);
  } finally {
    await handle.close();
  }
}
