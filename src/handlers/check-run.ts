import { CONFIG_CHECK_NAME } from '../github/checks.js';
import { readConfigurations } from '../prebuilds/configurations.js';
import { decision, decisionLog } from '../prebuilds/decisions.js';
import { offerFrom, offerOf, requestPrebuilds, type PrebuildRequest } from '../prebuilds/request.js';
import type { AppDeps, HandlerInput } from './types.js';

/**
 * `check_run` `rerequested` (the "Re-run" button): on a prebuild check run (its
 * `external_id` is the prebuild id) it starts a manual prebuild of the same
 * configuration and commit through the same queue (SPEC.md rule 8); on the "Prebuild
 * configuration" check it reads the configuration at that commit again (a new check run
 * when it is still broken) and prebuilds what resolves.
 */
export async function handleCheckRun(deps: AppDeps, input: HandlerInput<'check_run'>): Promise<void> {
  const { payload, deliveryId, octokit } = input;
  if (payload.action !== 'rerequested') return;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const sha = payload.check_run.head_sha;
  const decisions = decisionLog(deps.store, { deliveryId, ...repo, sha, event: 'check_run' });
  const installationId = payload.installation?.id;
  if (!installationId) return decisions.record(decision.noInstallation());
  const request = { event: 'check_run', deliveryId, repo, installationId, prNumber: null, trigger: 'manual', skipPrebuilt: false } as const;

  if (payload.check_run.name === CONFIG_CHECK_NAME) {
    const defaultBranch = payload.repository.default_branch;
    const resolved = await readConfigurations(deps, octokit, repo, sha, defaultBranch, { deliveryId, event: 'check_run' });
    if (resolved.configurations.length === 0 && resolved.problems.length === 0) return decisions.record(decision.noConfiguration());
    // The commit's branch is not in the payload; the lane is the default branch's, as for a manual trigger.
    await requestPrebuilds(deps, {
      ...request,
      sha,
      branch: defaultBranch,
      offers: resolved.configurations.map(offerOf),
      rule: () => ({ run: true, reason: 'configuration check re-run' }),
    });
    return;
  }
  const id = Number(payload.check_run.external_id);
  const old = Number.isInteger(id) && id > 0 ? await deps.store.getPrebuild(id) : null;
  if (!old || old.owner !== repo.owner || old.repo !== repo.repo) {
    return decisions.record(decision.skipped('*', `re-run of check run "${payload.check_run.name}": not a prebuild of this repository`));
  }
  const rerun: PrebuildRequest = {
    ...request,
    installationId: old.installationId,
    sha: old.sha,
    branch: old.branch,
    prNumber: old.prNumber,
    offers: [offerFrom(old)],
    rule: () => ({ run: true, reason: `re-run requested from check run of prebuild #${old.id}` }),
  };
  await requestPrebuilds(deps, rerun);
}
