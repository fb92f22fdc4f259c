import { isStatus, type Octokit, type RepoParams } from './octokit.js';

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

/** One Actions cache entry as `GET /repos/{owner}/{repo}/actions/caches` lists it (the fields used). */
export interface CacheEntry {
  key: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * The Actions cache entries whose key starts with `prefix`, every ref
 * (`GET /repos/{owner}/{repo}/actions/caches?key=`, 100 a page; needs `actions: read`).
 * @throws Octokit's RequestError
 */
export async function listCachesByPrefix(octokit: Octokit, repo: RepoParams, prefix: string): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  for (let page = 1; ; page++) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/actions/caches', { ...repo, key: prefix, per_page: 100, page });
    for (const c of data.actions_caches) if (c.key?.startsWith(prefix)) out.push({ key: c.key, createdAt: c.created_at ?? '' });
    if (data.actions_caches.length < 100) return out;
  }
}
