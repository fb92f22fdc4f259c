import { rerunRequest } from '../scheduler/scheduler.js';
import type { AppDeps, HandlerInput } from './types.js';

/**
 * `check_run` `rerequested` (the "Re-run" button on a prebuild check run): starts a
 * manual prebuild of the same configuration and commit through the same queue
 * (SPEC.md rule 8). The check run's `external_id` is the prebuild id.
 */
export async function handleCheckRun(deps: AppDeps, input: HandlerInput<'check_run'>): Promise<void> {
  const { payload, deliveryId } = input;
  if (payload.action !== 'rerequested') return;
  const id = Number(payload.check_run.external_id);
  if (!Number.isInteger(id) || id <= 0) return;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const old = await deps.store.getPrebuild(id);
  if (!old || old.owner !== repo.owner || old.repo !== repo.repo) return;
  const outcome = await deps.scheduler.request(rerunRequest(old, deliveryId));
  await deps.store.recordDecision({
    deliveryId,
    ...repo,
    sha: old.sha,
    event: 'check_run',
    configuration: old.configuration,
    decision: outcome.decision,
    reason: `re-run requested from check run of prebuild #${old.id}; ${outcome.reason}`,
    prebuildId: outcome.prebuild.id,
  });
}
