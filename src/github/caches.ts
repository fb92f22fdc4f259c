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
