import { formatProblem, resolveConfigurations } from '../config/index.js';
import type { ResolveResult } from '../config/model.js';
import { reportConfiguration } from '../github/checks.js';
import { repoFileSource } from '../github/contents.js';
import type { Octokit, RepoParams } from '../github/octokit.js';
import { decision, decisionLog, type DecisionEvent } from './decisions.js';
import type { PrebuildsDeps } from './deps.js';
import { noKnownFiles, recordingSource } from './known-files.js';

/** Where a configuration read comes from, and when the cached one may be reused. */
export interface ReadContext {
  deliveryId: string;
  event: DecisionEvent;
  /**
   * A push: reuse what was resolved at `before` on `branch` when `changedFiles` touch
   * none of the files it was resolved from (null: unknown, always read again).
   */
  reuse?: { branch: string; before: string; changedFiles: string[] | null };
}

/**
 * Reads the configurations at a commit through the contents API (SPEC.md
 * "Configuration": `.github/prebuilds.yml`, else the default), or reuses the ones
 * resolved at the branch's previous head when a push touched none of their files; when it
 * touched some, only the files it changed are read again (the others are carried over
 * from the previous head's read, see config-cache.ts). A commit some branch's head was
 * resolved at (a pull request's head after its push, a new branch, a schedule) is not
 * read again when that read found no problems.
 * When a file does not parse or validate, the commit gets a failing "Prebuild
 * configuration" check run quoting file, line and reason (a neutral one for warnings
 * only), and each problem is recorded as a decision; configurations that did resolve
 * still run.
 * @throws Octokit's RequestError when GitHub fails (the delivery is retried)
 */
export async function readConfigurations(
  deps: PrebuildsDeps,
  octokit: Octokit,
  repo: RepoParams,
  sha: string,
  defaultBranch: string,
  context: ReadContext,
): Promise<ResolveResult> {
  const cacheKey = context.reuse ? `${repo.owner}/${repo.repo}#${context.reuse.branch}` : null;
  if (cacheKey && context.reuse) {
    const cached = deps.configCache.reuse(cacheKey, context.reuse.before, sha, context.reuse.changedFiles);
    if (cached) return cached;
  }
  const sameCommit = deps.configCache.atCommit(`${repo.owner}/${repo.repo}`, sha, defaultBranch);
  if (sameCommit) {
    if (cacheKey) deps.configCache.remember(cacheKey, sha, sameCommit.result, sameCommit.files, defaultBranch);
    return sameCommit.result;
  }
  // Files the push did not change are taken from the previous head's read: only changed ones are requested.
  const known = cacheKey && context.reuse ? deps.configCache.carried(cacheKey, context.reuse.before, context.reuse.changedFiles) : noKnownFiles();
  const seen = noKnownFiles();
  const result = await resolveConfigurations(recordingSource(repoFileSource(octokit, repo, sha), known, seen), { defaultBranch });
  if (cacheKey) deps.configCache.remember(cacheKey, sha, result, seen, defaultBranch);
  if (result.problems.length > 0 || result.warnings.length > 0) await reportConfiguration(octokit, repo, sha, result.problems, result.warnings);
  if (result.problems.length > 0) {
    const decisions = decisionLog(deps.store, { deliveryId: context.deliveryId, ...repo, sha, event: context.event });
    for (const p of result.problems) await decisions.record(decision.configurationProblem(formatProblem(p)));
  }
  return result;
}

/**
 * The configurations of `branch` at `sha` when nothing was resolved for that branch before
 * in this process (no push of it, no earlier call), else null. Read through the contents
 * API without reporting (that commit's problems are for its own push to report) and
 * remembered, so the next call for the branch answers null. A pull request uses it for
 * its base branch, to register that branch's schedules the first time.
 * @param known already resolved at `sha` (a fork's pull request reads its base anyway)
 * @throws Octokit's RequestError when GitHub fails (the delivery is retried)
 */
export async function firstBranchConfigurations(
  deps: PrebuildsDeps,
  octokit: Octokit,
  repo: RepoParams,
  branch: string,
  sha: string,
  defaultBranch: string,
  known?: ResolveResult,
): Promise<ResolveResult | null> {
  const cacheKey = `${repo.owner}/${repo.repo}#${branch}`;
  if (deps.configCache.has(cacheKey)) return null;
  const seen = noKnownFiles();
  const sameCommit = known ? null : deps.configCache.atCommit(`${repo.owner}/${repo.repo}`, sha, defaultBranch);
  const result =
    known ?? sameCommit?.result ?? (await resolveConfigurations(recordingSource(repoFileSource(octokit, repo, sha), noKnownFiles(), seen), { defaultBranch }));
  deps.configCache.remember(cacheKey, sha, result, known ? null : (sameCommit?.files ?? seen), defaultBranch);
  return result;
}
