/**
 * {@link FileSource} implementations: a checkout on disk (the action, the CLI) and an
 * in-memory tree (tests, the CLI's single-file `inspect`). The app implements its own
 * with the contents API.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FileSource } from './model.js';
import { normalizeRepoPath } from './values.js';

/** Thrown when a path would leave the repository (absolute, `..`, or a symlink pointing outside). */
export class PathOutsideRepositoryError extends Error {
  constructor(readonly requested: string) {
    super(`path leaves the repository: ${JSON.stringify(requested.slice(0, 200))}`);
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

/**
 * A checkout on disk.
 * @param root folder of the repository
 * @returns a source whose `read` returns UTF-8 text, or `null` for a missing file or a
 *   directory, and whose `list` returns entry names or `null`. Both throw
 *   {@link PathOutsideRepositoryError} for paths that are absolute, contain `..`
 *   beyond the root or resolve (through symlinks) outside it; other I/O errors propagate.
 */
export function localFileSource(root: string): FileSource {
  const absoluteRoot = path.resolve(root);
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
  return {
    async read(requested) {
      const real = await locate(requested);
      if (real === null) return null;
      try {
        return await fs.readFile(real, 'utf8');
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
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
