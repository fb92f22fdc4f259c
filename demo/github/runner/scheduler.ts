/**
 * Workflow runs from dispatch to completion: one runner per repository (runs
 * queue and execute one job at a time), status transitions
 * queued → in_progress → completed, and the `workflow_run` webhooks
 * (`requested`, `in_progress`, `completed`) GitHub sends along the way.
 */
import { readCommit, repoSizeKiB } from '../git.js';
import { user } from '../payloads/common.js';
import { workflowRunPayload } from '../payloads/webhooks.js';
import type { StandInState } from '../state.js';
import type { CheckRunRecord, JobRecord, RepoRecord, RunRecord } from '../types.js';
import type { WebhookSender } from '../webhooks.js';
import { evaluateIf, interpolate } from './expressions.js';
import { executeJob, type JobOptions } from './job.js';
import { typedInputs, type WorkflowFile } from './workflow.js';

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

/** Runs workflows for the stand-in. */
export class WorkflowRunner {
  private queues = new Map<number, Promise<void>>();
  private aborts = new Map<number, AbortController>();
  private pending = new Set<Promise<unknown>>();

  constructor(
    private readonly state: StandInState,
    private readonly webhooks: WebhookSender,
    private readonly options: JobOptions,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The `github` context of a run (without `workspace`, set per job). */
  githubContext(d: Pick<DispatchRequest, 'repo' | 'wf' | 'ref' | 'sha' | 'inputs' | 'actor'>, runId: number, runNumber: number): Record<string, unknown> {
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
      run_id: String(runId),
      run_number: String(runNumber),
      run_attempt: '1',
      workflow: d.wf.name,
      workflow_ref: `${full}/${d.wf.path}@${d.ref}`,
      actor: d.actor,
      triggering_actor: d.actor,
      event_name: 'workflow_dispatch',
      server_url: this.state.serverUrl,
      api_url: this.state.apiUrl,
      graphql_url: `${this.state.serverUrl}/api/graphql`,
      token: '',
      event: {
        inputs: { ...d.inputs },
        ref: d.ref,
        repository: { full_name: full, name: d.repo.name, owner: { login: d.repo.owner } },
        sender: user(this.state, d.actor),
        workflow: d.wf.path,
      },
    };
  }

  /**
   * Creates a queued run and schedules it. The `requested` webhook is sent after
   * the current tick (after the dispatch response), as GitHub does.
   * @throws ExpressionError when `run-name` cannot be evaluated (the route answers 422)
   */
  dispatch(d: DispatchRequest): RunRecord {
    const id = this.state.nextId('run');
    const runNumber = this.state.runsOf(d.repo.id).filter((r) => r.workflowId === d.workflowId).length + 1;
    const github = this.githubContext(d, id, runNumber);
    const ctx = { contexts: { github, inputs: typedInputs(d.wf, d.inputs), vars: { ...d.repo.variables } } };
    const displayTitle = d.wf.runName ? interpolate(d.wf.runName, ctx) : d.wf.name;
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
      checkSuiteId: this.state.nextId('suite'),
      actor: d.actor,
      createdAt: now,
      updatedAt: now,
      runStartedAt: now,
      jobIds: [],
      cancelRequested: false,
    };
    this.state.runs.set(id, run);
    this.aborts.set(id, new AbortController());
    const requested = new Promise<void>((res) => setImmediate(res)).then(() => this.notify(run, 'requested'));
    const prev = this.queues.get(d.repo.id) ?? Promise.resolve();
    const next = Promise.all([prev, requested])
      .then(() => this.execute(d, run, github))
      .catch((err) => this.onError(err));
    this.queues.set(d.repo.id, next);
    this.track(next);
    return run;
  }

  /**
   * Cancels a run (POST .../cancel): a queued run completes as cancelled; a
   * running one has its processes killed.
   * @returns `false` when the run had already completed (GitHub answers 409)
   */
  cancel(run: RunRecord): boolean {
    if (run.status === 'completed') return false;
    run.cancelRequested = true;
    this.aborts.get(run.id)?.abort();
    return true;
  }

  /** Resolves when no run is queued or in progress and every webhook has been delivered. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.webhooks.drain();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private async notify(run: RunRecord, action: 'requested' | 'in_progress' | 'completed'): Promise<void> {
    const snapshot = { ...run, updatedAt: new Date(run.updatedAt) };
    const repo = this.state.repoById(run.repoId);
    const head = await readCommit(repo.bareDir, run.headSha);
    const payload = workflowRunPayload(this.state, repo, snapshot, head, action, await repoSizeKiB(repo.bareDir));
    await this.webhooks.send('workflow_run', payload);
  }

  private async execute(d: DispatchRequest, run: RunRecord, github: Record<string, unknown>): Promise<void> {
    const signal = this.aborts.get(run.id)!.signal;
    if (run.cancelRequested) return this.finish(run, 'cancelled');
    run.status = 'in_progress';
    run.runStartedAt = run.updatedAt = new Date();
    await this.notify(run, 'in_progress');
    let conclusion: 'success' | 'failure' | 'cancelled' = 'success';
    for (const [key, spec] of Object.entries(d.wf.jobs)) {
      const ctx = { contexts: { github, inputs: typedInputs(d.wf, d.inputs), vars: { ...d.repo.variables } }, status: conclusion };
      let name = key;
      let runIt: boolean;
      try {
        name = spec.name ? interpolate(spec.name, ctx) : key;
        runIt = evaluateIf(spec.if, ctx);
      } catch (err) {
        this.onError(err);
        conclusion = 'failure';
        continue;
      }
      const { job, check } = this.createJob(d.repo, run, key, name, spec['runs-on']);
      if (!runIt || signal.aborted) {
        job.status = 'completed';
        job.conclusion = signal.aborted ? 'cancelled' : 'skipped';
        job.completedAt = new Date();
        Object.assign(check, { status: 'completed', conclusion: job.conclusion, completedAt: job.completedAt, updatedAt: job.completedAt });
        if (signal.aborted) conclusion = 'cancelled';
        continue;
      }
      job.status = 'in_progress';
      job.startedAt = new Date();
      job.runnerName = this.options.runnerName;
      Object.assign(check, { status: 'in_progress', startedAt: job.startedAt, updatedAt: job.startedAt });
      const result = await executeJob({
        state: this.state,
        repo: d.repo,
        run,
        wf: d.wf,
        spec,
        job,
        check,
        token: this.state.issueToken().token,
        options: { ...this.options, hostEnv: { ...this.options.hostEnv } },
        signal,
        github,
        inputs: typedInputs(d.wf, d.inputs),
      });
      job.status = 'completed';
      job.conclusion = result;
      job.completedAt = new Date();
      Object.assign(check, { status: 'completed', conclusion: result, completedAt: job.completedAt, updatedAt: job.completedAt });
      if (result === 'cancelled') conclusion = 'cancelled';
      else if (result === 'failure' && conclusion === 'success') conclusion = 'failure';
    }
    if (run.cancelRequested) conclusion = 'cancelled';
    await this.finish(run, conclusion);
  }

  private async finish(run: RunRecord, conclusion: 'success' | 'failure' | 'cancelled'): Promise<void> {
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updatedAt = new Date();
    this.aborts.delete(run.id);
    await this.notify(run, 'completed');
  }

  private createJob(repo: RepoRecord, run: RunRecord, key: string, name: string, runsOn: string | string[] | undefined): { job: JobRecord; check: CheckRunRecord } {
    const id = this.state.nextId('check');
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
    const check: CheckRunRecord = {
      id,
      repoId: repo.id,
      headSha: run.headSha,
      name,
      status: 'queued',
      conclusion: null,
      startedAt: null,
      completedAt: null,
      detailsUrl: null,
      externalId: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: [],
      checkSuiteId: run.checkSuiteId,
      owner: { kind: 'actions', jobId: id },
      createdAt: now,
      updatedAt: now,
    };
    this.state.jobs.set(id, job);
    this.state.checkRuns.set(id, check);
    run.jobIds.push(id);
    return { job, check };
  }
}
