/**
 * {@link FileSource} implementations: a checkout on disk (the action, the CLI) and an
 * in-memory tree (tests, the CLI's single-file `inspect`). The app implements its own
 * with the contents API.
 */
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileSource } from './model.js';
import { UnreadableFileError, decodeUtf8, maxFileBytesFromEnv, tooLarge } from './read-limits.js';
import { normalizeRepoPath } from './values.js';

/** Thrown when a path would leave the repository (absolute, `..`, or a symlink pointing outside). */
export class PathOutsideRepositoryError extends UnreadableFileError {
  constructor(readonly requested: string) {
    super(requested, 'leaves the repository (an absolute path, `..`, or a symlink pointing outside)');
    this.name = 'PathOutsideRepositoryError';
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG';
}

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** What a non-regular file is, for messages. */
function kindOf(stat: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Options of {@link localFileSource}. */
export interface LocalFileSourceOptions {
  /** Size cap per file, bytes; default {@link maxFileBytesFromEnv} (1 MiB unless `PREBUILDS_MAX_CONFIG_FILE_BYTES` says otherwise). */
  maxFileBytes?: number;
}

/**
 * A checkout on disk.
 *
 * `read` resolves the real path first and refuses (before opening anything) a path
 * that is absolute, contains `..` beyond the root or resolves through symlinks outside
 * it ({@link PathOutsideRepositoryError}). It then opens the file without following a
 * last symlink and without blocking (`O_NOFOLLOW | O_NONBLOCK`, so a FIFO cannot hang
 * it), and reads only a regular file of at most `maxFileBytes` (never more than
 * `maxFileBytes + 1` bytes, even for a file that grows); anything else is an
 * {@link UnreadableFileError}. A missing file or a directory reads as `null`.
 * @param root folder of the repository
 * @returns a source whose `read` returns UTF-8 text and whose `list` returns entry
 *   names or `null`; other I/O errors propagate
 */
export function localFileSource(root: string, options: LocalFileSourceOptions = {}): FileSource {
  const absoluteRoot = path.resolve(root);
  const maxBytes = options.maxFileBytes ?? maxFileBytesFromEnv();
  let realRoot: Promise<string> | undefined;
  const locate = async (requested: string): Promise<string | null> => {
    const rel = normalizeRepoPath(requested);
    if (rel === null) throw new PathOutsideRepositoryError(requested);
    const target = path.resolve(absoluteRoot, rel);
    if (!inside(absoluteRoot, target)) throw new PathOutsideRepositoryError(requested);
    let real: string;
    try {
      real = await fs.realpath(target);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    realRoot ??= fs.realpath(absoluteRoot).catch(() => absoluteRoot);
    if (!inside(await realRoot, real)) throw new PathOutsideRepositoryError(requested);
    return real;
  };
  const readBytes = async (requested: string, real: string): Promise<Buffer | null> => {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) return null;
      if (!stat.isFile()) throw new UnreadableFileError(requested, `is ${kindOf(stat)}, not a regular file`);
      if (stat.size > maxBytes) throw tooLarge(requested, stat.size, maxBytes);
      const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled > maxBytes) throw tooLarge(requested, null, maxBytes);
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  };
  return {
    async read(requested, readOptions) {
      const real = await locate(requested);
      if (real === null) return null;
      const bytes = await readBytes(requested, real);
      return bytes === null ? null : decodeUtf8(requested, bytes, readOptions?.strict === true);
    },
    async list(requested) {
      const real = await locate(requested);
      if (real === null) return null;
      try {
        return (await fs.readdir(real)).sort();
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
  };
}

/**
 * An in-memory repository: `files` maps repository-relative paths to contents.
 * Directories are implied by the paths. Paths leaving the root throw
 * {@link PathOutsideRepositoryError}, like {@link localFileSource}.
 */
export function memoryFileSource(files: Record<string, string> | Map<string, string>): FileSource {
  const map = files instanceof Map ? new Map(files) : new Map(Object.entries(files));
  const normalized = new Map<string, string>();
  for (const [p, content] of map) {
    const n = normalizeRepoPath(p);
    if (n !== null) normalized.set(n, content);
  }
  const check = (requested: string): string => {
    const n = normalizeRepoPath(requested);
    if (n === null) throw new PathOutsideRepositoryError(requested);
    return n;
  };
  return {
    async read(requested) {
      return normalized.get(check(requested)) ?? null;
    },
    async list(requested) {
      const dir = check(requested);
      const prefix = dir === '.' ? '' : `${dir}/`;
      const names = new Set<string>();
      for (const p of normalized.keys()) {
        if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split('/')[0]!);
      }
      return names.size > 0 ? [...names].sort() : null;
    },
  };
}
