/**
 * Runs that nothing executes: a dispatch creates the run and one job per
 * workflow job (queued), GitHub's REST views of them answer as usual, and the
 * test (or the benchmark) decides how each ends with {@link RecordedRuns.finish},
 * leaving the job's annotations as the action's workflow commands would. No
 * webhook is sent by itself: the caller sends `workflow_run` when it wants.
 */
import type { StandInState } from '../state.js';
import type { AnnotationRecord, RunRecord } from '../types.js';
import { completeJob, createJob, createRun, jobContexts, type DispatchRequest, type Runs } from './runs.js';
import { evaluateString, evaluateToken } from './template.js';

/** An annotation as a workflow command (`::notice title=…::message`) leaves it. */
export type RunAnnotation = Pick<AnnotationRecord, 'level' | 'message'> & { title?: string | null };

/** Dispatched runs kept as records until finished. */
export class RecordedRuns implements Runs {
  /** Called after each dispatch is recorded (after the response is sent). */
  onDispatch: ((run: RunRecord) => void) | null = null;
  /** The runs created by `POST …/dispatches`, in order. */
  readonly dispatched: RunRecord[] = [];

  constructor(private readonly state: StandInState) {}

  dispatch(d: DispatchRequest): RunRecord {
    const run = this.record(d);
    this.dispatched.push(run);
    if (this.onDispatch) setImmediate(this.onDispatch, run);
    return run;
  }

  /** Creates a queued run with its jobs that no dispatch of the app asked for (a run started from the Actions tab). */
  record(d: DispatchRequest): RunRecord {
    const { run, github } = createRun(this.state, d);
    const ctx = { contexts: jobContexts(d, github) };
    for (const spec of d.wf.jobs) {
      let name = spec.key;
      let runsOn: string | string[] | undefined;
      try {
        name = spec.name ? evaluateString(spec.name, ctx) : spec.key;
        runsOn = spec.runsOn ? (evaluateToken(spec.runsOn, ctx) as string | string[]) : undefined;
      } catch {
        // Nothing executes these runs: a job whose name does not evaluate keeps its key.
      }
      createJob(this.state, d.repo, run, spec.key, name, runsOn);
    }
    return run;
  }

  cancel(run: RunRecord): boolean {
    if (run.status === 'completed') return false;
    run.cancelRequested = true;
    this.finish(run.id, 'cancelled');
    return true;
  }

  async idle(): Promise<void> {}

  /** Marks a run (and its jobs) in progress. */
  start(runId: number): RunRecord {
    const run = this.run(runId);
    run.status = 'in_progress';
    run.runStartedAt = run.updatedAt = new Date();
    for (const id of run.jobIds) Object.assign(this.state.jobs.get(id)!, { status: 'in_progress', startedAt: run.runStartedAt });
    return run;
  }

  /**
   * Completes a run with `conclusion`, decided by one job (`jobKey`, default the first):
   * that job gets the conclusion, `annotations` on its check run, `log` lines and `steps`
   * (the names its steps had, as GitHub evaluated them, each completed with the job's
   * conclusion); the jobs before it succeeded, those after it are skipped (cancelled when the run is).
   * @throws Error for an unknown run or job
   */
  finish(
    runId: number,
    conclusion: 'success' | 'failure' | 'cancelled',
    annotations: RunAnnotation[] = [],
    log: string[] = [],
    jobKey?: string,
    steps: string[] = [],
  ): RunRecord {
    const run = this.run(runId);
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updatedAt = new Date();
    const jobs = run.jobIds.map((id) => this.state.jobs.get(id)!);
    const deciding = jobKey === undefined ? 0 : jobs.findIndex((j) => j.key === jobKey);
    if (deciding < 0) throw new Error(`run ${runId} has no job ${jobKey}`);
    jobs.forEach((job, i) =>
      completeJob(
        this.state,
        job,
        i < deciding || conclusion === 'success' ? 'success' : i === deciding ? conclusion : conclusion === 'cancelled' ? 'cancelled' : 'skipped',
      ),
    );
    const job = jobs[deciding];
    if (job) {
      job.log.push(...log);
      const at = run.updatedAt;
      for (const name of steps) {
        job.steps.push({ name, number: job.steps.length + 1, status: 'completed', conclusion: job.conclusion, startedAt: at, completedAt: at });
      }
      this.state.checkRuns.get(job.id)!.annotations.push(
        ...annotations.map((a) => ({
          path: '.github',
          startLine: 1,
          endLine: 1,
          startColumn: null,
          endColumn: null,
          level: a.level,
          title: a.title ?? null,
          message: a.message,
          rawDetails: null,
        })),
      );
    }
    return run;
  }

  private run(runId: number): RunRecord {
    const run = this.state.runs.get(runId);
    if (!run) throw new Error(`no workflow run ${runId}`);
    return run;
  }
}
