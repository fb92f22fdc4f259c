import { isStatus, type Octokit, type RepoParams } from './octokit.js';

/**
 * The default branch of a repository (`GET /repos/{owner}/{repo}`).
 * @throws Octokit's RequestError (404: no such repository, or not installed)
 */
export async function defaultBranchOf(octokit: Octokit, repo: RepoParams): Promise<string> {
  const response = await octokit.request('GET /repos/{owner}/{repo}', { ...repo });
  return response.data.default_branch;
}

/**
 * The full sha a branch name, tag or abbreviated sha points at
 * (`GET /repos/{owner}/{repo}/commits/{ref}`).
 * @returns null when GitHub knows no such ref (404, 422)
 * @throws Octokit's RequestError for other failures
 */
export async function resolveCommit(octokit: Octokit, repo: RepoParams, ref: string): Promise<string | null> {
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { ...repo, ref, per_page: 1 });
    return response.data.sha;
  } catch (error) {
    if (isStatus(error, 404) || isStatus(error, 422)) return null;
    throw error;
  }
}

/**
 * The id of the app's installation on a repository (`GET /repos/{owner}/{repo}/installation`,
 * authenticated as the app with its JWT).
 * @returns null when the app is not installed there (404)
 * @throws Octokit's RequestError for other failures
 */
export async function repositoryInstallationId(appOctokit: Octokit, repo: RepoParams): Promise<number | null> {
  try {
    const response = await appOctokit.request('GET /repos/{owner}/{repo}/installation', { ...repo });
    return response.data.id;
  } catch (error) {
    if (isStatus(error, 404)) return null;
    throw error;
  }
}

/** A branch head and the repository's default branch. */
export interface BranchHead {
  defaultBranch: string;
  sha: string;
}

/**
 * The head sha of a branch and the repository's default branch: `GET /repos/{owner}/{repo}`
 * and `GET /repos/{owner}/{repo}/branches/{branch}` (the default branch when `branch` is omitted).
 * @returns null when the repository or branch is gone (404) or the repository is empty (409)
 * @throws Octokit's RequestError for other failures
 */
export async function branchHead(octokit: Octokit, repo: RepoParams, branch?: string): Promise<BranchHead | null> {
  try {
    const defaultBranch = await defaultBranchOf(octokit, repo);
    const response = await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repo, branch: branch ?? defaultBranch });
    return { defaultBranch, sha: response.data.commit.sha };
  } catch (error) {
    if (isStatus(error, 404) || isStatus(error, 409)) return null;
    throw error;
  }
}
