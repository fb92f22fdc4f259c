/**
 * Merges a restored snapshot into a fresh checkout: everything the checkout lacks
 * (dependencies, build output, the marker) moves in; everything it has — the
 * sources at the commit being prebuilt — stays (SPEC.md rule 11: the configuration
 * and sources of the new commit, never the base's copies).
 */
import { cp, lstat, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Counts of a merge: top-most entries moved in, and entries kept because the target had them. */
export interface MergeStats {
  moved: number;
  kept: number;
}

async function lstatOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Moves `from` to `to`, copying across file systems (symlinks copied as links). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await cp(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
    await rm(from, { recursive: true, force: true });
  }
}

/**
 * Moves every entry of `source` that `target` lacks into `target`, recursing into
 * directories both have; a file, symlink or type clash in `target` wins. Whole
 * missing subtrees move with one rename. `source` is left with what was not moved.
 * @param skipTop top-level names of `source` never merged (e.g. `.git`)
 */
export async function mergeTree(source: string, target: string, skipTop: readonly string[] = []): Promise<MergeStats> {
  const stats: MergeStats = { moved: 0, kept: 0 };
  const walk = async (src: string, dst: string, top: boolean): Promise<void> => {
    for (const entry of await readdir(src, { withFileTypes: true })) {
      if (top && skipTop.includes(entry.name)) continue;
      const from = path.join(src, entry.name);
      const to = path.join(dst, entry.name);
      const existing = await lstatOrNull(to);
      if (!existing) {
        await move(from, to);
        stats.moved++;
      } else if (existing.isDirectory() && entry.isDirectory()) {
        await walk(from, to, false);
      } else {
        stats.kept++;
      }
    }
  };
  await walk(source, target, true);
  return stats;
}
