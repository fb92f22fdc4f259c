import type { RepoParams } from './octokit.js';

const ZERO_SHA = /^0+$/;

/**
 * Commit history the app learns from the `push` payloads it handles, so base selection
 * (SPEC.md rule 5) needs no `GET /repos/{owner}/{repo}/commits` listing for a commit
 * whose nearest prebuilt ancestor was pushed through the app. A fast-forward push
 * (`forced: false`) lists its new commits oldest first, each an ancestor of `after`, and
 * `before` is an ancestor too: chained, every sha walked back from a pushed commit is
 * one of its ancestors, in about the order GitHub's listing gives. In memory only, and
 * at most `limit` commits (the oldest forgotten first): what is unknown is asked of GitHub.
 */
export class PushHistory {
  private readonly parents = new Map<string, string>();

  constructor(private readonly limit = 50_000) {}

  /**
   * Records a push of `commits` (shas, oldest first, as the payload lists them) moving a
   * branch from `before` to `after`. Ignored for a forced push, a new branch, or a list
   * that may be cut (GitHub lists at most 20 commits) or does not end at `after`.
   */
  recordPush(repo: RepoParams, push: { before: string; after: string; forced: boolean; commits: string[] }): void {
    const { before, after, commits } = push;
    if (push.forced || ZERO_SHA.test(before) || ZERO_SHA.test(after) || commits.length === 0 || commits.length >= 20) return;
    if (commits[commits.length - 1] !== after) return;
    let parent = before;
    for (const sha of commits) {
      const key = `${repo.owner}/${repo.repo}@${sha}`;
      this.parents.delete(key);
      this.parents.set(key, parent);
      parent = sha;
    }
    while (this.parents.size > this.limit) this.parents.delete(this.parents.keys().next().value!);
  }

  /** Up to `count` known shas reachable from `sha`, `sha` first, nearest next; stops where the pushes seen end. */
  ancestors(repo: RepoParams, sha: string, count: number): string[] {
    const out = [sha];
    for (let at = this.parents.get(`${repo.owner}/${repo.repo}@${sha}`); at !== undefined && out.length < count;) {
      out.push(at);
      at = this.parents.get(`${repo.owner}/${repo.repo}@${at}`);
    }
    return out;
  }
}
