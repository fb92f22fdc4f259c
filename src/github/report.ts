import type { PrebuildRecord } from '../store/types.js';
import { cancelRun, jobLogTail, readRunOutcome, type RunOutcome } from './actions.js';
import { checkRunName, failedOutput, neutralOutput, readyOutput, type CheckOutput } from './check-text.js';
import { createCheckRun, findCheckRun, updateCheckRun, type CheckRunFields } from './checks.js';
import type { Octokit } from './octokit.js';

/**
 * Reports an ended prebuild on GitHub: completes its check run ("🚀 Prebuild ready",
 * the failure with its reason and log tail, timed out, cancelled, or a neutral
 * "superseded"), creating the check run when the prebuild never had one (a push that
 * waited and was superseded). A cancelled prebuild's workflow run is cancelled too
 * (`POST …/actions/runs/{run_id}/cancel`). Idempotent: callers record
 * `reportedState` afterwards, and the reconciler reports again whatever a crash left
 * unreported.
 * @param outcome what the run reported, when the caller has read it already (saves calls)
 * @param options `findExisting`: look the check run up by its external id when the store has none (a retry after a crash)
 * @returns the check run id
 * @throws Octokit's RequestError
 */
export async function reportEnd(octokit: Octokit, p: PrebuildRecord, outcome?: RunOutcome, options: { findExisting?: boolean } = {}): Promise<number> {
  const repo = { owner: p.owner, repo: p.repo };
  const completedAt = new Date(p.endedAt ?? Date.now()).toISOString();
  let conclusion: NonNullable<CheckRunFields['conclusion']>;
  let output: CheckOutput;
  switch (p.state) {
    case 'success':
    case 'expired':
      conclusion = 'success';
      output = readyOutput(p, outcome?.result);
      break;
    case 'superseded':
      conclusion = 'neutral';
      output = neutralOutput('⏭️ Prebuild superseded', `Prebuild #${p.id} of \`${p.configuration}\` at \`${p.sha.slice(0, 7)}\`: ${p.reason ?? 'superseded'}.`);
      break;
    case 'cancelled':
      if (p.workflowRunId) await cancelRun(octokit, repo, p.workflowRunId);
      conclusion = 'cancelled';
      output = neutralOutput('⏹️ Prebuild cancelled', `Prebuild #${p.id} of \`${p.configuration}\` at \`${p.sha.slice(0, 7)}\`: ${p.reason ?? 'cancelled'}.`);
      break;
    case 'failure':
    case 'timed_out': {
      const read = outcome ?? (p.workflowRunId ? await readRunOutcome(octokit, repo, p.workflowRunId) : null);
      const tail = read?.jobId ? await jobLogTail(octokit, repo, read.jobId) : null;
      conclusion = p.state === 'timed_out' ? 'timed_out' : 'failure';
      output = failedOutput(p, tail);
      break;
    }
    default:
      throw new Error(`prebuild #${p.id} has not ended (${p.state})`);
  }
  const fields: CheckRunFields = { status: 'completed', conclusion, completedAt, output, ...(p.workflowRunUrl ? { detailsUrl: p.workflowRunUrl } : {}) };
  // A retried report (the reconciler's sweep) may find the check run a crash left unrecorded.
  const checkRunId = p.checkRunId ?? (options.findExisting ? await findCheckRun(octokit, repo, p.sha, checkRunName(p.configuration), String(p.id)) : null);
  if (checkRunId) {
    await updateCheckRun(octokit, repo, checkRunId, fields);
    return checkRunId;
  }
  return createCheckRun(octokit, repo, p.sha, { name: checkRunName(p.configuration), externalId: String(p.id), ...fields });
}
