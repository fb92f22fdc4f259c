import { checkRunName } from '../github/check-text.js';
import { reportSkipped } from '../github/checks.js';
import { firstBranchConfigurations, readConfigurations } from '../prebuilds/configurations.js';
import { decision, decisionLog } from '../prebuilds/decisions.js';
import { cancelPullRequest } from '../prebuilds/ended.js';
import { offerOf, registerSchedules, requestPrebuilds } from '../prebuilds/request.js';
import { pullRequestRule } from '../prebuilds/rules.js';
import { PREBUILDING_ACTIONS } from '../triggers/pull-request.js';
import type { AppDeps, HandlerInput } from './types.js';

/**
 * `pull_request`: `opened`, `synchronize`, `reopened` prebuild the head commit through
 * the pull-request rule (base branch in `branches`, `pullRequests: same-repository`,
 * never a fork: a fork's PR gets a neutral check run saying why); `closed` cancels the
 * PR's waiting prebuild; every other action is recorded as starting nothing. The base
 * branch's schedules are registered the first time its configuration is resolved.
 */
export async function handlePullRequest(deps: AppDeps, input: HandlerInput<'pull_request'>): Promise<void> {
  const { payload, deliveryId, octokit } = input;
  const pr = payload.pull_request;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const sha = pr.head.sha;
  const context = { deliveryId, ...repo, sha, event: 'pull_request' as const };
  const decisions = decisionLog(deps.store, context);

  if (payload.action === 'closed') return cancelPullRequest(deps, context, pr.head.ref, pr.number);
  if (!PREBUILDING_ACTIONS.includes(payload.action)) return decisions.record(decision.ignoredAction('pull_request', payload.action));
  const installationId = payload.installation?.id;
  if (!installationId) return decisions.record(decision.noInstallation());

  const headRepository = pr.head.repo?.full_name ?? null;
  const fork = headRepository !== payload.repository.full_name;
  // A fork's files are never read as configuration: the base's configuration decides.
  const resolved = await readConfigurations(deps, octokit, repo, fork ? pr.base.sha : sha, payload.repository.default_branch, {
    deliveryId,
    event: 'pull_request',
  });
  // The base branch's schedules follow its own configuration (the pull request's changes
  // count once merged); registered the first time it is resolved here, so a repository
  // whose first event is a pull request has its schedules without waiting for a push.
  const atBase = await firstBranchConfigurations(deps, octokit, repo, pr.base.ref, pr.base.sha, payload.repository.default_branch, fork ? resolved : undefined);
  if (atBase) await registerSchedules(deps.store, { repo, installationId, branch: pr.base.ref }, atBase.configurations);
  if (resolved.configurations.length === 0 && resolved.problems.length === 0) return decisions.record(decision.noConfiguration());
  await requestPrebuilds(deps, {
    event: 'pull_request',
    deliveryId,
    repo,
    installationId,
    sha,
    branch: pr.head.ref,
    prNumber: pr.number,
    trigger: 'pull_request',
    offers: resolved.configurations.map(offerOf),
    rule: pullRequestRule(
      { baseBranch: pr.base.ref, headRepository, repository: payload.repository.full_name, number: pr.number, action: payload.action },
      async (name, reason) => {
        await reportSkipped(octokit, repo, sha, checkRunName(name), '⏭️ Prebuild skipped: pull request from a fork', reason);
      },
    ),
  });
}
