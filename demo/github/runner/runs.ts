/**
 * Workflow runs as records, whoever executes them: the run a dispatch creates
 * (with its `run-name` evaluated as GitHub does), the `github` context, and a
 * job with its check run (a job's id is its check run's id, as on GitHub).
 * Used by the local runner ({@link WorkflowRunner}) and by recorded runs
 * ({@link RecordedRuns}), which nothing executes.
 */
import { user, userId } from '../payloads/common.js';
import type { StandInState } from '../state.js';
import { newCheckRun, type CheckRunRecord, type JobRecord, type RepoRecord, type RunRecord } from '../types.js';
import { asString, evaluateString, evaluateToken, TemplateError } from './template.js';
import { typedInputs, type JobSpec, type WorkflowFile } from './workflow.js';

/** What a dispatch resolved to (see the dispatch route). */
export interface DispatchRequest {
  repo: RepoRecord;
  wf: WorkflowFile;
  workflowId: number;
  /** Full ref (`refs/heads/main`) and its head sha at dispatch time. */
  ref: string;
  sha: string;
  inputs: Record<string, string>;
  actor: string;
}

/** What executes dispatched runs: the local runner, or nothing (runs stay recorded until a test finishes them). */
export interface Runs {
  /**
   * Creates a queued run for a dispatch.
   * @throws TemplateError when `run-name` cannot be evaluated (the route answers 422)
   */
  dispatch(d: DispatchRequest): RunRecord;
  /** POST …/cancel. @returns `false` when the run had already completed (GitHub answers 409) */
  cancel(run: RunRecord): boolean;
  /** Resolves when nothing is queued or running and every webhook was delivered. */
  idle(): Promise<void>;
}

/** The `github` context of a run (without `workspace`, set per job). */
export function githubContext(
  state: StandInState,
  d: Pick<DispatchRequest, 'repo' | 'ref' | 'sha' | 'inputs' | 'actor'> & { wf: Pick<WorkflowFile, 'name' | 'path'> },
  runId: number,
  runNumber: number,
): Record<string, unknown> {
  const refName = d.ref.replace(/^refs\/(heads|tags)\//, '');
  const full = `${d.repo.owner}/${d.repo.name}`;
  return {
    sha: d.sha,
    ref: d.ref,
    ref_name: refName,
    ref_type: d.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    repository: full,
    repository_owner: d.repo.owner,
    repository_id: String(d.repo.id),
    repository_owner_id: String(userId(d.repo.owner)),
    run_id: String(runId),
    run_number: String(runNumber),
    run_attempt: '1',
    workflow: d.wf.name,
    workflow_ref: `${full}/${d.wf.path}@${d.ref}`,
    actor: d.actor,
    actor_id: String(userId(d.actor)),
    triggering_actor: d.actor,
    event_name: 'workflow_dispatch',
    server_url: state.serverUrl,
    api_url: state.apiUrl,
    graphql_url: `${state.serverUrl}/api/graphql`,
    token: '',
    event: {
      inputs: { ...d.inputs },
      ref: d.ref,
      repository: { full_name: full, name: d.repo.name, owner: { login: d.repo.owner } },
      sender: user(state, d.actor),
      workflow: d.wf.path,
    },
  };
}

/** The `github` context of a run already created (its record says what its dispatch did). */
export function runGithubContext(state: StandInState, run: RunRecord): Record<string, unknown> {
  return githubContext(
    state,
    {
      repo: state.repoById(run.repoId),
      wf: { name: run.workflowName, path: run.workflowPath },
      ref: `refs/heads/${run.headBranch}`,
      sha: run.headSha,
      inputs: run.inputs,
      actor: run.actor,
    },
    run.id,
    run.runNumber,
  );
}

/**
 * The contexts of job-level keys (`name`, `if`, `runs-on`, `timeout-minutes`):
 * `github`, `inputs` (typed), `vars`, and `needs`, `strategy`, `matrix` (empty: one job, no matrix).
 */
export function jobContexts(d: Pick<DispatchRequest, 'repo' | 'wf' | 'inputs'>, github: Record<string, unknown>): Record<string, unknown> {
  return { github, inputs: typedInputs(d.wf, d.inputs), vars: { ...d.repo.variables }, needs: {}, strategy: {}, matrix: {} };
}

/**
 * A job's `timeout-minutes`, evaluated with the job-level contexts: a number (fractions
 * too, as GitHub takes them); absent: 360 (GitHub's default).
 * @throws TemplateError when it is not a positive number (a string from an expression
 * included: `fromJSON(…)` turns an input into one)
 */
export function jobTimeoutMinutes(d: Pick<DispatchRequest, 'repo' | 'wf' | 'inputs'>, github: Record<string, unknown>, spec: JobSpec): number {
  if (!spec.timeoutMinutes) return 360;
  const value = evaluateToken(spec.timeoutMinutes, { contexts: jobContexts(d, github) });
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TemplateError(`Unexpected value '${asString(value)}' for timeout-minutes: a positive number was expected`);
  }
  return value;
}

/**
 * Creates and stores a queued run for a dispatch.
 * @returns the run and its `github` context
 * @throws TemplateError when `run-name` cannot be evaluated
 */
export function createRun(state: StandInState, d: DispatchRequest): { run: RunRecord; github: Record<string, unknown> } {
  const id = state.nextId('run');
  const runNumber = state.runsOf(d.repo.id).filter((r) => r.workflowId === d.workflowId).length + 1;
  const github = githubContext(state, d, id, runNumber);
  const ctx = { contexts: { github, inputs: typedInputs(d.wf, d.inputs), vars: { ...d.repo.variables } } };
  const displayTitle = d.wf.runName ? evaluateString(d.wf.runName, ctx) : d.wf.name;
  const now = new Date();
  const run: RunRecord = {
    id,
    repoId: d.repo.id,
    workflowId: d.workflowId,
    workflowPath: d.wf.path,
    workflowName: d.wf.name,
    displayTitle,
    runNumber,
    event: 'workflow_dispatch',
    headBranch: d.ref.replace(/^refs\/(heads|tags)\//, ''),
    headSha: d.sha,
    status: 'queued',
    conclusion: null,
    inputs: d.inputs,
    checkSuiteId: state.nextId('suite'),
    actor: d.actor,
    createdAt: now,
    updatedAt: now,
    runStartedAt: now,
    jobIds: [],
    cancelRequested: false,
  };
  state.runs.set(id, run);
  return { run, github };
}

/** Creates a queued job of a run and its check run (owned by GitHub Actions). */
export function createJob(
  state: StandInState,
  repo: RepoRecord,
  run: RunRecord,
  key: string,
  name: string,
  runsOn: string | string[] | undefined,
): { job: JobRecord; check: CheckRunRecord } {
  const id = state.nextId('check');
  const now = new Date();
  const job: JobRecord = {
    id,
    runId: run.id,
    repoId: repo.id,
    key,
    name,
    status: 'queued',
    conclusion: null,
    createdAt: now,
    startedAt: null,
    completedAt: null,
    steps: [],
    labels: runsOn === undefined ? [] : Array.isArray(runsOn) ? runsOn.map(String) : [String(runsOn)],
    runnerName: null,
    log: [],
  };
  const check = newCheckRun(id, {
    repoId: repo.id,
    headSha: run.headSha,
    name,
    checkSuiteId: run.checkSuiteId,
    owner: { kind: 'actions', jobId: id },
    startedAt: null,
  });
  state.jobs.set(id, job);
  state.checkRuns.set(id, check);
  run.jobIds.push(id);
  return { job, check };
}

/** Completes a job and its check run. */
export function completeJob(state: StandInState, job: JobRecord, conclusion: NonNullable<JobRecord['conclusion']>): void {
  job.status = 'completed';
  job.conclusion = conclusion;
  job.completedAt = new Date();
  const check = state.checkRuns.get(job.id);
  if (check) Object.assign(check, { status: 'completed', conclusion, completedAt: job.completedAt, updatedAt: job.completedAt });
}
