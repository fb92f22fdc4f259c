/**
 * Workflow runs from dispatch to completion: one runner per repository (runs
 * queue and execute one job at a time), status transitions
 * queued → in_progress → completed, and the `workflow_run` webhooks
 * (`requested`, `in_progress`, `completed`) GitHub sends along the way.
 */
import { workflowRunPayload } from '../payloads/webhooks.js';
import type { StandInState } from '../state.js';
import type { RunRecord } from '../types.js';
import type { WebhookSender } from '../webhooks.js';
import { evaluateCondition, evaluateString, evaluateToken } from './template.js';
import { executeJob, type JobOptions } from './job.js';
import { completeJob, createJob, createRun, jobContexts, type DispatchRequest, type Runs } from './runs.js';
import { typedInputs } from './workflow.js';

export type { DispatchRequest };

/** Runs workflows for the stand-in. */
export class WorkflowRunner implements Runs {
  private queues = new Map<number, Promise<void>>();
  private aborts = new Map<number, AbortController>();
  private pending = new Set<Promise<unknown>>();

  constructor(
    private readonly state: StandInState,
    private readonly webhooks: WebhookSender,
    private readonly options: JobOptions,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Creates a queued run and schedules it. The `requested` webhook is sent after
   * the current tick (after the dispatch response), as GitHub does.
   * @throws ExpressionError when `run-name` cannot be evaluated (the route answers 422)
   */
  dispatch(d: DispatchRequest): RunRecord {
    if (!d.repo.bareDir) throw new Error(`${d.repo.owner}/${d.repo.name} is kept in memory: the local runner needs a git repository`);
    const { run, github } = createRun(this.state, d);
    const id = run.id;
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
    const head = await repo.content.readCommit(run.headSha);
    const payload = workflowRunPayload(this.state, repo, snapshot, head, action, await repo.content.sizeKiB());
    await this.webhooks.send('workflow_run', payload);
  }

  private async execute(d: DispatchRequest, run: RunRecord, github: Record<string, unknown>): Promise<void> {
    const signal = this.aborts.get(run.id)!.signal;
    if (run.cancelRequested) return this.finish(run, 'cancelled');
    run.status = 'in_progress';
    run.runStartedAt = run.updatedAt = new Date();
    await this.notify(run, 'in_progress');
    let conclusion: 'success' | 'failure' | 'cancelled' = 'success';
    for (const spec of d.wf.jobs) {
      const key = spec.key;
      const ctx = { contexts: jobContexts(d, github), status: conclusion };
      let name = key;
      let runIt: boolean;
      let runsOn: string | string[] | undefined;
      try {
        name = spec.name ? evaluateString(spec.name, ctx) : key;
        runIt = evaluateCondition(spec.if, ctx);
        runsOn = spec.runsOn ? (evaluateToken(spec.runsOn, ctx) as string | string[]) : undefined;
      } catch (err) {
        this.onError(err);
        conclusion = 'failure';
        continue;
      }
      const { job, check } = createJob(this.state, d.repo, run, key, name, runsOn);
      if (!runIt || signal.aborted) {
        completeJob(this.state, job, signal.aborted ? 'cancelled' : 'skipped');
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
      completeJob(this.state, job, result);
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
}
