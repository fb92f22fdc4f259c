/**
 * The package caches (caches.ts, `.prebuilds/caches/<manager>`) as a snapshot part of
 * their own (issue 15): the snapshot proper leaves them out, and they are saved once
 * per set of dependency files under a key derived from those files' hashes, the
 * configuration identity and the managers kept. Every snapshot whose marker names
 * the part ({@link PrebuildMarker.caches}) shares it, so
 * - an exact restore, an ancestor restore and an incremental prebuild after a
 *   source-only commit never download or extract the caches (no install re-runs);
 * - a prebuild or restore after a dependency-file change restores the part its base
 *   names before any hook runs, so the re-install is offline-fast;
 * - a prebuild whose dependency files are those of a part already in the store does
 *   not save it again.
 *
 * Keys: `prebuilds-v1-caches/<configuration>/<sha256>` — outside the snapshots'
 * `prebuilds-v1/<configuration>/` prefix, so listings, base selection and retention
 * of snapshots never see a part; immutable, no commas, well under 512 characters
 * (the Actions cache rules, REFERENCE.md). The part is saved with the paths
 * {@link CACHES_PART_PATHS} in every store and goes through the same archive code:
 * the secret scan while archiving, the guarded extraction into a staging directory.
 *
 * Deletion: a part is deleted once no snapshot kept names it (retention and the
 * deletion of an unsuccessful prebuild's snapshot sweep them: {@link unreferencedParts}).
 * A part is only ever restored through a successful snapshot that names it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CACHES_DIR, type PackageManager } from './caches.js';
import type { PrebuildMarker } from './marker.js';
import { mergeTree } from './merge.js';
import { keySegment } from './snapshot-key.js';
import { SnapshotExistsError, type SecretValue, type SnapshotListing, type SnapshotStore } from './snapshot/store.js';
import type { PhaseTimer } from './timings.js';

/** First segment of every caches part key. */
export const CACHES_PART_PREFIX = 'prebuilds-v1-caches';

/** The paths a caches part is saved and restored with (workspace-relative). */
export const CACHES_PART_PATHS: readonly string[] = [CACHES_DIR];

/**
 * How long an unreferenced part is kept by the action's own retention (dir: and oci:
 * stores, which know no prebuild in flight): a prebuild saves its part just before
 * its snapshot, so a part younger than the longest job (6 h on GitHub-hosted
 * runners) may belong to a snapshot still being saved. ms.
 */
export const UNREFERENCED_PART_GRACE_MS = 6 * 60 * 60 * 1000;

/**
 * The key of the caches part for a set of dependency files.
 * @param configuration configuration name (SPEC.md `name`)
 * @param identity configuration identity (a different environment does not share caches)
 * @param managers the managers whose caches are kept (caches.ts `kept`), in order
 * @param dependencyFiles sha256 per dependency file (dependency-files.ts), as recorded
 *   when the install (`onCreateCommand`) last ran
 * @returns the key, or `null` when no cache is kept
 */
export function cachesPartKey(
  configuration: string,
  identity: string,
  managers: readonly PackageManager[],
  dependencyFiles: Record<string, string>,
): string | null {
  if (managers.length === 0) return null;
  const files = Object.keys(dependencyFiles)
    .sort()
    .map((f) => `${f}\0${dependencyFiles[f]}`);
  const digest = createHash('sha256').update(JSON.stringify({ identity, managers, files })).digest('hex');
  return `${CACHES_PART_PREFIX}/${keySegment(configuration)}/${digest}`;
}

/** Prefix shared by every caches part of a configuration. */
export function cachesPartPrefix(configuration: string): string {
  return `${CACHES_PART_PREFIX}/${keySegment(configuration)}/`;
}

/** Whether `key` is a caches part key (as {@link cachesPartKey} makes them). */
export function isCachesPartKey(key: string): boolean {
  return /^prebuilds-v1-caches\/[A-Za-z0-9._-]+\/[0-9a-f]{64}$/.test(key);
}

/** What {@link saveCachesPart} did. */
export type CachesPartSave = { state: 'saved'; bytes: number } | { state: 'reused' } | { state: 'absent' };

/**
 * Saves the workspace's package caches as the part `key`, unless the store already
 * holds it (`reused`: same dependency files, nothing new to keep) or the workspace
 * has none (`absent`). Records the `saveCaches` phase (a store's upload under `upload`).
 * @throws SecretInSnapshotError when a cached file holds a secret (nothing is saved);
 *   Error when archiving or uploading fails
 */
export async function saveCachesPart(
  store: SnapshotStore,
  key: string,
  workspace: string,
  options: { secrets?: readonly SecretValue[]; timer: PhaseTimer },
): Promise<CachesPartSave> {
  const { timer } = options;
  return timer.timeOuter('saveCaches', ['upload'], async () => {
    const st = await lstat(path.join(workspace, CACHES_DIR)).catch(() => null);
    if (!st?.isDirectory()) return { state: 'absent' };
    if (await store.exists(key, CACHES_PART_PATHS)) return { state: 'reused' };
    try {
      const { bytes } = await store.save(key, CACHES_PART_PATHS, workspace, undefined, { secrets: options.secrets, timer });
      return { state: 'saved', bytes };
    } catch (err) {
      // Another prebuild with the same dependency files saved it meanwhile: the same content.
      if (err instanceof SnapshotExistsError) return { state: 'reused' };
      throw err;
    }
  });
}

/**
 * Restores the caches part a marker names into `workspace/.prebuilds/caches`
 * (extracted, guarded, into a staging directory, then moved in; what the workspace
 * already has there stays). Records the `restoreCaches` phase (a download under
 * `download`). Never throws: a part that is missing or cannot be extracted only
 * makes the install download again.
 * @returns `true` when restored, else the reason it was not
 */
export async function restoreCachesPart(store: SnapshotStore, marker: PrebuildMarker | null, workspace: string, timer: PhaseTimer): Promise<true | string> {
  const key = marker?.caches;
  if (!key) return 'the snapshot names no package caches part';
  if (!isCachesPartKey(key)) return `the snapshot names an invalid caches part key ${JSON.stringify(key)}`;
  return timer.timeOuter('restoreCaches', ['download'], async () => {
    const staging = path.join(workspace, `.prebuilds-caches-${randomBytes(4).toString('hex')}`);
    await mkdir(staging);
    try {
      const found = await store.restore(key, CACHES_PART_PATHS, staging, { timer });
      if (!found) return `${key} is not in the ${store.description} (evicted or deleted)`;
      const from = path.join(staging, CACHES_DIR);
      const st = await lstat(from).catch(() => null);
      if (!st?.isDirectory()) return `${key} holds no ${CACHES_DIR} directory`;
      const into = path.join(workspace, CACHES_DIR);
      await mkdir(into, { recursive: true });
      await mergeTree(from, into, []);
      return true;
    } catch (err) {
      return `${key} cannot be restored: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}

/**
 * The caches parts to delete: those no kept snapshot names, created before `before`
 * (ms since the epoch; a younger part may belong to a snapshot being saved).
 * @param parts the parts listed (keys under {@link cachesPartPrefix})
 * @param referenced caches part keys named by the snapshots kept
 * @returns the keys to delete
 */
export function unreferencedParts(
  parts: readonly Pick<SnapshotListing, 'key' | 'createdAt'>[],
  referenced: Iterable<string | null | undefined>,
  before: number,
): string[] {
  const used = new Set(referenced);
  return parts
    .filter((p) => isCachesPartKey(p.key) && !used.has(p.key))
    .filter((p) => {
      const created = Date.parse(p.createdAt);
      return Number.isFinite(created) && created < before;
    })
    .map((p) => p.key);
}
