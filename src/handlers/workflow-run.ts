import { parseRunName } from '../lifecycle/contract.js';
import { decision, decisionLog } from '../prebuilds/decisions.js';
import { recordManualRun } from '../prebuilds/manual-run.js';
import { findPrebuild, followRun } from '../prebuilds/runs.js';
import type { AppDeps, HandlerInput } from './types.js';

/**
 * `workflow_run`: follows the prebuild's run. `requested`/`in_progress` mark it
 * running; `completed` reads the action's result annotation, records outcome, size
 * and durations, and ends the prebuild (check run "🚀 Prebuild ready" or the failure
 * with its reason and log tail; the lane moves on). A run started by hand from the
 * Actions tab becomes a manual prebuild.
 */
export async function handleWorkflowRun(deps: AppDeps, input: HandlerInput<'workflow_run'>): Promise<void> {
  const { payload } = input;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const run = payload.workflow_run;
  const prebuild =
    (await findPrebuild(deps, repo, run)) ??
    (await recordManualRun(deps, input.octokit, repo, run, payload.installation?.id, input.deliveryId, payload.repository.default_branch));
  if (!prebuild) {
    // A run that names itself after a prebuild but is not its run (a fork's pull_request run, another workflow).
    const claimed = parseRunName(run.display_title ?? '')?.prebuildId ?? null;
    if (claimed !== null && run.head_sha) {
      const from = `${run.head_repository?.full_name ?? 'an unknown repository'}${run.head_branch ? ` on ${run.head_branch}` : ''}`;
      await decisionLog(deps.store, { deliveryId: input.deliveryId, ...repo, sha: run.head_sha, event: 'workflow_run' }).record(
        decision.skipped(
          '*',
          `ignored: workflow run ${run.id} (${run.event ?? 'unknown event'} from ${from}, ${run.path}) names prebuild #${claimed} but is not the run the app dispatched`,
        ),
      );
    }
    return;
  }
  await followRun(deps, input.octokit, repo, run, payload.action === 'completed', input.deliveryId, prebuild);
}
