/**
 * Deleting snapshots from every store the app can reach: the Actions cache through the
 * REST API, and directory stores (`dir:`) mounted where the app runs (`PREBUILDS_DIR_STORES`).
 * SPEC.md rule 6: a prebuild that ends as anything but success has its snapshot deleted
 * from every store; rule 7: retention.
 */
import { deleteCacheByKey } from '../github/caches.js';
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
