/**
 * Results a prebuild's own run reports to the app (`POST /api/prebuilds/{id}/result`,
 * src/api/results.ts), authenticated with the job's GitHub Actions OIDC token. A report
 * is kept on the prebuild only when the token's repository, run and workflow are the
 * ones of the run the app dispatched for it; when that run (and attempt) completes with
 * conclusion `success`, the completion takes the result from the report and makes no
 * `GET …/actions/runs/{run_id}/jobs` request (src/prebuilds/runs.ts). A report never
 * decides the outcome: GitHub's conclusion does (a report of a run that failed is ignored).
 */
import { cachesPartPrefix } from '../lifecycle/caches-part.js';
import { decodeResult, encodeResult, type PrebuildResult } from '../lifecycle/result.js';
import { snapshotKey } from '../lifecycle/snapshot-key.js';
import { FINAL_STATES, type PrebuildRecord, type RunReport } from '../store/types.js';
import type { PrebuildsDeps } from './deps.js';

/** The job a report comes from: the claims of its verified OIDC token (src/api/oidc.ts `ActionsClaims`). */
export interface ReportingJob {
  /** `owner/name` (`repository` claim). */
  repository: string;
  /** `run_id` claim. */
  runId: string | null;
  /** `run_attempt` claim. */
  runAttempt: number | null;
  /** `jti` claim. */
  jti: string;
  /** `workflow_ref` claim: `owner/name/.github/workflows/FILE@REF`. */
  workflowRef: string | null;
  /** `event_name` claim. */
  eventName: string | null;
  /** `ref` claim: the app dispatches a prebuild's run on its branch (`refs/heads/BRANCH`). */
  ref: string | null;
}

/**
 * Why `result` is not prebuild `p`'s own result, or null when it is: it must name the
 * prebuild (its id; for a run started from the Actions tab, which the app adopted as a
 * manual prebuild, the action's own `RUNID-ATTEMPT` of that run), its commit and
 * configuration, the snapshot key the action derives from them (src/lifecycle/snapshot-key.ts)
 * and a caches part of the same configuration. A result
 * naming another prebuild's snapshot would make the app delete or build on that one.
 * Checked for reports and for results read from annotations alike.
 */
export function resultMismatch(
  result: PrebuildResult,
  p: Pick<PrebuildRecord, 'id' | 'sha' | 'configuration' | 'workflowRunId'>,
): { field: 'prebuildId' | 'sha' | 'configuration' | 'snapshotKey' | 'cachesKey'; reason: string } | null {
  const ownRun = p.workflowRunId !== null && new RegExp(`^${p.workflowRunId}-\\d{1,4}$`).test(result.prebuildId);
  if (result.prebuildId !== String(p.id) && !ownRun) return { field: 'prebuildId', reason: `the result is of prebuild ${result.prebuildId}, not #${p.id}` };
  if (result.sha !== p.sha) return { field: 'sha', reason: `the result is of commit ${result.sha}, not ${p.sha}` };
  if (result.configuration !== p.configuration)
    return { field: 'configuration', reason: `the result is of configuration "${result.configuration}", not "${p.configuration}"` };
  const key = snapshotKey(p.configuration, p.sha, result.prebuildId);
  if (result.snapshotKey !== key) return { field: 'snapshotKey', reason: `the result names snapshot ${result.snapshotKey}, not prebuild #${p.id}'s ${key}` };
  if (result.cachesKey !== undefined && !result.cachesKey.startsWith(cachesPartPrefix(p.configuration)))
    return { field: 'cachesKey', reason: `the result names caches part ${result.cachesKey}, not one of configuration "${p.configuration}"` };
  return null;
}

/** A report the app does not keep; `status` is the HTTP status the API answers with. */
export class RunReportRefused extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    /** The body field at fault (400). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RunReportRefused';
  }
}

/** The workflow file path a `workflow_ref` claim names for `repository` (`.github/workflows/x.yml`), or null. */
function workflowPath(workflowRef: string | null, repository: string): string | null {
  if (!workflowRef) return null;
  const prefix = `${repository}/`;
  if (workflowRef.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return null;
  const at = workflowRef.indexOf('@', prefix.length);
  return workflowRef.slice(prefix.length, at < 0 ? undefined : at);
}

/**
 * Checks a report against the prebuild and keeps it on the prebuild (`runReport`).
 * Accepted only when the token's repository is the prebuild's, its event is
 * `workflow_dispatch`, its workflow file is the prebuild's workflow, its run is the
 * prebuild's run (or, before the app learned the run id, a run of that workflow), the
 * prebuild has not ended, and the body is a result of this prebuild (id, commit,
 * configuration).
 * @param body the request body, JSON text of a `PrebuildResult`
 * @returns the prebuild, updated, and whether this token's report is new
 * @throws RunReportRefused 404 (no such prebuild in the token's repository), 403 (the token's job is not the
 *   prebuild's run), 409 (the prebuild ended), 400 (not a result of this prebuild)
 */
export async function recordRunReport(
  deps: Pick<PrebuildsDeps, 'store'>,
  prebuildId: number,
  job: ReportingJob,
  body: string,
  now = Date.now(),
): Promise<{ prebuild: PrebuildRecord; created: boolean }> {
  const p = await deps.store.getPrebuild(prebuildId);
  // Another repository's job learns nothing of this one's prebuilds: the same answer as for none.
  if (!p || job.repository.toLowerCase() !== `${p.owner}/${p.repo}`.toLowerCase())
    throw new RunReportRefused(404, `${job.repository} has no prebuild #${prebuildId}`);
  if (job.eventName !== 'workflow_dispatch')
    throw new RunReportRefused(403, `the token's run was started by ${job.eventName ?? 'an unknown event'}, not by the app's workflow_dispatch`);
  const path = workflowPath(job.workflowRef, job.repository);
  if (path === null || !(path === p.workflow || path.endsWith(`/${p.workflow}`)))
    throw new RunReportRefused(403, `the token's workflow (${job.workflowRef ?? 'none'}) is not prebuild #${p.id}'s workflow ${p.workflow}`);
  if (job.ref !== `refs/heads/${p.branch}`)
    throw new RunReportRefused(403, `the token's run ran on ${job.ref ?? 'no ref'}, not on prebuild #${p.id}'s branch refs/heads/${p.branch}`);
  const runId = job.runId !== null && /^\d{1,15}$/.test(job.runId) ? Number(job.runId) : null;
  if (runId === null) throw new RunReportRefused(403, 'the token has no run_id claim');
  if (p.dispatchedAt === null) throw new RunReportRefused(403, `prebuild #${p.id} was never dispatched`);
  if (p.workflowRunId !== null && p.workflowRunId !== runId) throw new RunReportRefused(403, `the token's run ${runId} is not prebuild #${p.id}'s run`);
  // A fast run may report before the app recorded its dispatch (state still `waiting`, dispatchedAt set).
  if (FINAL_STATES.includes(p.state)) throw new RunReportRefused(409, `prebuild #${p.id} has ended (${p.state})`);
  const result = decodeResult(body);
  if (!result) throw new RunReportRefused(400, 'not a prebuild result (snapshotKey, snapshotBytes and durationMs are required)', 'body');
  const mismatch = resultMismatch(result, p);
  if (mismatch) throw new RunReportRefused(400, mismatch.reason, mismatch.field);
  const report: RunReport = { runId, runAttempt: job.runAttempt, reportId: job.jti, result: encodeResult(result), reportedAt: now };
  const created = p.runReport?.reportId !== job.jti;
  const prebuild = created ? await deps.store.updatePrebuild(p.id, { runReport: report }) : p;
  return { prebuild, created };
}

/**
 * The result a completed run reported itself, when it may stand in for the jobs
 * listing: the run concluded `success` (a report never overrides GitHub's conclusion),
 * and the report came from this run and this attempt. Null otherwise (no report, a
 * report of another run or attempt, a failed run): the caller reads the jobs.
 */
export function reportedResult(
  p: Pick<PrebuildRecord, 'runReport'>,
  run: { id: number; conclusion: string | null; run_attempt?: number },
): PrebuildResult | null {
  const r = p.runReport;
  if (!r || run.conclusion !== 'success' || r.runId !== run.id) return null;
  if ((r.runAttempt ?? 1) !== (run.run_attempt ?? 1)) return null;
  return decodeResult(r.result);
}
