import { prebuildIdFromRunName, readRunOutcome, type RunOutcome } from '../github/actions.js';
import { updateCheckRun } from '../github/checks.js';
import type { Octokit } from '../github/octokit.js';
import type { WorkflowRunObject } from '../github/payloads.js';
import { laneOf } from '../scheduler/scheduler.js';
import type { PrebuildPatch, PrebuildRecord } from '../store/types.js';
import { FINAL_STATES } from '../store/types.js';
import type { PrebuildsDeps as AppDeps } from './deps.js';
import { decision, decisionLog } from './decisions.js';
import { discardSnapshot, prebuildEnded, reportEnded } from './ended.js';
import { reportedResult, resultMismatch } from './run-report.js';

/** The fields of a workflow run the app follows (webhook and REST run objects share them). */
export type Run = WorkflowRunObject;

/**
 * Finds the prebuild a workflow run belongs to: by run id (known from the dispatch
 * answer, or an earlier match), else by the id its run name carries — but only for the
 * run the app could have dispatched: event `workflow_dispatch`, the prebuild's workflow
 * file, the repository itself as head repository, the prebuild's branch as the ref it ran
 * on (the app dispatches on `p.branch`), and no other run already matched. A fork's
 * `pull_request` run, or a dispatch on another branch, naming itself `Prebuild #N` never
 * takes a prebuild over.
 */
export async function findPrebuild(deps: Pick<AppDeps, 'store'>, repo: { owner: string; repo: string }, run: Run): Promise<PrebuildRecord | null> {
  const byRun = await deps.store.findPrebuildByRun(repo, run.id);
  if (byRun) return byRun;
  if (run.event !== undefined && run.event !== 'workflow_dispatch') return null;
  const head = run.head_repository?.full_name;
  if (head !== undefined && head.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) return null;
  const id = prebuildIdFromRunName(run.display_title ?? run.name ?? '');
  if (id === null) return null;
  const p = await deps.store.getPrebuild(id);
  if (!p || p.owner !== repo.owner || p.repo !== repo.repo) return null;
  if (!run.path.endsWith(`/${p.workflow}`) && run.path !== p.workflow) return null;
  if (run.head_branch != null && run.head_branch !== p.branch) return null;
  if (p.workflowRunId !== null && p.workflowRunId !== run.id) return null;
  return p;
}

/** Whether a decision ending `p` is recorded (any decision about it but `started` and `queued`). */
async function endDecided(deps: Pick<AppDeps, 'store'>, p: PrebuildRecord): Promise<boolean> {
  return (await deps.store.listDecisions({ owner: p.owner, repo: p.repo }, p.sha)).some(
    (d) => d.prebuildId === p.id && d.decision !== 'started' && d.decision !== 'queued',
  );
}

function runDurationMs(run: Run): number | null {
  const start = Date.parse(run.run_started_at ?? run.created_at);
  const end = Date.parse(run.updated_at);
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

/**
 * Applies a workflow run's state to its prebuild (the webhook handler and the
 * reconciler share it). No-op for runs that are not prebuilds. A completed run's
 * outcome is its conclusion plus the action's result: from the run's own verified
 * report when it succeeded and reported (no request), else from its jobs
 * (`readRunOutcome`: one request, more for a failed run).
 * @param known the run's prebuild when the caller has it (saves a lookup)
 * @returns the prebuild, updated, or null
 */
export async function followRun(
  deps: AppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
  run: Run,
  completed: boolean,
  deliveryId: string | null,
  known?: PrebuildRecord,
): Promise<PrebuildRecord | null> {
  const prebuild = known ?? (await findPrebuild(deps, repo, run));
  if (!prebuild) return null;
  if (FINAL_STATES.includes(prebuild.state)) {
    // Ended already (cancelled, superseded, timed out, or a completion processed before a crash).
    const reported = prebuild.reportedState === prebuild.state ? prebuild : await reportEnded(deps, octokit, prebuild);
    if (completed) {
      // A replica that died between storing the end and recording its decision: the decision is recorded now (SPEC.md rule 10).
      if (!(await endDecided(deps, prebuild))) {
        await decisionLog(deps.store, { deliveryId, event: 'workflow_run', owner: prebuild.owner, repo: prebuild.repo, sha: prebuild.sha }).record(
          decision.ended(prebuild),
        );
      }
      // A run cancelled or timed out by the app may have saved its snapshot before it stopped.
      await discardSnapshot(deps, prebuild, octokit);
      await deps.scheduler.advance(laneOf(prebuild));
    }
    return reported;
  }

  const link: PrebuildPatch = { workflowRunId: run.id, workflowRunUrl: run.html_url };
  if (!completed) {
    const updated = await deps.store.updatePrebuild(prebuild.id, {
      ...link,
      state: 'running',
      startedAt: prebuild.startedAt ?? Date.parse(run.run_started_at ?? run.created_at),
    });
    if (updated.checkRunId && prebuild.workflowRunUrl !== run.html_url) {
      await updateCheckRun(octokit, repo, updated.checkRunId, { detailsUrl: run.html_url });
    }
    return updated;
  }

  // A successful run that reported its result to the app (verified OIDC token, this run and
  // attempt) needs no jobs listing; any other run is read as GitHub reports it.
  const selfReported = reportedResult(prebuild, run);
  const outcome: RunOutcome = selfReported ? { result: selfReported, failure: null, jobId: null, timedOut: null } : await readRunOutcome(octokit, repo, run.id);
  const base: PrebuildPatch = {
    ...link,
    durationMs: runDurationMs(run),
    endedAt: Date.parse(run.updated_at) || Date.now(),
    startedAt: prebuild.startedAt ?? (Date.parse(run.run_started_at ?? run.created_at) || null),
  };
  // A result naming another prebuild's snapshot (or commit, configuration) is not this prebuild's.
  const mismatch = outcome.result ? resultMismatch(outcome.result, prebuild) : null;
  let patch: PrebuildPatch;
  if (run.conclusion === 'success' && outcome.result && mismatch) {
    patch = { ...base, state: 'failure', reason: `the run reported a result that is not this prebuild's: ${mismatch.reason}` };
  } else if (run.conclusion === 'success' && outcome.result) {
    const r = outcome.result;
    // GitHub's run timestamps have one-second resolution: never report less than the action's own step.
    const durationMs = Math.max(base.durationMs ?? 0, r.durationMs);
    patch = {
      ...base,
      durationMs,
      state: 'success',
      snapshotKey: r.snapshotKey,
      snapshotBytes: r.snapshotBytes,
      cachesKey: r.cachesKey ?? null,
      hooks: r.hooks,
      reason: null,
    };
  } else if (run.conclusion === 'success') {
    patch = { ...base, state: 'failure', reason: 'the run succeeded but reported no prebuild result: does the workflow run the prebuilds action?' };
  } else if (run.conclusion === 'timed_out' || (run.conclusion === 'cancelled' && outcome.timedOut)) {
    // GitHub concludes a job past its timeout-minutes `cancelled`; its annotation says why.
    patch = { ...base, state: 'timed_out', reason: outcome.timedOut ?? outcome.failure ?? 'the workflow run timed out' };
  } else if (run.conclusion === 'cancelled') {
    patch = { ...base, state: 'cancelled', reason: 'the workflow run was cancelled' };
  } else {
    patch = { ...base, state: 'failure', reason: outcome.failure ?? `the workflow run concluded ${run.conclusion ?? 'without a conclusion'}` };
  }
  const done = await deps.store.updatePrebuild(prebuild.id, patch);
  return prebuildEnded(deps, done, { deliveryId, event: 'workflow_run' }, { octokit, outcome });
}
