import {
  decodeResult,
  OPTIONAL_INPUTS,
  parseResultStepName,
  parseRunName,
  RESULT_ANNOTATION_TITLE,
  type PrebuildInputs,
  type PrebuildResult,
} from '../lifecycle/contract.js';
import { isStatus, type Octokit, type RepoParams } from './octokit.js';
import type { WorkflowRunObject } from './payloads.js';

export type { PrebuildInputs };

/** A dispatched run, when GitHub returned its details (200 with `return_run_details`). */
export interface DispatchedRun {
  runId: number;
  htmlUrl: string;
}

/** What {@link dispatchWorkflow} did. */
export interface Dispatch {
  /** The run, when GitHub returned its details; null otherwise (matched later by its run name). */
  run: DispatchedRun | null;
  /** {@link OPTIONAL_INPUTS} the workflow does not declare, left out of the dispatch. */
  dropped: string[];
}

/**
 * Starts the prebuild workflow: `POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches`
 * with `return_run_details: true`. GitHub answers 200 with the run's id and URLs
 * (since February 2026); older GitHub Enterprise Server answers 204, and the run is
 * matched later by its `run-name`, which carries the prebuild id. A workflow that does not
 * declare an optional input ({@link OPTIONAL_INPUTS}, e.g. one copied before
 * `timeout-minutes` or `expire` was added) is dispatched again without it, and the
 * result says which were dropped (the caller does their work itself).
 * @param ref branch the workflow file is read from (not a sha; the workflow checks out `inputs.sha`)
 * @throws Octokit's RequestError (404: no such workflow file; 422: bad inputs or ref)
 */
export async function dispatchWorkflow(octokit: Octokit, repo: RepoParams, workflow: string, ref: string, inputs: PrebuildInputs): Promise<Dispatch> {
  const request = (body: { inputs: Record<string, string>; withDetails: boolean }) =>
    octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      ...repo,
      workflow_id: workflow,
      ref,
      inputs: body.inputs,
      ...(body.withDetails ? { return_run_details: true } : {}),
    });
  const body = { inputs: { ...inputs } as Record<string, string>, withDetails: true };
  const dropped: string[] = [];
  let response;
  for (;;) {
    try {
      response = await request(body);
      break;
    } catch (error) {
      if (!isStatus(error, 422)) throw error;
      const message = String((error as Error).message);
      // GitHub Enterprise Server versions without run details refuse the key (422).
      if (body.withDetails && /return_run_details/.test(message)) {
        body.withDetails = false;
        continue;
      }
      // A workflow copied before an input was added: drop the optional inputs it refuses.
      const refused = droppableInputs(message, body.inputs);
      if (!refused.length) throw error;
      for (const name of refused) delete body.inputs[name];
      dropped.push(...refused);
    }
  }
  const data = response.data as { workflow_run_id?: number; html_url?: string } | undefined;
  if (response.status === 200 && data && typeof data.workflow_run_id === 'number') {
    return { run: { runId: data.workflow_run_id, htmlUrl: data.html_url ?? '' }, dropped };
  }
  return { run: null, dropped };
}

/**
 * The inputs GitHub refused as unexpected (`Unexpected inputs provided: ["timeout-minutes"]`)
 * when every one of them is an {@link OPTIONAL_INPUTS} input still being sent, else [].
 */
function droppableInputs(message: string, sent: Record<string, string>): string[] {
  const m = /Unexpected inputs provided: (\[.*?\])/.exec(message);
  if (!m) return [];
  let names: unknown;
  try {
    names = JSON.parse(m[1]!);
  } catch {
    return [];
  }
  if (!Array.isArray(names) || !names.length) return [];
  return names.every((n) => typeof n === 'string' && OPTIONAL_INPUTS.includes(n) && n in sent) ? (names as string[]) : [];
}

/** What a finished run reported: the action's result annotation and the failure reason. */
export interface RunOutcome {
  result: PrebuildResult | null;
  /** The failure annotations' messages joined, or null. */
  failure: string | null;
  /** The prebuild job's id (== its check run id), when found. */
  jobId: number | null;
  /**
   * GitHub's annotation when a job ran past its `timeout-minutes` ("The job running on
   * runner … has exceeded the maximum execution time of N minutes."), or null. GitHub
   * concludes such a job, and its run, `cancelled`: this tells the two apart.
   */
  timedOut: string | null;
}

/** GitHub's job-timeout annotation, old and new wording ("… of 60 minutes.", "… of 1h0m0s"). */
const JOB_TIMEOUT = /has exceeded the maximum execution time of /;

/**
 * Reads what the action reported for a run. Lists the run's jobs
 * (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`): a successful run of the
 * shipped workflow carries the result in its result step's name (`prebuild-result
 * <JSON>`, the contract's `resultStepName`), and that one request is all. Otherwise
 * (a failed run, or a workflow without the result step) each job's check-run annotations
 * are read (`GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations`): the
 * action's notice titled `prebuild-result`, the failure reason `core.setFailed` writes, and
 * GitHub's job-timeout annotation.
 */
export async function readRunOutcome(octokit: Octokit, repo: RepoParams, runId: number): Promise<RunOutcome> {
  const jobs = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', { ...repo, run_id: runId, per_page: 100 });
  const outcome: RunOutcome = { result: null, failure: null, jobId: null, timedOut: null };
  // Every job succeeded (or was skipped): no failure to read, and the result step says it all.
  if (jobs.data.jobs.every((j) => j.conclusion === 'success' || j.conclusion === 'skipped')) {
    for (const job of jobs.data.jobs) {
      for (const step of job.steps ?? []) {
        const result = step.conclusion === 'success' ? parseResultStepName(step.name) : null;
        if (result) return { result, failure: null, jobId: Number(job.id), timedOut: null };
      }
    }
  }
  const failures: string[] = [];
  for (const job of jobs.data.jobs) {
    const jobId = Number(job.id);
    const checkRunId =
      Number(
        String(job.check_run_url ?? '')
          .split('/')
          .pop(),
      ) || jobId;
    const annotations = await octokit.request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations', {
      ...repo,
      check_run_id: checkRunId,
      per_page: 100,
    });
    for (const a of annotations.data) {
      if (a.title === RESULT_ANNOTATION_TITLE && a.message) {
        const result = decodeResult(a.message);
        if (result) {
          outcome.result = result;
          outcome.jobId = jobId;
        }
      } else if (a.annotation_level === 'failure' && a.message) {
        failures.push(a.message);
        outcome.jobId ??= jobId;
        if (JOB_TIMEOUT.test(a.message)) {
          outcome.timedOut ??= a.message;
          outcome.jobId = jobId;
        }
      }
    }
    if (job.conclusion === 'failure') outcome.jobId ??= jobId;
  }
  outcome.failure = failures.length ? failures.join('\n') : null;
  return outcome;
}

/**
 * The last `lines` lines of a job's log (`GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`,
 * which redirects to the plain-text log). Returns null when it cannot be read (gone,
 * expired, GitHub failing): it is a courtesy, never a reason to fail. Never throws.
 */
export async function jobLogTail(octokit: Octokit, repo: RepoParams, jobId: number, lines = 30): Promise<string | null> {
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', { ...repo, job_id: jobId });
    const text = typeof response.data === 'string' ? response.data : Buffer.from(response.data as ArrayBuffer).toString('utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    // Best effort: the log is a courtesy in the check run, never a reason to fail.
    return null;
  }
}

/**
 * Cancels a workflow run (`POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel`).
 * A run that already finished answers 409; that is not an error here.
 */
export async function cancelRun(octokit: Octokit, repo: RepoParams, runId: number): Promise<void> {
  try {
    await octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', { ...repo, run_id: runId });
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
  }
}

/** A workflow run as the reconciler needs it. */
export interface WorkflowRunSummary {
  id: number;
  name: string;
  displayTitle: string;
  status: string | null;
  conclusion: string | null;
  htmlUrl: string;
  createdAt: string;
  updatedAt: string;
  runStartedAt: string | null;
}

/** Recent runs of a workflow file (`GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs`). */
export async function listWorkflowRuns(octokit: Octokit, repo: RepoParams, workflow: string, perPage = 50): Promise<WorkflowRunSummary[]> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
    ...repo,
    workflow_id: workflow,
    event: 'workflow_dispatch',
    per_page: perPage,
  });
  return response.data.workflow_runs.map((r) => ({
    id: Number(r.id),
    name: r.name ?? '',
    displayTitle: r.display_title,
    status: r.status,
    conclusion: r.conclusion,
    htmlUrl: r.html_url,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    runStartedAt: r.run_started_at ?? null,
  }));
}

/** The prebuild id a run name carries (see `runName` in the app↔action contract); null for any other run. */
export function prebuildIdFromRunName(name: string): number | null {
  return parseRunName(name)?.prebuildId ?? null;
}

/**
 * One workflow run (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`).
 * @throws Octokit's RequestError (404 or 410: the run was deleted)
 */
export async function getWorkflowRun(octokit: Octokit, repo: RepoParams, runId: number): Promise<WorkflowRunObject> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { ...repo, run_id: runId });
  return response.data as unknown as WorkflowRunObject;
}
