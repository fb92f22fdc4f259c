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
 * deletion of an unsuccessful prebuild's snapshot sweep them: {@link orphanedParts}).
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
 * A caches part as {@link orphanedParts} sees it: its key, and when it was created (ms
 * since the epoch) if a listing says so. `null`: age unknown (a key a snapshot named,
 * not listed); `NaN` (an unreadable listing date) never counts as old.
 */
export interface PartSeen {
  key: string;
  createdAt: number | null;
}

/** What {@link orphanedParts} decides from, besides the parts. */
export interface OrphanRule {
  /**
   * The caches part keys the kept snapshots name (`null`: a snapshot without a part).
   * An `undefined` entry is a kept snapshot whose part is unknown: every part stays.
   */
  referenced: Iterable<string | null | undefined>;
  /**
   * Creation times (ms since the epoch) of the configuration's prebuilds in flight that
   * may still name a part (waiting, dispatched, running; the caller's own excluded).
   * Empty when none, or when the caller cannot know them (the action: the grace covers them).
   */
  inFlightSince: readonly number[];
  /**
   * How old, ms, an unreferenced part must be: a part younger may belong to a snapshot
   * still being saved. 0 for the app (it knows the prebuilds in flight);
   * {@link UNREFERENCED_PART_GRACE_MS} for the action's own retention.
   */
  graceMs: number;
  /** Current time, ms since the epoch. */
  now: number;
}

/**
 * The one rule for "this caches part is orphaned" (deleted by the dispatch hand-over,
 * the app's sweeps and the action's retention alike): a part is orphaned when
 * - its key is a caches part key ({@link isCachesPartKey}),
 * - no kept snapshot names it, and every kept snapshot's part is known,
 * - and it is known to be old enough: created before `now - graceMs` and before the
 *   oldest prebuild in flight was created (a part created since may be one an in-flight
 *   prebuild saved and is about to name). An older unreferenced part that an in-flight
 *   prebuild found and reused is not protected: its snapshot then names a missing part,
 *   which costs that snapshot's restores a slower install (the package managers
 *   download again), never a wrong tree. A part whose age is unknown could be any age: it is orphaned only when no
 *   age matters (no grace, nothing in flight).
 * @returns the orphaned keys, each once, in the order first seen
 */
export function orphanedParts(parts: Iterable<PartSeen>, rule: OrphanRule): string[] {
  const used = new Set(rule.referenced);
  if (used.has(undefined)) return [];
  const cutoff = Math.min(rule.now - rule.graceMs, ...rule.inFlightSince);
  const anyAge = rule.graceMs <= 0 && rule.inFlightSince.length === 0;
  const out = new Set<string>();
  for (const part of parts) {
    if (!isCachesPartKey(part.key) || used.has(part.key)) continue;
    if (part.createdAt === null ? anyAge : part.createdAt < cutoff) out.add(part.key);
  }
  return [...out];
}

/** {@link PartSeen}s of listed parts (a store's `list`, the Actions cache's `created_at`). */
export function listedParts(parts: Iterable<Pick<SnapshotListing, 'key' | 'createdAt'>>): PartSeen[] {
  return [...parts].map((p) => ({ key: p.key, createdAt: Date.parse(p.createdAt) }));
}
