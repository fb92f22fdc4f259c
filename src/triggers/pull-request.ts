import type { PrebuildSettings } from '../config/model.js';
import { branchMatches } from './push.js';

/** `pull_request` actions that prebuild the head commit; every other action starts nothing. */
export const PREBUILDING_ACTIONS: readonly string[] = ['opened', 'synchronize', 'reopened'];

/** What a pull request brings to one configuration. */
export interface PullRequestFacts {
  /** The branch the PR merges into: the configuration's `branches` globs apply to it. */
  baseBranch: string;
  /** `owner/name` of the head repository; null when the fork was deleted. */
  headRepository: string | null;
  /** `owner/name` of the repository the PR is in. */
  repository: string;
}

/** A pull-request trigger verdict (SPEC.md rules 4 and 10). `fork` marks the fork refusal. */
export interface PullRequestVerdict {
  run: boolean;
  reason: string;
  fork: boolean;
}

/**
 * Whether a same-repository pull request prebuilds its head commit for a configuration:
 * its base branch must match `branches`, `pullRequests` must not be `off`, and a PR from a
 * fork is never prebuilt (the workflow would run with the repository's secrets). Pure.
 */
export function decidePullRequest(settings: Pick<PrebuildSettings, 'branches' | 'pullRequests'>, pr: PullRequestFacts): PullRequestVerdict {
  if (!branchMatches(settings, pr.baseBranch)) {
    return { run: false, fork: false, reason: `branch-unmatched: base branch ${pr.baseBranch} is not in ${settings.branches.join(', ')}` };
  }
  if (settings.pullRequests === 'off') return { run: false, fork: false, reason: 'pullRequests: off' };
  if (pr.headRepository !== pr.repository) {
    return {
      run: false,
      fork: true,
      reason: `fork: pull requests from forks are never prebuilt with the repository's secrets (head: ${pr.headRepository ?? 'deleted fork'})`,
    };
  }
  return { run: true, fork: false, reason: 'pull request of the same repository' };
}
