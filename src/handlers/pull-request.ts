import { checkRunName, neutralOutput } from '../github/check-text.js';
import { createCheckRun } from '../github/checks.js';
import { requestFor } from '../scheduler/scheduler.js';
import { branchMatches } from '../triggers/push.js';
import { loadConfigurations } from './configurations.js';
import { applyOverrides } from '../store/overrides.js';
import type { AppDeps, HandlerInput } from './types.js';

/** States in which an existing prebuild of the same sha makes a new one pointless. */
const LIVE_OR_DONE = ['waiting', 'dispatched', 'running', 'success'] as const;

/**
 * `pull_request`: `opened`, `synchronize`, `reopened` from the same repository
 * prebuild the head sha (configurations whose `branches` match the PR's base branch,
 * `pullRequests: same-repository`); a PR from a fork never dispatches and gets a
 * neutral check run saying why; `closed` cancels the PR's waiting prebuild.
 */
export async function handlePullRequest(deps: AppDeps, input: HandlerInput<'pull_request'>): Promise<void> {
  const { payload, deliveryId, octokit } = input;
  const pr = payload.pull_request;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const sha = pr.head.sha;
  const decide = (configuration: string, decision: string, reason: string, prebuildId: number | null = null) =>
    deps.store.recordDecision({ deliveryId, ...repo, sha, event: 'pull_request', configuration, decision, reason, prebuildId });

  if (payload.action === 'closed') {
    const waiting = await deps.store.listPrebuilds({ ...repo, branch: pr.head.ref, states: ['waiting'] });
    for (const p of waiting.filter((w) => w.prNumber === pr.number)) {
      await deps.scheduler.cancelOne(p, `pull request #${pr.number} was closed`);
      await deps.store.recordDecision({ deliveryId, ...repo, sha: p.sha, event: 'pull_request', configuration: p.configuration, decision: 'cancelled', reason: `pull request #${pr.number} was closed`, prebuildId: p.id });
    }
    return;
  }
  if (!['opened', 'synchronize', 'reopened'].includes(payload.action)) return;
  const installationId = payload.installation?.id;
  if (!installationId) return decide('*', 'skipped', 'no installation in the payload');

  const fork = pr.head.repo?.full_name !== payload.repository.full_name;
  const resolved = await loadConfigurations(deps, octokit, repo, fork ? pr.base.sha : sha, payload.repository.default_branch, {
    deliveryId,
    event: 'pull_request',
  });
  for (const resolvedConfig of resolved.configurations) {
    const name = resolvedConfig.settings.name;
    // Overrides stored through the API/CLI (`prebuilds update`) win over the file's values.
    const c = { ...resolvedConfig, settings: applyOverrides(resolvedConfig.settings, await deps.store.getOverrides(repo, name)) };
    if (!branchMatches(c.settings, pr.base.ref)) {
      await decide(name, 'skipped', `branch-unmatched: base branch ${pr.base.ref} is not in ${c.settings.branches.join(', ')}`);
      continue;
    }
    if (c.settings.pullRequests === 'off') {
      await decide(name, 'skipped', 'pullRequests: off');
      continue;
    }
    if (fork) {
      const reason = `fork: pull requests from forks are never prebuilt with the repository's secrets (head: ${pr.head.repo?.full_name ?? 'deleted fork'})`;
      await createCheckRun(octokit, repo, sha, {
        name: checkRunName(name),
        status: 'completed',
        conclusion: 'neutral',
        completedAt: new Date().toISOString(),
        output: neutralOutput('⏭️ Prebuild skipped: pull request from a fork', reason),
      });
      await decide(name, 'skipped', reason);
      continue;
    }
    const existing = await deps.store.listPrebuilds({ ...repo, configuration: name, sha, states: [...LIVE_OR_DONE], limit: 1 });
    if (existing.length > 0) {
      await decide(name, 'skipped', `already prebuilt: prebuild #${existing[0]!.id} (${existing[0]!.state})`, existing[0]!.id);
      continue;
    }
    const outcome = await deps.scheduler.request(
      requestFor(c, { ...repo, installationId, branch: pr.head.ref, sha, prNumber: pr.number, trigger: 'pull_request', deliveryId }),
    );
    await decide(name, outcome.decision, `pull request #${pr.number} ${payload.action}; ${outcome.reason}`, outcome.prebuild.id);
  }
}
