import type { Logger } from 'pino';
import type { PrebuildSettings } from '../config/model.js';
import type { LaneState, NewDecision, NewPrebuild, PrebuildPatch, PrebuildRecord, RepoRef, Store } from '../store/types.js';
import { ACTIVE_STATES } from '../store/types.js';
import { selectBase, type History } from './base.js';
import { expireAtDispatch, orphanedCachesParts, unexpire } from './retention.js';

/**
 * What the scheduler needs from GitHub; the app passes the GitHub-backed
 * implementation (src/github/dispatcher.ts), tests and `simulate` pass their own.
 */
export interface Dispatcher {
  /**
   * How the scheduler reads a repository's commit history to choose a prebuild's base
   * (SPEC.md rule 5). Absent: prebuilds start without a base.
   */
  history?(prebuild: PrebuildRecord): Promise<History>;
  /**
   * Starts a prebuild whose base is chosen (`baseKey`, `baseSha`, `baseReason` set):
   * creates its check run and dispatches the workflow.
   * When `prebuild.dispatchedAt` is set, an earlier attempt may have dispatched it: the
   * dispatcher adopts that run instead of starting a second one.
   * @param expired snapshot keys whose prebuilds retention expired at this dispatch (SPEC.md
   *   rule 7; already recorded `expired`): the run deletes them from the Actions cache
   *   (`expire` input), and the dispatcher from the stores the app reaches, and from the
   *   Actions cache itself when the workflow cannot (no `expire` input, or the dispatch failed)
   * @returns the fields to store (state `dispatched`, check run id, run id when known …)
   * @throws when GitHub refuses; the scheduler then fails the prebuild with the message
   */
  start(prebuild: PrebuildRecord, expired?: readonly string[]): Promise<PrebuildPatch>;
  /**
   * Reports a prebuild that ended without finishing its run (`superseded`,
   * `cancelled`): a neutral check run, and the workflow run cancelled if one exists.
   * @returns the check run id
   */
  end(prebuild: PrebuildRecord): Promise<number>;
  /**
   * True when a `start` error is worth retrying (GitHub failing, not refusing): the
   * prebuild then stays waiting and the error propagates. Absent: every error fails it.
   */
  isTransient?(error: unknown): boolean;
}

/** The queue a prebuild waits in: one per (repository, configuration, branch). */
export interface Lane extends RepoRef {
  configuration: string;
  branch: string;
}

/** The scheduler's answer for one request (SPEC.md rule 10 wording). */
export interface ScheduleOutcome {
  prebuild: PrebuildRecord;
  decision: 'started' | 'queued' | 'failed';
  reason: string;
  /** The decision built by the request's `decide` was recorded by the scheduler (with the write that settled the outcome). */
  recorded?: boolean;
}

/** Builds the decision (SPEC.md rule 10) that records a {@link ScheduleOutcome}. */
export type DecideOutcome = (outcome: ScheduleOutcome) => NewDecision;

/** What a request stores along the way, in the writes it makes anyway (fewer sequential round trips to the store). */
export interface RequestWrites {
  /**
   * Builds the request's decision: the scheduler records it in the write that settles the
   * outcome (the dispatched or failed state, or the superseding of an older waiting
   * prebuild), and the outcome says `recorded`. A transient dispatch error records nothing.
   */
  decide?: DecideOutcome;
  /** The lane's new state (the trigger rule's counters, SPEC.md rule 4): stored with the prebuild the request creates. */
  lane?: LaneState;
}

const short = (sha: string) => sha.slice(0, 7);

/**
 * One run at a time per configuration and branch, collapse, bypass
 * (SPEC.md rules 2, 3 and 9). The store is the source of truth, so a restarted app
 * continues where it stopped. Callers serialise calls per repository (the delivery
 * processor does); the scheduler itself keeps no state in memory.
 *
 * - A request whose identity has no active run in its lane starts at once (a
 *   different identity than the running one is a bypass, rule 3).
 * - Otherwise it waits; at most one prebuild waits per lane: a newer request
 *   supersedes the waiting one (rule 2), and a request that starts at once also
 *   supersedes an older waiting one, since a newer commit of the branch is being built.
 * - When a run ends, the waiting prebuild starts if no run of its identity is active.
 * - A paused configuration keeps its waiting prebuild until resumed.
 */
export class Scheduler {
  constructor(
    private readonly store: Store,
    private readonly dispatcher: Dispatcher,
    private readonly log?: Logger,
  ) {}

  /**
   * Accepts a prebuild request and starts or queues it. Idempotent per (delivery, configuration).
   * @param writes what to store with the request's own writes (its decision, its lane's state)
   */
  async request(candidate: NewPrebuild, writes: RequestWrites = {}): Promise<ScheduleOutcome> {
    const { decide } = writes;
    const lane = laneOf(candidate);
    const prebuild = await this.store.createPrebuild({ ...candidate, state: 'waiting' }, writes.lane ? { lane: writes.lane } : {});
    if (prebuild.state !== 'waiting') {
      const handled: ScheduleOutcome = { prebuild, decision: 'started', reason: `already handled as prebuild #${prebuild.id}` };
      if (decide) await this.store.recordDecision(decide(handled));
      return { ...handled, recorded: !!decide };
    }
    const [{ waiting, active }, config] = await Promise.all([this.laneState(lane), this.store.getConfigurationState(lane, lane.configuration)]);
    const older = waiting.filter((w) => w.id < prebuild.id);

    const blocker = active.find((a) => a.identity === prebuild.identity);
    const queued: ScheduleOutcome | null = config.paused
      ? { prebuild, decision: 'queued', reason: 'paused: waits until the configuration is resumed' }
      : blocker
        ? { prebuild, decision: 'queued', reason: `waiting for prebuild #${blocker.id} (${short(blocker.sha)}) to finish` }
        : null;
    if (queued) {
      // The queued decision goes with the last superseding write, or alone when nothing waited.
      const own = decide ? [decide(queued)] : [];
      for (const [i, o] of older.entries()) await this.supersede(o, prebuild, i === older.length - 1 ? own : []);
      if (older.length === 0 && own.length > 0) await this.store.recordDecision(own[0]!);
      return { ...queued, recorded: !!decide };
    }
    for (const o of older) await this.supersede(o, prebuild);
    const reason = active.length > 0 ? `bypass: configuration changed while #${active[0]!.id} runs` : 'started: no prebuild running';
    const outcomeOf = (p: PrebuildRecord): ScheduleOutcome =>
      p.state === 'failure' ? { prebuild: p, decision: 'failed', reason: p.reason ?? 'dispatch failed' } : { prebuild: p, decision: 'started', reason };
    const started = await this.start(prebuild, decide && ((p) => decide(outcomeOf(p))));
    return { ...outcomeOf(started), recorded: !!decide };
  }

  /**
   * Called when a prebuild of the lane ended (success, failure, cancelled, timed out):
   * starts the waiting prebuild if nothing of its identity runs. Safe to call any time.
   * @returns the prebuild started, if any
   */
  async advance(lane: Lane): Promise<PrebuildRecord | null> {
    const [{ waiting, active }, config] = await Promise.all([this.laneState(lane), this.store.getConfigurationState(lane, lane.configuration)]);
    if (config.paused || waiting.length === 0) return null;
    const [next, ...older] = waiting; // newest first
    for (const o of older) await this.supersede(o, next!);
    if (active.some((a) => a.identity === next!.identity)) return null;
    const started = await this.start(next!);
    if (started.state === 'failure') return this.advance(lane);
    return started;
  }

  /**
   * Cancels every waiting and active prebuild of a lane (branch deleted, PR closed,
   * user request). Active runs get their workflow run cancelled.
   * @returns the prebuilds cancelled
   */
  async cancel(lane: Lane, reason: string, states: PrebuildRecord['state'][] = ['waiting', ...ACTIVE_STATES]): Promise<PrebuildRecord[]> {
    const victims = await this.store.listPrebuilds({ ...lane, states });
    const out: PrebuildRecord[] = [];
    for (const v of victims) out.push(await this.endWithout(v, 'cancelled', reason));
    return out;
  }

  /** Ends one prebuild as cancelled (API/CLI `cancel`), then lets its lane move on. */
  async cancelOne(prebuild: PrebuildRecord, reason: string): Promise<PrebuildRecord> {
    const cancelled = await this.endWithout(prebuild, 'cancelled', reason);
    await this.advance(laneOf(prebuild));
    return cancelled;
  }

  /** The lane's waiting and active prebuilds, newest first, in one query. */
  private async laneState(lane: Lane): Promise<{ waiting: PrebuildRecord[]; active: PrebuildRecord[] }> {
    const active: readonly string[] = ACTIVE_STATES;
    const all = await this.store.listPrebuilds({ ...lane, states: ['waiting', ...ACTIVE_STATES], limit: 1000 });
    return { waiting: all.filter((p) => p.state === 'waiting'), active: all.filter((p) => active.includes(p.state)) };
  }

  /**
   * Ends `older` as superseded by `newer`, its `superseded` decision (and `also`, the newer
   * request's own) recorded in the same write as its state, before GitHub is told.
   */
  private async supersede(older: PrebuildRecord, newer: PrebuildRecord, also: readonly NewDecision[] = []): Promise<void> {
    const superseded: NewDecision = {
      deliveryId: older.deliveryId,
      owner: older.owner,
      repo: older.repo,
      sha: older.sha,
      event: older.trigger,
      configuration: older.configuration,
      decision: 'superseded',
      reason: `superseded by ${short(newer.sha)} (prebuild #${newer.id}) while waiting`,
      prebuildId: older.id,
    };
    await this.endWithout(older, 'superseded', `superseded by ${short(newer.sha)} (prebuild #${newer.id})`, [superseded, ...also]);
  }

  private async endWithout(
    p: PrebuildRecord,
    state: 'cancelled' | 'superseded',
    reason: string,
    decisions: readonly NewDecision[] = [],
  ): Promise<PrebuildRecord> {
    const ended = await this.store.updatePrebuild(p.id, { state, reason, endedAt: Date.now() }, { decisions });
    try {
      const checkRunId = await this.dispatcher.end(ended);
      return await this.store.updatePrebuild(p.id, { checkRunId, reportedState: state });
    } catch (error) {
      // Left unreported: the reconciler reports it again.
      this.log?.warn({ err: error, prebuild: p.id }, 'could not report the end of a prebuild');
      return ended;
    }
  }

  /**
   * Dispatches a waiting prebuild (its base chosen, retention applied) and stores the result.
   * @param decide the decision recorded with the stored result (dispatched or failed)
   */
  private async start(waiting: PrebuildRecord, decide?: (result: PrebuildRecord) => NewDecision): Promise<PrebuildRecord> {
    let p = waiting;
    let patch: PrebuildPatch;
    let expired: PrebuildRecord[] = [];
    let dispatching: PrebuildRecord = waiting;
    try {
      const base = this.dispatcher.history ? await selectBase(this.store, await this.dispatcher.history(waiting), waiting) : {};
      dispatching = { ...waiting, ...base };
      // Retention (rule 7) travels with the run: it deletes the snapshots this expires.
      expired = await expireAtDispatch(this.store, dispatching);
      const keys = [...expired.map((e) => e.snapshotKey).filter((k): k is string => Boolean(k)), ...(await orphanedCachesParts(this.store, waiting, expired))];
      // Recorded (on disk, whatever the store's durability) before GitHub is asked: after a crash,
      // a power loss or a timed-out request the dispatcher knows a run may already exist for this
      // prebuild, and looks for it (up to its adoption window) before dispatching again. Recorded
      // only now, after base selection and retention: a replica killed before this point leaves no
      // run to look for, so the replica taking its delivery over dispatches at once.
      if (!waiting.dispatchedAt) {
        // Set only where nobody set it: a replica cut off from the database while this ran (its
        // delivery taken over) races the one that took it over, and the second to get here adopts
        // the first one's run instead of dispatching a second.
        const marked = await this.store.updatePrebuildIf(waiting.id, { dispatchedAt: null }, { dispatchedAt: Date.now() }, { durable: true });
        if (marked) p = marked;
        else {
          const current = await this.store.getPrebuild(waiting.id);
          if (!current || current.state !== 'waiting') {
            // The other one settled it already: nothing left to start here.
            await unexpire(this.store, dispatching, expired);
            return current ?? waiting;
          }
          p = current;
          dispatching = { ...dispatching, dispatchedAt: current.dispatchedAt };
        }
      }
      patch = { ...base, ...(await this.dispatcher.start(dispatching, keys)) };
    } catch (error) {
      // No run will delete them: they stay successes until the next dispatch expires them.
      await unexpire(this.store, dispatching, expired).catch((err) => {
        // Left expired: their snapshots stay in storage until GitHub evicts them (7 days unused).
        this.log?.warn({ err, prebuild: p.id }, 'could not put back the prebuilds retention expired for a dispatch that failed');
      });
      // GitHub failing: the prebuild stays waiting and the caller (a delivery) is retried.
      if (this.dispatcher.isTransient?.(error)) throw error;
      const reason = `could not start the prebuild: ${error instanceof Error ? error.message : String(error)}`;
      this.log?.error({ err: error, prebuild: p.id }, reason);
      const checkRunId = (error as { checkRunId?: number }).checkRunId ?? null;
      const failed: PrebuildPatch = { state: 'failure', reason, endedAt: Date.now(), ...(checkRunId ? { checkRunId, reportedState: 'failure' } : {}) };
      return this.settle(p, failed, decide);
    }
    return this.settle(p, { state: 'dispatched', ...patch }, decide);
  }

  /** Stores a start's result, with the decision `decide` builds from the record as it will be. */
  private settle(p: PrebuildRecord, patch: PrebuildPatch, decide?: (result: PrebuildRecord) => NewDecision): Promise<PrebuildRecord> {
    return this.store.updatePrebuild(p.id, patch, decide ? { decisions: [decide({ ...p, ...patch })] } : {});
  }
}

/** The lane of a prebuild or request. */
export function laneOf(p: Pick<PrebuildRecord, 'owner' | 'repo' | 'configuration' | 'branch'>): Lane {
  return { owner: p.owner, repo: p.repo, configuration: p.configuration, branch: p.branch };
}

/**
 * A prebuild request for a resolved configuration at a commit (push, pull request,
 * schedule): what the handlers hand to {@link Scheduler.request}.
 */
export function requestFor(
  c: { settings: PrebuildSettings; identity: string },
  at: RepoRef & { installationId: number; branch: string; sha: string; prNumber: number | null; trigger: NewPrebuild['trigger']; deliveryId: string },
): NewPrebuild {
  return {
    ...at,
    configuration: c.settings.name,
    identity: c.identity,
    workflow: c.settings.workflow,
    timeoutMinutes: c.settings.timeoutMinutes,
    settings: c.settings,
  };
}

/**
 * A manual prebuild of the same configuration and commit as an earlier one ("Re-run"
 * on its check run, the API's and CLI's `rerun`; SPEC.md rule 8). Settings default to
 * the earlier prebuild's.
 */
export function rerunRequest(old: PrebuildRecord, deliveryId: string, settings: PrebuildSettings | null = old.settings): NewPrebuild {
  return {
    owner: old.owner,
    repo: old.repo,
    installationId: old.installationId,
    configuration: old.configuration,
    identity: old.identity,
    branch: old.branch,
    sha: old.sha,
    prNumber: old.prNumber,
    trigger: 'manual',
    workflow: old.workflow,
    timeoutMinutes: old.timeoutMinutes,
    settings,
    deliveryId,
  };
}
