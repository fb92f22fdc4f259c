/**
 * Retention in the Actions cache, applied by the run (SPEC.md rule 7): when the app
 * dispatches a prebuild it records the configuration's prebuilds that retention expires
 * and hands their snapshot keys over in the `expire` input; the action deletes them
 * (`DELETE /repos/{owner}/{repo}/actions/caches?key=`, exact key) with the job's token,
 * so the app spends no request of its own on them. Only keys of this configuration's
 * snapshots are deleted, never the base the run starts from nor its own key. A failure is
 * a warning: the prebuild does not depend on it, and the entry is only storage (GitHub
 * evicts entries unused for 7 days).
 */
import { Octokit } from '@octokit/rest';
import { parseSnapshotKey, snapshotKeyPrefix } from '../../../src/lifecycle/snapshot-key.js';
import { cachesPartPrefix, isCachesPartKey } from '../../../src/lifecycle/caches-part.js';
import type { LifecycleLog } from '../../../src/lifecycle/run-hooks.js';

/** Deletes the entries with exactly `key`; false when there were none (404). A seam for tests. */
export type DeleteCacheByKey = (key: string) => Promise<boolean>;

/** Where and as whom the entries are deleted. */
export interface ExpireOptions {
  /** `owner/repo` (`GITHUB_REPOSITORY`). */
  repository: string;
  /** Token with `actions: write` (the workflow's `github.token` with that permission). */
  token: string;
  /** REST base URL (`GITHUB_API_URL`), default `https://api.github.com`. */
  baseUrl?: string;
  /** Replaces the HTTP call (tests). */
  deleteByKey?: DeleteCacheByKey;
}

/**
 * The keys of `expire` this run may delete: snapshot keys and package caches part keys
 * (src/lifecycle/caches-part.ts) of `configuration`, other than `keep` (its base, its own
 * key and the caches part it restores or saves).
 */
export function deletableKeys(expire: readonly string[], configuration: string, keep: readonly (string | null)[]): string[] {
  const prefix = snapshotKeyPrefix(configuration);
  const partPrefix = cachesPartPrefix(configuration);
  const ours = (k: string) => (k.startsWith(prefix) && parseSnapshotKey(k) !== null) || (k.startsWith(partPrefix) && isCachesPartKey(k));
  return [...new Set(expire)].filter((k) => ours(k) && !keep.includes(k));
}

/** A {@link DeleteCacheByKey} over the REST API. */
function restDelete(options: ExpireOptions): DeleteCacheByKey {
  const [owner, repo, ...rest] = options.repository.split('/');
  if (!owner || !repo || rest.length > 0) throw new Error(`"${options.repository}" is not owner/repo (GITHUB_REPOSITORY)`);
  if (!options.token) throw new Error('no token: set the "token" input (default ${{ github.token }}, needs actions: write)');
  const quiet = (): void => undefined;
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl || 'https://api.github.com',
    userAgent: 'prebuilds-action',
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  return async (key) => {
    try {
      await octokit.rest.actions.deleteActionsCacheByKey({ owner, repo, key });
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  };
}

/**
 * Deletes the expired snapshots from the Actions cache (see the module comment).
 * @returns the keys whose entries were deleted (gone already: not listed)
 */
export async function deleteExpiredSnapshots(keys: readonly string[], options: ExpireOptions, log: LifecycleLog): Promise<string[]> {
  if (keys.length === 0) return [];
  const deleted: string[] = [];
  try {
    const deleteByKey = options.deleteByKey ?? restDelete(options);
    for (const key of keys) if (await deleteByKey(key)) deleted.push(key);
    log.info(
      `Retention: deleted ${deleted.length} expired snapshot${deleted.length === 1 ? '' : 's'} from the Actions cache${deleted.length ? `: ${deleted.join(', ')}` : ''}`,
    );
  } catch (err) {
    log.warning(
      `Retention could not delete expired snapshots from the Actions cache (the job's token needs actions: write): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return deleted;
}
