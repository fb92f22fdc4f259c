/**
 * Incremental prebuilds and restore: restore a snapshot into a fresh checkout of a
 * newer (or the same) commit (Gitpod incremental prebuilds), and leave behind what
 * the next one needs. Node-only: shared by the action and the CLI.
 *
 * The base is extracted into a staging directory inside the workspace (same file
 * system, so merging is renames), then merged: what the checkout lacks moves in,
 * the checkout's own files (the new commit's sources) and its `.git` stay. Files
 * the base tracked that the new commit deleted are removed, using the list saved
 * with the base ({@link TRACKED_FILES_PATH}). Tracked files the new commit did not
 * change get the base's modification times back (source-times.ts), so build tools
 * that decide by modification time rebuild only what changed.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MARKER_DIR, MARKER_PATH, TRACKED_FILES_PATH, parseMarker, type PrebuildMarker } from './marker.js';
import { isWorkTreeRoot, trackedFiles } from './git.js';
import { mergeTree } from './merge.js';
import { restoreSourceTimes, SOURCE_TIMES_PATH } from './source-times.js';
import type { SnapshotStore } from './snapshot/store.js';
import { PhaseTimer } from './timings.js';

/** Name prefix of the staging directory inside the workspace. */
export const STAGING_PREFIX = '.prebuilds-restore-';

/** What restoring a base did. */
export interface BaseRestore {
  /** `false` when the store had no such entry (evicted, never saved), it could not be extracted, or `accept` rejected it: nothing was merged. */
  restored: boolean;
  /** Why the snapshot was not used although the store had it: it could not be extracted (unsafe or corrupt), or `accept` rejected it. */
  rejected?: string;
  /** The base's marker, `null` when it had none (or was not restored). */
  marker: PrebuildMarker | null;
  /** Entries moved into the workspace / kept from the checkout. */
  moved: number;
  kept: number;
  /** Workspace-relative files deleted because the new commit no longer tracks them. */
  deleted: string[];
  /** Tracked files unchanged since the base that got the base's modification time back (source-times.ts). */
  timesRestored?: number;
}

/**
 * Whether `rel` (workspace-relative, `/`-separated) names a path inside `root` whose
 * parent directories are real directories, not symlinks: true when every
 * component but the last is a directory by `lstat`.
 */
async function reachableWithoutSymlinks(root: string, rel: string): Promise<boolean> {
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (path.isAbsolute(rel) || parts.length === 0 || parts.includes('..')) return false;
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const st = await lstat(dir).catch(() => null);
    if (!st?.isDirectory()) return false;
  }
  return true;
}

/** The text of a regular file at `rel` inside `root`, never through a symlink; `null` otherwise. */
async function readInside(root: string, rel: string): Promise<string | null> {
  if (!(await reachableWithoutSymlinks(root, rel))) return null;
  const file = path.join(root, rel);
  const st = await lstat(file).catch(() => null);
  return st?.isFile() ? readFile(file, 'utf8').catch(() => null) : null;
}

/**
 * Checks a restored snapshot's marker before it is merged.
 * @returns `null` to accept it, else the reason to discard it
 */
export type AcceptSnapshot = (marker: PrebuildMarker | null) => string | null;

/**
 * Restores the base snapshot `key` into `workspace` (see the module comment).
 * @param accept when given, called with the restored marker before anything is
 *   merged; a rejected snapshot is discarded and the workspace is left untouched
 * @param options.timer records the `restore` (extract), `download` (stores that
 *   download) and `merge` (move in, delete, clean up) phases
 * @param options.exclude workspace-relative paths of the snapshot not restored
 * A snapshot that cannot be extracted (an entry escaping the workspace, a corrupt or
 * truncated archive, a failed download) is discarded the same way: the caller falls
 * back to another snapshot or to the full lifecycle instead of failing.
 * @throws Error when merging into the workspace fails
 */
export async function restoreBase(
  store: SnapshotStore,
  key: string,
  paths: readonly string[],
  workspace: string,
  accept?: AcceptSnapshot,
  options: { timer?: PhaseTimer; exclude?: readonly string[] } = {},
): Promise<BaseRestore> {
  const timer = options.timer ?? new PhaseTimer();
  const staging = path.join(workspace, `${STAGING_PREFIX}${randomBytes(4).toString('hex')}`);
  await mkdir(staging);
  try {
    let found: boolean;
    try {
      found = await timer.timeOuter('restore', ['download'], () => store.restore(key, paths, staging, { timer, exclude: options.exclude }));
    } catch (err) {
      const rejected = `it cannot be extracted: ${err instanceof Error ? err.message : String(err)}`;
      return { restored: false, rejected, marker: null, moved: 0, kept: 0, deleted: [] };
    }
    if (!found) return { restored: false, marker: null, moved: 0, kept: 0, deleted: [] };
    const marker = parseMarker(await readInside(staging, MARKER_PATH));
    const rejected = accept?.(marker);
    if (rejected) return { restored: false, rejected, marker, moved: 0, kept: 0, deleted: [] };
    const baseTracked = (await readInside(staging, TRACKED_FILES_PATH))?.split('\0').filter(Boolean) ?? null;
    const sourceTimes = await readInside(staging, SOURCE_TIMES_PATH);
    return await timer.time('merge', async () => {
      const { moved, kept } = await mergeTree(staging, workspace, ['.git']);
      // Disjoint files (no longer tracked / tracked and unchanged), each after a git read: side by side.
      const [deleted, timesRestored] = await Promise.all([
        baseTracked ? deleteUntracked(workspace, baseTracked) : [],
        sourceTimes ? restoreSourceTimes(workspace, sourceTimes) : 0,
      ]);
      return { restored: true, marker, moved, kept, deleted, timesRestored };
    });
  } finally {
    await timer.time('merge', () => rm(staging, { recursive: true, force: true }));
  }
}

/**
 * Deletes files the base tracked that git no longer tracks in `workspace`; returns
 * them. The list comes from the snapshot, so it is not trusted: a name that is
 * absolute, climbs with `..`, or passes through a symlink (a snapshot may carry
 * `link -> /`) is skipped, and a symlink itself is unlinked, never followed.
 */
async function deleteUntracked(workspace: string, baseTracked: string[]): Promise<string[]> {
  if (!(await isWorkTreeRoot(workspace))) return [];
  const now = new Set((await trackedFiles(workspace)) ?? []);
  const deleted: string[] = [];
  for (const file of baseTracked) {
    if (now.has(file) || !(await reachableWithoutSymlinks(workspace, file))) continue;
    const abs = path.join(workspace, file);
    const st = await lstat(abs).catch(() => null);
    if (st && !st.isDirectory()) {
      await unlink(abs);
      deleted.push(file);
    }
  }
  return deleted;
}

/**
 * Records the files git tracks, for the next incremental prebuild. Written only
 * when the workspace is the root of a work tree; a stale list is removed otherwise.
 */
export async function writeTrackedFiles(workspace: string): Promise<void> {
  const file = path.join(workspace, TRACKED_FILES_PATH);
  const files = (await isWorkTreeRoot(workspace)) ? await trackedFiles(workspace) : null;
  if (files === null) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(path.join(workspace, MARKER_DIR), { recursive: true });
  await writeFile(file, files.map((f) => `${f}\0`).join(''));
}
