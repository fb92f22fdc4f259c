import type { Octokit, RepoParams } from './octokit.js';

/** Nearest commits reachable from a sha, itself first (`GET /repos/{owner}/{repo}/commits?sha=&per_page=`). */
export interface AncestorList {
  /** Shas in the order GitHub lists them (newest first, all parents followed); [0] is the commit itself. */
  shas: string[];
  /** True when the list may stop before the repository's root (a full page came back). */
  truncated: boolean;
}

const cache = new Map<string, AncestorList>();
const CACHE_LIMIT = 500;

/**
 * Lists up to `count` (≤ 100) commits reachable from `sha`, itself included, with one
 * call of `GET /repos/{owner}/{repo}/commits?sha={sha}&per_page={count}`. Cached per
 * repository and sha (a commit's history never changes).
 * @throws Octokit's RequestError
 */
export async function listAncestors(octokit: Octokit, repo: RepoParams, sha: string, count: number): Promise<AncestorList> {
  const perPage = Math.max(1, Math.min(100, count));
  const key = `${repo.owner}/${repo.repo}@${sha}:${perPage}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const response = await octokit.request('GET /repos/{owner}/{repo}/commits', { ...repo, sha, per_page: perPage });
  const list = { shas: response.data.map((c) => c.sha), truncated: response.data.length === perPage };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, list);
  return list;
}

/**
 * How far `head` is ahead of `base` when `base` is one of its ancestors
 * (`GET /repos/{owner}/{repo}/compare/{base}...{head}`): `ahead_by`, or null when
 * `base` is not an ancestor (diverged or behind).
 */
export async function ancestorDistance(octokit: Octokit, repo: RepoParams, base: string, head: string): Promise<number | null> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${base}...${head}`, per_page: 1 });
  const { status, ahead_by: ahead, behind_by: behind } = response.data;
  if (behind !== 0) return null;
  return status === 'identical' ? 0 : status === 'ahead' ? ahead : null;
}

/** What a push changed, as far as GitHub can tell. */
export interface PushedChanges {
  /** Commits the push added (`total_commits`). */
  count: number;
  /** Files added, modified or removed (both names of a renamed file); null when compare listed its maximum of 300 (more may have changed). */
  files: string[] | null;
}

/**
 * The commits and files between two shas, for a push whose payload lists only its first
 * 20 commits: one call of `GET /repos/{owner}/{repo}/compare/{before}...{after}`.
 * @throws Octokit's RequestError
 */
export async function compareCommits(octokit: Octokit, repo: RepoParams, before: string, after: string): Promise<PushedChanges> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${before}...${after}`, per_page: 1 });
  // A rename is one entry: its old name (`previous_filename`) no longer exists, so it changed too.
  const files =
    response.data.files && response.data.files.length < 300
      ? response.data.files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]))
      : null;
  return { count: response.data.total_commits, files };
}
