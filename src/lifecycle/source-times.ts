/**
 * Source modification times carried from a base to the checkout that restores it
 * (issue 15 items 2 and 4). A fresh checkout gives every tracked file the current
 * time, newer than the build outputs the snapshot brings back, so tools that decide
 * by modification time (`tsc -b`, make, cargo's fingerprints, Gradle's up-to-date
 * checks) would rebuild everything. The snapshot records each tracked file's git
 * blob and modification time ({@link SOURCE_TIMES_PATH}); after a restore, every
 * tracked file whose blob is unchanged gets its recorded time back, so only what the
 * new commit changed looks new. Node-only: shared by prebuild and restore.
 *
 * The record comes from the snapshot, so it is not trusted: it only ever selects
 * among the files git tracks in the checkout (paths come from `git ls-files`), only
 * regular files are touched, and never through a symlink (`lutimes`).
 */
import { lstat, lutimes, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git, isWorkTreeRoot } from './git.js';
import { MARKER_DIR } from './marker.js';

/** Workspace-relative file of the record: `<mode> <blob> <mtimeMs>\t<path>\0` per tracked regular file. */
export const SOURCE_TIMES_PATH = `${MARKER_DIR}/source-times`;

/** A tracked regular file: git mode and blob id, by path. */
async function trackedBlobs(workspace: string): Promise<Map<string, string> | null> {
  const out = await git(workspace, ['ls-files', '-s', '-z']);
  if (out === null) return null;
  const blobs = new Map<string, string>();
  for (const entry of out.split('\0')) {
    const m = /^(100644|100755) ([0-9a-f]{40,64}) 0\t(.+)$/s.exec(entry);
    if (m) blobs.set(m[3]!, `${m[1]} ${m[2]}`);
  }
  return blobs;
}

/**
 * Writes the record of the workspace's tracked regular files (see the module
 * comment); empties a stale one outside the root of a work tree.
 */
export async function writeSourceTimes(workspace: string): Promise<void> {
  const file = path.join(workspace, SOURCE_TIMES_PATH);
  const blobs = (await isWorkTreeRoot(workspace)) ? await trackedBlobs(workspace) : null;
  if (blobs === null) {
    await writeFile(file, '').catch(() => undefined);
    return;
  }
  const lines: string[] = [];
  for (const [rel, blob] of blobs) {
    const st = await lstat(path.join(workspace, rel)).catch(() => null);
    if (st?.isFile()) lines.push(`${blob} ${st.mtimeMs}\t${rel}\0`);
  }
  await mkdir(path.join(workspace, MARKER_DIR), { recursive: true });
  await writeFile(file, lines.join(''));
}

/** Parses a record; entries that are not well-formed are skipped. */
export function parseSourceTimes(text: string): Map<string, { blob: string; mtimeMs: number }> {
  const out = new Map<string, { blob: string; mtimeMs: number }>();
  for (const entry of text.split('\0')) {
    const m = /^(100644|100755) ([0-9a-f]{40,64}) (\d+(?:\.\d+)?)\t(.+)$/s.exec(entry);
    if (m) out.set(m[4]!, { blob: `${m[1]} ${m[2]}`, mtimeMs: Number(m[3]) });
  }
  return out;
}

/**
 * Gives every tracked regular file of `workspace` whose blob is the one `record`
 * (the base's {@link SOURCE_TIMES_PATH} text) names its recorded modification time.
 * @returns how many files got their time back (0 outside a work tree root)
 */
export async function restoreSourceTimes(workspace: string, record: string): Promise<number> {
  const recorded = parseSourceTimes(record);
  if (recorded.size === 0 || !(await isWorkTreeRoot(workspace))) return 0;
  const blobs = (await trackedBlobs(workspace)) ?? new Map<string, string>();
  let restored = 0;
  for (const [rel, blob] of blobs) {
    const was = recorded.get(rel);
    if (!was || was.blob !== blob) continue;
    const abs = path.join(workspace, rel);
    const st = await lstat(abs).catch(() => null);
    if (!st?.isFile()) continue;
    const seconds = was.mtimeMs / 1000;
    await lutimes(abs, seconds, seconds);
    restored++;
  }
  return restored;
}
