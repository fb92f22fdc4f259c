import type { RunOutcome } from '../github/actions.js';
import { snapshotKey } from '../lifecycle/snapshot-key.js';
import type { Octokit } from '../github/octokit.js';
import { reportEnd } from '../github/report.js';
import { notifyOutcome } from './notify.js';
import { laneOf, type Lane } from '../scheduler/scheduler.js';
import type { PrebuildRecord } from '../store/types.js';
import { decision, decisionLog, type DecisionContext } from './decisions.js';
import type { PrebuildsDeps } from './deps.js';
import { deleteSnapshotEverywhere, sweepCachesParts } from './snapshots.js';

/**
 * The one exit: "a prebuild ended". Whatever ended it (its workflow run completed, the
 * reconciler timed it out, a person cancelled it, its branch or PR went away), the same
 * steps follow in the same order: record the decision, let the lane move on (no GitHub
 * call, so a failing report cannot hold the queue), tell GitHub (check run) and the
 * `notify` people (issue), and after anything but a success delete the snapshot its run
 * may have saved (SPEC.md rules 6, 9, 10). Retention (rule 7) is applied when the
 * configuration's next prebuild is dispatched: its run deletes the expired snapshots
 * (src/scheduler/retention.ts `expireAtDispatch`).
 */

/**
 * After a prebuild's state became final in the store: decision, lane, report, unusable snapshot deleted.
 * A failing report is left to the reconciler's sweep (`reportedState` behind `state`).
 * @param octokit an installation Octokit (one is made when absent)
 * @returns the prebuild, as reported
 */
export async function prebuildEnded(
  deps: PrebuildsDeps,
  done: PrebuildRecord,
  context: Pick<DecisionContext, 'deliveryId' | 'event'>,
  options: { octokit?: Octokit; outcome?: RunOutcome } = {},
): Promise<PrebuildRecord> {
  await decisionLog(deps.store, { ...context, owner: done.owner, repo: done.repo, sha: done.sha }).record(decision.ended(done));
  await deps.scheduler.advance(laneOf(done));
  let octokit = options.octokit;
  try {
    octokit ??= await deps.octokitFor(done.installationId);
  } catch (err) {
    deps.log.warn({ err, prebuild: done.id }, 'no installation client to report the end of a prebuild; the reconciler will');
    return done;
  }
  const reported = await reportEnded(deps, octokit, done, options.outcome).catch((err) => {
    deps.log.warn({ err, prebuild: done.id }, 'could not report the end of a prebuild; the reconciler will');
    return done;
  });
  await discardSnapshot(deps, done, octokit);
  return reported;
}

/** Ends whose run may have saved a snapshot that must never be restored (SPEC.md rule 6). */
const UNUSABLE: readonly PrebuildRecord['state'][] = ['failure', 'cancelled', 'timed_out'];

/**
 * A run that the app ends as anything but success may still have saved its snapshot
 * (the save step ran, a later step failed, or the app timed it out): it is deleted from
 * the Actions cache and every directory store the app reaches, so no restore finds it.
 * Stores the app cannot reach are kept safe by the action itself: it restores only
 * snapshots whose marker says the whole prebuild succeeded. No-op for prebuilds
 * that succeeded or never ran. Never throws (a failure is logged).
 */
export async function discardSnapshot(deps: PrebuildsDeps, p: PrebuildRecord, octokit?: Octokit): Promise<void> {
  if (!UNUSABLE.includes(p.state) || p.dispatchedAt === null) return;
  try {
    octokit ??= await deps.octokitFor(p.installationId);
    const stores = { octokit, repo: { owner: p.owner, repo: p.repo }, dirs: deps.dirStores ?? [] };
    await deleteSnapshotEverywhere(stores, p.snapshotKey ?? snapshotKey(p.configuration, p.sha, p.id));
    // What retention handed to this run to delete: the run may have stopped before it did.
    for (const key of p.expireKeys ?? []) await deleteSnapshotEverywhere(stores, key);
    // The caches part its run may have saved first, unless a successful snapshot names it.
    await sweepCachesParts(stores, deps.store, p.configuration);
  } catch (err) {
    deps.log.warn({ err, prebuild: p.id }, 'could not delete the snapshot of a prebuild that did not succeed');
  }
}

/**
 * Tells GitHub (check run) and the `notify` people (issue) that a prebuild ended, then
 * records it as reported. A crash before the record leaves it unreported, and the
 * reconciler's sweep reports it again (`retry`: the check run is looked up by the
 * prebuild id first, so a report is never made twice).
 * @throws Octokit's RequestError
 */
export async function reportEnded(deps: PrebuildsDeps, octokit: Octokit, p: PrebuildRecord, outcome?: RunOutcome, retry = false): Promise<PrebuildRecord> {
  const checkRunId = await reportEnd(octokit, p, outcome, { findExisting: retry });
  await notifyOutcome(octokit, { owner: p.owner, repo: p.repo }, p, deps.log);
  return deps.store.updatePrebuild(p.id, { checkRunId, reportedState: p.state });
}

/**
 * Cancels open prebuilds (waiting ones, and running ones with their workflow run) and
 * records a `cancelled` decision for each, at its own commit; the lanes move on.
 * @returns the prebuilds cancelled
 */
export async function cancelPrebuilds(deps: PrebuildsDeps, context: DecisionContext, prebuilds: PrebuildRecord[], reason: string): Promise<PrebuildRecord[]> {
  const decisions = decisionLog(deps.store, context);
  const out: PrebuildRecord[] = [];
  for (const p of prebuilds) {
    const cancelled = await deps.scheduler.cancelOne(p, reason);
    await decisions.record(decision.ended(cancelled, 'cancelled', reason), p.sha);
    await discardSnapshot(deps, cancelled);
    out.push(cancelled);
  }
  return out;
}

/** A deleted branch cancels its waiting and running prebuilds (SPEC.md rule 11). */
export async function endBranch(deps: PrebuildsDeps, context: DecisionContext, branch: string): Promise<void> {
  const open = await deps.store.listPrebuilds({ owner: context.owner, repo: context.repo, branch, states: ['waiting', 'dispatched', 'running'] });
  const lanes = new Map<string, Lane>(open.map((p) => [p.configuration, laneOf(p)]));
  const reason = `branch ${branch} was deleted`;
  for (const lane of lanes.values()) {
    const victims = await deps.scheduler.cancel(lane, reason);
    const decisions = decisionLog(deps.store, context);
    for (const p of victims) {
      await decisions.record(decision.ended(p, 'cancelled', reason), p.sha);
      await discardSnapshot(deps, p);
    }
  }
  if (lanes.size === 0) await decisionLog(deps.store, context).record(decision.nothingToCancel(branch));
}

/** A closed pull request cancels its waiting prebuild (its running one finishes: the commit may be merged). */
export async function cancelPullRequest(deps: PrebuildsDeps, context: DecisionContext, headBranch: string, number: number): Promise<void> {
  const waiting = await deps.store.listPrebuilds({ owner: context.owner, repo: context.repo, branch: headBranch, states: ['waiting'] });
  const mine = waiting.filter((w) => w.prNumber === number);
  if (mine.length === 0) {
    await decisionLog(deps.store, context).record(decision.skipped('*', `pull request #${number} closed; nothing waiting to cancel`));
    return;
  }
  await cancelPrebuilds(deps, context, mine, `pull request #${number} was closed`);
}
