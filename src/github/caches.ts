/**
 * Deleting snapshots from the stores the app can reach: the Actions cache through
 * the REST API, and directory stores (`dir:`) mounted where the app runs, named by
 * `PREBUILDS_DIR_STORES`. SPEC.md rule 6: a prebuild that ends as anything but
 * success has its snapshot deleted from every store; rule 7: retention.
 */
import path from 'node:path';
import { snapshotKey } from '../lifecycle/snapshot-key.js';
import { DirStore } from '../lifecycle/snapshot/dir-store.js';
import { isStatus, type Octokit, type RepoParams } from './octokit.js';

/** Environment variable listing the directory stores the app can reach, separated by `:` (absolute paths). */
export const DIR_STORES_ENV = 'PREBUILDS_DIR_STORES';

/**
 * Deletes the Actions cache entries with exactly this key
 * (`DELETE /repos/{owner}/{repo}/actions/caches?key=`; needs `actions: write`).
 * @returns true when entries were deleted, false when none existed (404: already
 *   evicted, or the snapshot lives in a directory store on a self-hosted runner)
 * @throws Octokit's RequestError for other failures
 */
export async function deleteCacheByKey(octokit: Octokit, repo: RepoParams, key: string): Promise<boolean> {
  try {
    // The key is a query parameter; Octokit would put a DELETE's other parameters in the body.
    await octokit.request('DELETE /repos/{owner}/{repo}/actions/caches{?key}', { ...repo, key });
    return true;
  } catch (error) {
    if (isStatus(error, 404)) return false;
    throw error;
  }
}

/**
 * The directory stores named by {@link DIR_STORES_ENV}: absolute paths only
 * (relative ones are ignored: the app's working directory means nothing to a runner).
 */
export function dirStoresFromEnv(env: NodeJS.ProcessEnv): DirStore[] {
  const roots = (env[DIR_STORES_ENV] ?? '').split(':').map((p) => p.trim());
  return [...new Set(roots.filter((p) => path.isAbsolute(p)))].map((p) => new DirStore(p));
}

/** Every store a repository's snapshots may be in, as the app reaches them. */
export interface SnapshotStores {
  octokit: Octokit;
  repo: RepoParams;
  /** Directory stores the app can reach (see {@link dirStoresFromEnv}); may be empty. */
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
