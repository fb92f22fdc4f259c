import { prebuildIdFromRunName, readRunOutcome, type RunOutcome } from '../github/actions.js';
import { deleteCacheByKey } from '../github/caches.js';
import { updateCheckRun } from '../github/checks.js';
import { reportEnd } from '../github/report.js';
import { notifyOutcome } from '../notifications.js';
import { expiredByRetention } from '../scheduler/retention.js';
import { laneOf } from '../scheduler/scheduler.js';
import type { PrebuildPatch, PrebuildRecord } from '../store/types.js';
import { FINAL_STATES } from '../store/types.js';
import type { Octokit } from '../github/octokit.js';
import { recordManualRun } from './manual-run.js';
import type { WorkflowRunObject } from './payloads.js';
import type { AppDeps, HandlerInput } from './types.js';

/** The fields of a workflow run the app follows (webhook and REST run objects share them). */
export type Run = WorkflowRunObject;

/** Finds the prebuild a workflow run belongs to: by run id, else by the id its run-name carries. */
async function findPrebuild(deps: AppDeps, repo: { owner: string; repo: string }, run: Run): Promise<PrebuildRecord | null> {
  const byRun = await deps.store.findPrebuildByRun(repo, run.id);
  if (byRun) return byRun;
  const id = prebuildIdFromRunName(run.display_title ?? run.name ?? '');
  if (id === null) return null;
  const p = await deps.store.getPrebuild(id);
  if (!p || p.owner !== repo.owner || p.repo !== repo.repo) return null;
  if (!run.path.endsWith(`/${p.workflow}`) && run.path !== p.workflow) return null;
  if (p.workflowRunId !== null && p.workflowRunId !== run.id) return null;
  return p;
}

function runDurationMs(run: Run): number | null {
  const start = Date.parse(run.run_started_at ?? run.created_at);
  const end = Date.parse(run.updated_at);
  return Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : null;
}

/**
 * `workflow_run`: follows the prebuild's run. `requested`/`in_progress` mark it
 * running; `completed` reads the action's result annotation, records outcome, size
 * and durations, completes the check run ("🚀 Prebuild ready" or the failure with its
 * reason and log tail), then lets the configuration's queue move on.
 */
export async function handleWorkflowRun(deps: AppDeps, input: HandlerInput<'workflow_run'>): Promise<void> {
  const { payload } = input;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const run = payload.workflow_run;
  const prebuild =
    (await findPrebuild(deps, repo, run)) ??
    (await recordManualRun(deps, input.octokit, repo, run, payload.installation?.id, input.deliveryId, payload.repository.default_branch));
  if (!prebuild) return;
  await followRun(deps, input.octokit, repo, run, payload.action === 'completed', input.deliveryId, prebuild);
}

/**
 * Applies a workflow run's state to its prebuild (the webhook handler and the
 * reconciler share it). No-op for runs that are not prebuilds.
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
    if (completed) await deps.scheduler.advance(laneOf(prebuild));
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

  const outcome = await readRunOutcome(octokit, repo, run.id);
  const base: PrebuildPatch = {
    ...link,
    durationMs: runDurationMs(run),
    endedAt: Date.parse(run.updated_at) || Date.now(),
    startedAt: prebuild.startedAt ?? (Date.parse(run.run_started_at ?? run.created_at) || null),
  };
  let patch: PrebuildPatch;
  if (run.conclusion === 'success' && outcome.result) {
    const r = outcome.result;
    // GitHub's run timestamps have one-second resolution: never report less than the action's own step.
    const durationMs = Math.max(base.durationMs ?? 0, r.durationMs);
    patch = { ...base, durationMs, state: 'success', snapshotKey: r.snapshotKey, snapshotBytes: r.snapshotBytes, hooks: r.hooks, reason: null };
  } else if (run.conclusion === 'success') {
    patch = { ...base, state: 'failure', reason: 'the run succeeded but reported no prebuild result: does the workflow run the prebuilds action?' };
  } else if (run.conclusion === 'cancelled') {
    patch = { ...base, state: 'cancelled', reason: 'the workflow run was cancelled' };
  } else if (run.conclusion === 'timed_out') {
    patch = { ...base, state: 'timed_out', reason: outcome.failure ?? 'the workflow run timed out' };
  } else {
    patch = { ...base, state: 'failure', reason: outcome.failure ?? `the workflow run concluded ${run.conclusion ?? 'without a conclusion'}` };
  }
  const done = await deps.store.updatePrebuild(prebuild.id, patch);
  // Decision and queue first: they need no GitHub call, so a failing report cannot hold the lane.
  await deps.store.recordDecision({
    deliveryId,
    ...repo,
    sha: done.sha,
    event: 'workflow_run',
    configuration: done.configuration,
    decision: done.state,
    reason: done.reason ?? `prebuild #${done.id} ${done.state}`,
    prebuildId: done.id,
  });
  await deps.scheduler.advance(laneOf(done));
  const reported = await reportEnded(deps, octokit, done, outcome).catch((err) => {
    deps.log.warn({ err, prebuild: done.id }, 'could not report the end of a prebuild; the reconciler will');
    return done;
  });
  if (done.state === 'success') {
    await applyRetention(deps, octokit, done).catch((err) => deps.log.warn({ err, prebuild: done.id }, 'retention failed; the next success retries it'));
  }
  return reported;
}

/**
 * Tells GitHub (check run) and the `notify` people (issue) that a prebuild ended,
 * then records it as reported. A crash before the record leaves it unreported, and
 * the reconciler's sweep reports it again.
 */
export async function reportEnded(deps: AppDeps, octokit: Octokit, p: PrebuildRecord, outcome?: RunOutcome): Promise<PrebuildRecord> {
  const checkRunId = await reportEnd(octokit, p, outcome);
  await notifyOutcome(octokit, { owner: p.owner, repo: p.repo }, p, deps.log);
  return deps.store.updatePrebuild(p.id, { checkRunId, reportedState: p.state });
}

/**
 * Retention after a success (SPEC.md rule 7): deletes the snapshots retention
 * expires from the Actions cache and marks their prebuilds `expired`.
 */
async function applyRetention(deps: AppDeps, octokit: Octokit, done: PrebuildRecord): Promise<void> {
  const repo = { owner: done.owner, repo: done.repo };
  for (const old of await expiredByRetention(deps.store, done)) {
    const deleted = old.snapshotKey ? await deleteCacheByKey(octokit, repo, old.snapshotKey) : false;
    await deps.store.updatePrebuild(old.id, { state: 'expired', reason: `retention: newer than ${done.settings?.retention ?? 3} successes kept${deleted ? '; snapshot deleted' : ''}` });
  }
}
