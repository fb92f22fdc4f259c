import type { Logger } from 'pino';
import { cancelRun, listWorkflowRuns, prebuildIdFromRunName } from '../github/actions.js';
import type { OctokitFactory } from '../github/dispatcher.js';
import { isStatus, type Octokit } from '../github/octokit.js';
import type { WorkflowRunObject } from '../handlers/payloads.js';
import type { PrebuildRecord, Store } from '../store/types.js';
import type { Scheduler } from './scheduler.js';
import { laneOf } from './scheduler.js';

/** Applies a run's state to its prebuild; given by the app (the workflow_run handler's `followRun`). */
export type RunFollower = (octokit: Octokit, prebuild: PrebuildRecord, run: WorkflowRunObject, completed: boolean) => Promise<void>;

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
  /** Set by the runtime: applies a run to its prebuild (shared with the webhook path). */
  follow: RunFollower | null = null;
  /** Set by the runtime: reports an ended prebuild to GitHub and records it as reported. */
  report: ((octokit: Octokit, prebuild: PrebuildRecord) => Promise<unknown>) | null = null;
  /** Set by the runtime: serialises work per repository with deliveries. */
  exclusive: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T> = (_k, fn) => fn();
  /** Set by the runtime: whether this replica runs the periodic pass (one replica of several does). */
  leader: () => Promise<boolean> = async () => true;

  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly octokitFor: OctokitFactory,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly graceMs = 120_000,
  ) {}

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
    for (const p of await this.store.listPrebuilds({ unreported: true, createdSince: now - 7 * 86_400_000, limit: 1000 })) {
      try {
        await this.exclusive(`${p.owner}/${p.repo}`, async () => {
          const fresh = await this.store.getPrebuild(p.id);
          if (fresh && fresh.reportedState !== fresh.state && this.report) await this.report(await this.octokitFor(p.installationId), fresh);
        });
      } catch (error) {
        this.log.warn({ err: error, prebuild: p.id }, 'reconciler could not report an ended prebuild');
      }
    }
    // Lanes whose waiting prebuild nothing will start (a step after a run's end failed for good).
    const waiting = await this.store.listPrebuilds({ states: ['waiting'], limit: 1000 });
    for (const lane of new Map(waiting.map((w) => [`${w.owner}/${w.repo}/${w.configuration}/${w.branch}`, laneOf(w)])).values()) {
      await this.exclusive(`${lane.owner}/${lane.repo}`, () => this.scheduler.advance(lane)).catch((err) => this.log.warn({ err, lane }, 'reconciler could not advance a lane'));
    }
    const active = await this.store.listPrebuilds({ states: ['dispatched', 'running'], limit: 1000 });
    for (const p of active) {
      if ((p.dispatchedAt ?? p.createdAt) > now - this.graceMs) continue;
      try {
        await this.exclusive(`${p.owner}/${p.repo}`, () => this.check(p, now));
      } catch (error) {
        this.log.warn({ err: error, prebuild: p.id }, 'reconciler could not check a prebuild');
      }
    }
  }

  private async check(stale: PrebuildRecord, now: number): Promise<void> {
    const p = await this.store.getPrebuild(stale.id);
    if (!p || (p.state !== 'dispatched' && p.state !== 'running')) return;
    const octokit = await this.octokitFor(p.installationId);
    const repo = { owner: p.owner, repo: p.repo };
    let run: WorkflowRunObject | null = null;
    let gone: string | null = null;
    try {
      let runId = p.workflowRunId;
      if (!runId) runId = (await listWorkflowRuns(octokit, repo, p.workflow)).find((r) => prebuildIdFromRunName(r.displayTitle) === p.id)?.id ?? null;
      if (runId) run = (await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { ...repo, run_id: runId })).data as unknown as WorkflowRunObject;
    } catch (error) {
      // The run (or the workflow file) was deleted: it will never report.
      if (!isStatus(error, 404) && !isStatus(error, 410)) throw error;
      gone = p.workflowRunId ? `its workflow run ${p.workflowRunId} was deleted` : `the workflow ${p.workflow} is gone`;
    }
    if (run && this.follow) {
      await this.follow(octokit, p, run, run.status === 'completed');
      const after = await this.store.getPrebuild(p.id);
      if (after && after.state !== 'dispatched' && after.state !== 'running') return;
    }
    const deadline = (p.dispatchedAt ?? p.createdAt) + p.timeoutMinutes * 60_000;
    if (now < deadline && !(gone && p.workflowRunId)) return;
    if (run && run.status !== 'completed') await cancelRun(octokit, repo, run.id).catch((err) => this.log.warn({ err }, 'could not cancel a timed-out run'));
    const state = gone && p.workflowRunId ? 'failure' : 'timed_out';
    const reason = state === 'failure' ? `${gone}` : `no result after ${p.timeoutMinutes} minutes (timeoutMinutes)`;
    const ended = await this.store.updatePrebuild(p.id, { state, reason, endedAt: now, durationMs: now - (p.dispatchedAt ?? p.createdAt) });
    await this.store.recordDecision({
      deliveryId: null,
      ...repo,
      sha: p.sha,
      event: 'reconciler',
      configuration: p.configuration,
      decision: state,
      reason,
      prebuildId: p.id,
    });
    // The queue moves on before GitHub hears of it: a failed report is retried by the sweep.
    await this.scheduler.advance(laneOf(p));
    if (this.report) await this.report(octokit, ended).catch((err) => this.log.warn({ err, prebuild: p.id }, 'could not report a timed-out prebuild'));
  }
}