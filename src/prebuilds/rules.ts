import type { RepoRef, Store } from '../store/types.js';
import { decidePullRequest, type PullRequestFacts } from '../triggers/pull-request.js';
import { branchMatches, decidePush } from '../triggers/push.js';
import { decision, type Decision, type DecisionKind } from './decisions.js';
import type { TriggerRule } from './request.js';

/**
 * The trigger rules of each event as {@link TriggerRule}s: the pure decisions of
 * `src/triggers/` plus the lane state they read and write (SPEC.md rule 4).
 */

/** What a push brings: its branch, inbox sequence, commit count and changed files. */
export interface PushFacts {
  repo: RepoRef;
  branch: string;
  /** The delivery's inbox sequence (0 when not from the inbox): retries and late older pushes are recognised by it. */
  seq: number;
  commitCount: number;
  /** Files the pushed commits add, modify or remove; null when unknown. */
  changedFiles: string[] | null;
  /** The delivery (X-GitHub-Delivery) and pushed commit: a retried push finds the decision an earlier attempt recorded. */
  deliveryId?: string;
  sha?: string;
}

/**
 * The decision an earlier attempt of this delivery recorded for `configuration` (its
 * first, `superseded` aside), or null. A delivery taken over from a replica that died
 * after deciding it (its lease ran out before it was marked processed) finds it here.
 */
async function decidedBefore(store: Pick<Store, 'listDecisions'>, push: PushFacts, configuration: string): Promise<Decision | null> {
  if (!push.deliveryId || !push.sha) return null;
  const own = (await store.listDecisions(push.repo, push.sha)).filter(
    (d) => d.deliveryId === push.deliveryId && d.event === 'push' && d.configuration === configuration && d.decision !== 'superseded',
  );
  const first = own[0];
  return first ? { configuration, kind: first.decision as DecisionKind, reason: first.reason, prebuildId: first.prebuildId } : null;
}

/**
 * The push rule: branch globs, `commitInterval`, `triggerFiles`, identity change
 * (`decidePush`), with the lane's counters read from the store; the verdict carries the
 * lane's new state, stored with the prebuild requested (or before the decision when none
 * is: `requestPrebuilds`). A retried push replays
 * its recorded verdict (never counts its commits twice); an older push retried after a
 * newer one of the branch is skipped. A push an earlier attempt already decided (the
 * replica died before marking it processed) keeps that decision: nothing is recorded
 * again (SPEC.md rule 10, one decision per event and configuration) and nothing is
 * requested again (its decision is recorded after the scheduler's answer).
 */
export function pushRule(store: Pick<Store, 'getLane' | 'listDecisions'>, push: PushFacts): TriggerRule {
  return async (offer) => {
    const name = offer.configuration;
    const lane = await store.getLane(push.repo, name, push.branch);
    if (push.seq > 0 && (lane.lastSeq ?? 0) >= push.seq) {
      const recorded = await decidedBefore(store, push, name);
      if (recorded) return { run: false, reason: 'decided by an earlier attempt of this delivery', decision: recorded, recorded: true };
    }
    if (push.seq > 0 && (lane.lastSeq ?? 0) > push.seq) return { run: false, reason: '', decision: decision.overtaken(name) };
    if (push.seq > 0 && lane.lastSeq === push.seq) return { run: !!lane.lastRun, reason: 'retry of this push' };
    if (!offer.settings) return { run: false, reason: 'no settings' };
    const d = decidePush(offer.settings, lane, {
      branch: push.branch,
      commitCount: push.commitCount,
      changedFiles: push.changedFiles,
      identity: offer.identity,
    });
    // The lane's new state is stored with the prebuild requested, or before the decision (requestPrebuilds).
    return { run: d.run, reason: d.reason, lane: { ...d.lane, lastSeq: push.seq, lastRun: d.run } };
  };
}

/**
 * The pull-request rule (`decidePullRequest`); a fork's refusal is also reported on the
 * commit through `onFork` (a neutral check run), so the PR shows why nothing ran.
 */
export function pullRequestRule(
  pr: PullRequestFacts & { number: number; action: string },
  onFork: (configuration: string, reason: string) => Promise<void>,
): TriggerRule {
  return async (offer) => {
    if (!offer.settings) return { run: false, reason: 'no settings' };
    const v = decidePullRequest(offer.settings, pr);
    if (v.fork) await onFork(offer.configuration, v.reason);
    return v.run ? { run: true, reason: `pull request #${pr.number} ${pr.action}` } : { run: false, reason: v.reason };
  };
}

/**
 * The installation rule: the default branch's head is prebuilt for configurations whose
 * `branches` match it; the lane starts there, so the next push counts from this prebuild.
 */
export function installationRule(defaultBranch: string, seq: number): TriggerRule {
  return (offer) => {
    if (!offer.settings || !branchMatches(offer.settings, defaultBranch)) {
      return { run: false, reason: `branch-unmatched: default branch ${defaultBranch} is not in ${offer.settings?.branches.join(', ') ?? 'its branches'}` };
    }
    return {
      run: true,
      reason: 'installed: first prebuild of the default branch',
      lane: { commitsSinceTrigger: 0, lastIdentity: offer.identity, lastSeq: seq, lastRun: true },
    };
  };
}
