import type { PrebuildSettings, ResolvedConfiguration } from '../config/model.js';
import type { ScheduleOutcome } from '../scheduler/scheduler.js';
import { applyOverrides } from '../store/overrides.js';
import type { LaneState, NewPrebuild, PrebuildRecord, PrebuildTrigger, RepoRef } from '../store/types.js';
import { scheduleFor } from '../triggers/schedule.js';
import { decision, decisionLog, type Decision, type DecisionEvent } from './decisions.js';
import type { PrebuildsDeps } from './deps.js';

/**
 * The one entrance for "prebuild this commit": push, pull request, installation,
 * check-run "Re-run", the schedule ticker, the management API's trigger and rerun, and
 * the simulator all come through {@link requestPrebuilds}. For each configuration it
 * applies the stored overrides (`prebuilds update`), asks the trigger rule, checks
 * "already prebuilt", asks the scheduler and records the decision (SPEC.md rule 10) —
 * so every (event, configuration) pair gets exactly one decision.
 */

/** A configuration offered for a prebuild: resolved at the commit, or taken from an earlier prebuild (rerun). */
export interface Offer {
  configuration: string;
  identity: string;
  /** The file's settings (before overrides); null for a rerun of a prebuild that kept none. */
  settings: PrebuildSettings | null;
  workflow: string;
  timeoutMinutes: number;
}

/** An offer for a configuration resolved at a commit. */
export function offerOf(c: Pick<ResolvedConfiguration, 'settings' | 'identity'>): Offer {
  return {
    configuration: c.settings.name,
    identity: c.identity,
    settings: c.settings,
    workflow: c.settings.workflow,
    timeoutMinutes: c.settings.timeoutMinutes,
  };
}

/** An offer to prebuild again what an earlier prebuild built (SPEC.md rule 8). */
export function offerFrom(p: PrebuildRecord): Offer {
  return { configuration: p.configuration, identity: p.identity, settings: p.settings, workflow: p.workflow, timeoutMinutes: p.timeoutMinutes };
}

/** A trigger rule's answer for one configuration: run (with why) or not (with why). */
export interface Verdict {
  run: boolean;
  reason: string;
  /** Recorded as is instead of `skipped: reason` (e.g. a retried push overtaken by a newer one). */
  decision?: Decision;
  /** `decision` was recorded by an earlier attempt of the same delivery: it is replayed, not recorded again. */
  recorded?: boolean;
  /**
   * The new state of the offer's lane (the request's repository and branch): stored by
   * {@link requestPrebuilds} with the prebuild it creates (one write), or before the
   * decision when none is created. A crash before that write leaves the lane as it was.
   */
  lane?: LaneState;
}

/** The trigger rule of a request, given the offer with overrides applied. */
export type TriggerRule = (offer: Offer & { settings: PrebuildSettings | null }) => Promise<Verdict> | Verdict;

/** One request: a commit of a repository, the configurations offered, and who asks. */
export interface PrebuildRequest {
  /** The event decisions are recorded under. */
  event: DecisionEvent;
  /** X-GitHub-Delivery, or a request id (`api:<uuid>`, `schedule:<…>`): makes the request idempotent. */
  deliveryId: string;
  repo: RepoRef;
  installationId: number;
  sha: string;
  /** The lane's branch (the pushed branch, the PR's head branch). */
  branch: string;
  prNumber: number | null;
  trigger: PrebuildTrigger;
  offers: Offer[];
  /** The trigger rule; absent: every offer runs (a person or a schedule asked). */
  rule?: TriggerRule;
  /** Skip offers with a live or successful prebuild of this commit and identity. Default true. */
  skipPrebuilt?: boolean;
  /** Records each configuration's `schedule` for `branch` (push and installation; a pull request registers its base branch's through {@link registerSchedules}). Default false. */
  registerSchedules?: boolean;
}

/** What happened to one offer. */
export interface RequestOutcome {
  offer: Offer;
  decision: Decision;
  /** The trigger rule's verdict (`run: true` with an empty reason when the request has no rule). */
  verdict: Verdict;
  /** The scheduler's answer when the offer reached it. */
  scheduled: ScheduleOutcome | null;
}

/** Records (or removes) the schedule of one configuration on `target.branch`, from its settings after overrides. */
async function setSchedule(
  store: PrebuildsDeps['store'],
  target: { repo: RepoRef; installationId: number; branch: string },
  configuration: string,
  settings: PrebuildSettings,
): Promise<void> {
  const cron = scheduleFor(settings, target.branch);
  await store.setSchedule(target.repo, configuration, target.branch, cron ? { cron, installationId: target.installationId } : null);
}

/**
 * Records the `schedule` of each configuration resolved at the head of `target.branch`
 * (stored overrides applied), and removes the schedules of those without one. Used when a
 * branch's configuration is resolved without a prebuild request that registers them
 * (a pull request reading its base branch).
 */
export async function registerSchedules(
  store: PrebuildsDeps['store'],
  target: { repo: RepoRef; installationId: number; branch: string },
  configurations: Pick<ResolvedConfiguration, 'settings'>[],
): Promise<void> {
  for (const c of configurations) {
    const settings = applyOverrides(c.settings, await store.getOverrides(target.repo, c.settings.name));
    await setSchedule(store, target, c.settings.name, settings);
  }
}

const LIVE_OR_DONE = ['waiting', 'dispatched', 'running', 'success'] as const;

/**
 * Requests prebuilds of `req.offers` at `req.sha` and records one decision per offer.
 * Callers serialise per repository (the delivery processor's queue).
 * @returns one outcome per offer, in order
 * @throws what the store or the dispatcher throws for transient failures (the delivery is retried)
 */
export async function requestPrebuilds(deps: Pick<PrebuildsDeps, 'store' | 'scheduler'>, req: PrebuildRequest): Promise<RequestOutcome[]> {
  const { store, scheduler } = deps;
  const log = decisionLog(store, { deliveryId: req.deliveryId, ...req.repo, sha: req.sha, event: req.event });
  const out: RequestOutcome[] = [];
  for (const raw of req.offers) {
    const overrides = raw.settings ? await store.getOverrides(req.repo, raw.configuration) : null;
    const settings = raw.settings ? applyOverrides(raw.settings, overrides) : null;
    const offer: Offer = { ...raw, settings };
    if (req.registerSchedules && settings) await setSchedule(store, req, offer.configuration, settings);
    const verdict: Verdict = req.rule ? await req.rule(offer) : { run: true, reason: '' };
    // Stored with the prebuild when one is asked for; otherwise before the decision.
    const storeLane = async () => {
      if (verdict.lane) await store.setLane(req.repo, offer.configuration, req.branch, verdict.lane);
    };
    if (!verdict.run) {
      await storeLane();
      const d = verdict.decision ?? decision.skipped(offer.configuration, verdict.reason);
      if (!(verdict.recorded && verdict.decision)) await log.record(d);
      out.push({ offer, decision: d, verdict, scheduled: null });
      continue;
    }
    if (req.skipPrebuilt ?? true) {
      const [existing] = await store.listPrebuilds({ ...req.repo, configuration: offer.configuration, sha: req.sha, states: [...LIVE_OR_DONE], limit: 1 });
      if (existing && existing.identity === offer.identity && existing.deliveryId !== req.deliveryId) {
        const d = decision.alreadyPrebuilt(offer.configuration, existing);
        await storeLane();
        await log.record(d);
        out.push({ offer, decision: d, verdict, scheduled: null });
        continue;
      }
    }
    // The scheduler records the decision in the write that settles the outcome (one round trip less).
    const decided = (s: ScheduleOutcome) => decision.scheduled(s.prebuild, s.decision, verdict.reason ? `${verdict.reason}; ${s.reason}` : s.reason);
    const scheduled = await scheduler.request(newPrebuild(req, offer), { decide: (s) => log.entry(decided(s)), lane: verdict.lane });
    const d = decided(scheduled);
    if (!scheduled.recorded) await log.record(d);
    out.push({ offer, decision: d, verdict, scheduled });
  }
  return out;
}

function newPrebuild(req: PrebuildRequest, offer: Offer): NewPrebuild {
  return {
    ...req.repo,
    installationId: req.installationId,
    configuration: offer.configuration,
    identity: offer.identity,
    branch: req.branch,
    sha: req.sha,
    prNumber: req.prNumber,
    trigger: req.trigger,
    workflow: offer.workflow,
    timeoutMinutes: offer.settings?.timeoutMinutes ?? offer.timeoutMinutes,
    settings: offer.settings,
    deliveryId: req.deliveryId,
  };
}
