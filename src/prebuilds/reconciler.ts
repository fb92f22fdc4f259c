import { cancelRun, getWorkflowRun, listWorkflowRuns, prebuildIdFromRunName } from '../github/actions.js';
import { isStatus } from '../github/octokit.js';
import type { WorkflowRunObject } from '../github/payloads.js';
import { laneOf } from '../scheduler/scheduler.js';
import type { PrebuildRecord } from '../store/types.js';
import type { PrebuildsDeps } from './deps.js';
import { prebuildEnded, reportEnded } from './ended.js';
import { followRun } from './runs.js';

/** Options of {@link Reconciler}. */
export interface ReconcilerOptions {
  /** Period, ms; 0 turns it off. */
  intervalMs: number;
  /** Age of a dispatched run before it is checked, ms. Default 120000. */
  graceMs?: number;
  /** Serialises work per repository (`owner/repo`) with deliveries. */
  exclusive?: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T>;
  /** Whether this replica runs the periodic pass (one replica of several does). Default always. */
  leader?: () => Promise<boolean>;
}

/**
 * Finds what webhooks missed (SPEC.md rule 9). For every dispatched or running
 * prebuild older than `graceMs`: when its run id is unknown, lists the workflow's
 * runs (`GET …/actions/workflows/{workflow_id}/runs`) and matches the run name, which
 * carries the prebuild id; when the run is known, reads it
 * (`GET …/actions/runs/{run_id}`) and applies a completion whose `workflow_run`
 * never arrived. A prebuild past its `timeoutMinutes` is cancelled on GitHub and
 * ends `timed_out`, so its queue moves on. Ended prebuilds whose check run a crash left
 * incomplete (`reportedState` behind `state`) are reported again.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly graceMs: number;
  private readonly exclusive: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T>;
  private readonly leader: () => Promise<boolean>;

  constructor(
    private readonly deps: PrebuildsDeps,
    options: ReconcilerOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.graceMs = options.graceMs ?? 120_000;
    this.exclusive = options.exclusive ?? ((_k, fn) => fn());
    this.leader = options.leader ?? (async () => true);
  }

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.leader().then((lead) => (lead ? this.runOnce() : undefined)), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass; concurrent calls share the pass in progress. */
  runOnce(now = Date.now()): Promise<void> {
    this.running ??= this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(now: number): Promise<void> {
    // Ends a crash left unreported (state stored, check run not yet completed).
    for (const p of await this.deps.store.listPrebuilds({ unreported: true, createdSince: now - 7 * 86_400_000, limit: 1000 })) {
      try {
        await this.exclusive(`${p.owner}/${p.repo}`, async () => {
          const fresh = await this.deps.store.getPrebuild(p.id);
          if (fresh && fresh.reportedState !== fresh.state) await reportEnded(this.deps, await this.deps.octokitFor(p.installationId), fresh, undefined, true);
        });
      } catch (error) {
        this.deps.log.warn({ err: error, prebuild: p.id }, 'reconciler could not report an ended prebuild');
      }
    }
    // Lanes whose waiting prebuild nothing will start (a step after a run's end failed for good).
    const waiting = await this.deps.store.listPrebuilds({ states: ['waiting'], limit: 1000 });
    for (const lane of new Map(waiting.map((w) => [`${w.owner}/${w.repo}/${w.configuration}/${w.branch}`, laneOf(w)])).values()) {
      await this.exclusive(`${lane.owner}/${lane.repo}`, () => this.deps.scheduler.advance(lane)).catch((err) =>
        this.deps.log.warn({ err, lane }, 'reconciler could not advance a lane'),
      );
    }
    const active = await this.deps.store.listPrebuilds({ states: ['dispatched', 'running'], limit: 1000 });
    for (const p of active) {
      if ((p.dispatchedAt ?? p.createdAt) > now - this.graceMs) continue;
      try {
        await this.exclusive(`${p.owner}/${p.repo}`, () => this.check(p, now));
      } catch (error) {
        this.deps.log.warn({ err: error, prebuild: p.id }, 'reconciler could not check a prebuild');
      }
    }
  }

  private async check(stale: PrebuildRecord, now: number): Promise<void> {
    const p = await this.deps.store.getPrebuild(stale.id);
    if (!p || (p.state !== 'dispatched' && p.state !== 'running')) return;
    const octokit = await this.deps.octokitFor(p.installationId);
    const repo = { owner: p.owner, repo: p.repo };
    let run: WorkflowRunObject | null = null;
    let gone: string | null = null;
    try {
      let runId = p.workflowRunId;
      if (!runId) runId = (await listWorkflowRuns(octokit, repo, p.workflow)).find((r) => prebuildIdFromRunName(r.displayTitle) === p.id)?.id ?? null;
      if (runId) run = await getWorkflowRun(octokit, repo, runId);
    } catch (error) {
      // The run (or the workflow file) was deleted: it will never report.
      if (!isStatus(error, 404) && !isStatus(error, 410)) throw error;
      gone = p.workflowRunId ? `its workflow run ${p.workflowRunId} was deleted` : `the workflow ${p.workflow} is gone`;
    }
    if (run) {
      await followRun(this.deps, octokit, repo, run, run.status === 'completed', null, p);
      const after = await this.deps.store.getPrebuild(p.id);
      if (after && after.state !== 'dispatched' && after.state !== 'running') return;
    }
    const deadline = (p.dispatchedAt ?? p.createdAt) + p.timeoutMinutes * 60_000;
    if (now < deadline && !(gone && p.workflowRunId)) return;
    if (run && run.status !== 'completed')
      await cancelRun(octokit, repo, run.id).catch((err) => this.deps.log.warn({ err }, 'could not cancel a timed-out run'));
    const state = gone && p.workflowRunId ? 'failure' : 'timed_out';
    const reason = state === 'failure' ? `${gone}` : `no result after ${p.timeoutMinutes} minutes (timeoutMinutes)`;
    const ended = await this.deps.store.updatePrebuild(p.id, { state, reason, endedAt: now, durationMs: now - (p.dispatchedAt ?? p.createdAt) });
    await prebuildEnded(this.deps, ended, { deliveryId: null, event: 'reconciler' }, { octokit });
  }
}
