/**
 * Deleting snapshots from every store the app can reach: the Actions cache through the
 * REST API, and directory stores (`dir:`) mounted where the app runs (`PREBUILDS_DIR_STORES`).
 * SPEC.md rule 6: a prebuild that ends as anything but success has its snapshot deleted
 * from every store; rule 7: retention. Both also delete the package caches parts
 * (src/lifecycle/caches-part.ts) that no kept snapshot names any more.
 */
import { deleteCacheByKey, listCachesByPrefix } from '../github/caches.js';
import { cachesPartPrefix, listedParts, orphanedParts } from '../lifecycle/caches-part.js';
import { cachesPartUse } from '../scheduler/retention.js';
import type { Store } from '../store/types.js';
import type { Octokit, RepoParams } from '../github/octokit.js';
import { snapshotKey } from '../lifecycle/snapshot-key.js';
import type { DirStore } from '../lifecycle/snapshot/dir-store.js';

/** Every store a repository's snapshots may be in, as the app reaches them. */
export interface SnapshotStores {
  octokit: Octokit;
  repo: RepoParams;
  /** Directory stores the app can reach (`PREBUILDS_DIR_STORES`, see src/env.ts); may be empty. */
  dirs: readonly DirStore[];
}

/** Where a deletion found the snapshot. */
export interface SnapshotDeletion {
  key: string;
  /** Entries with the key existed in the Actions cache and were deleted. */
  actionsCache: boolean;
  /** Roots of the directory stores that held it (its files are gone). */
  dirs: string[];
}

/**
 * Deletes the snapshot `key` from every store: the Actions cache and each reachable
 * directory store. Idempotent: a store without it is not an error.
 * @throws Octokit's RequestError when the Actions cache deletion fails (other than 404);
 *   Error when a directory store's file cannot be deleted
 */
export async function deleteSnapshotEverywhere(stores: SnapshotStores, key: string): Promise<SnapshotDeletion> {
  const actionsCache = await deleteCacheByKey(stores.octokit, stores.repo, key);
  const dirs: string[] = [];
  for (const store of stores.dirs) if (await store.delete(key)) dirs.push(store.root);
  return { key, actionsCache, dirs };
}

/**
 * For a prebuild the app ends as anything but success (failed, cancelled, timed
 * out, superseded while running): deletes the snapshot its run may have saved
 * before it ended, under the key the action derives from the dispatch inputs
 * (`snapshotKey(configuration, sha, prebuildId)`), from every store.
 * @throws like {@link deleteSnapshotEverywhere}
 */
export function deleteUnsuccessfulSnapshot(
  stores: SnapshotStores,
  prebuild: { configuration: string; sha: string; prebuildId: string | number },
): Promise<SnapshotDeletion> {
  return deleteSnapshotEverywhere(stores, snapshotKey(prebuild.configuration, prebuild.sha, prebuild.prebuildId));
}

/**
 * Deletes the configuration's package caches parts that are orphaned by the one rule
 * ({@link orphanedParts}, no grace: the app knows the prebuilds in flight): no
 * successful prebuild's snapshot names them (SPEC.md rules 6 and 7 for the part: a part
 * shared by several snapshots stays while one of them is kept), and none is in flight
 * that may have saved or reused them. From the Actions cache and each reachable directory store.
 * @param candidates the parts that may have lost their last snapshot (those of the
 *   snapshots just deleted): only these are considered, without listing (no extra
 *   GitHub request; their age unknown, so none while a prebuild of the configuration
 *   is in flight); absent: every part listed (a run that did not succeed may have saved
 *   one nothing names)
 * @param now current time, ms since the epoch
 * @returns the part keys deleted
 * @throws Octokit's RequestError when listing or deleting in the Actions cache fails;
 *   Error when a directory store cannot be listed or its files deleted
 */
export async function sweepCachesParts(
  stores: SnapshotStores,
  db: Pick<Store, 'listPrebuilds'>,
  configuration: string,
  candidates?: ReadonlyArray<string | null>,
  now = Date.now(),
): Promise<string[]> {
  if (candidates && !candidates.some(Boolean)) return [];
  const rule = { ...(await cachesPartUse(db, { ...stores.repo, configuration })), graceMs: 0, now };
  const deleted = new Set<string>();
  if (candidates) {
    for (const key of orphanedParts(
      candidates.flatMap((key) => (key ? [{ key, createdAt: null }] : [])),
      rule,
    )) {
      const d = await deleteSnapshotEverywhere(stores, key);
      if (d.actionsCache || d.dirs.length > 0) deleted.add(key);
    }
    return [...deleted];
  }
  const prefix = cachesPartPrefix(configuration);
  for (const key of orphanedParts(listedParts(await listCachesByPrefix(stores.octokit, stores.repo, prefix)), rule)) {
    if (await deleteCacheByKey(stores.octokit, stores.repo, key)) deleted.add(key);
  }
  for (const store of stores.dirs) {
    for (const key of orphanedParts(listedParts(await store.list(prefix)), rule)) if (await store.delete(key)) deleted.add(key);
  }
  return [...deleted];
}
