/**
 * The evidence of a run on several replicas (issue 11), from the GitHub stand-in's
 * dispatch log and the database: every push has a decision, no prebuild dispatched
 * twice, runs equal the rule minimum, every lane's newest push ran, nothing
 * acknowledged was lost.
 *
 * The rule minimum is an independent reference model of SPEC.md rules 2/3
 * (test/scheduler/reference-model.ts) fed with each lane's deliveries in the order the
 * app handled them (when the first attempt that got through recorded its decision:
 * deliveries of one repository are handled one at a time), not the order they were acknowledged: a
 * delivery GitHub's failures held back is retried after newer ones. The app's
 * documented rule for that case (src/prebuilds/rules.ts) is modelled too: a push
 * handled after a newer push of its branch is skipped as overtaken. Shared by the load benchmark
 * (bench/replica-load.ts) and the fault tests (test/e2e/replica-faults.test.ts).
 */
import type { Store } from '../src/store/types.js';
import { ReferenceModel } from '../test/scheduler/reference-model.js';
import type { Dispatch } from './standin.js';

/** One acknowledged delivery of a lane (a repository's main branch): a push of `sha`, or the completion of `sha`'s run. */
export interface LaneEntry {
  type: 'push' | 'complete';
  sha: string;
}

/** What {@link replicaEvidence} found. */
export interface ReplicaEvidence {
  /** Acknowledged deliveries never processed or given up, plus runs the rules require that never dispatched. */
  lost: number;
  /** Prebuilds dispatched more than once (same prebuild id or same commit). */
  doubled: number;
  /** Runs dispatched (distinct commits). */
  dispatched: number;
  /** Runs the reference model requires for the deliveries as acknowledged. */
  minimum: number;
  /** Pushes acknowledged. */
  pushes: number;
  /** Pushes whose commit has no recorded decision (rule 10). */
  undecided: number;
  /** Pushes whose delivery recorded more than one decision (rule 10: one per event and configuration), e.g. again when taken over. */
  decidedTwice: number;
  /** Lanes whose newest push never ran. */
  newestMissed: number;
  /** Pushes the rules require that did not run plus runs they do not require. */
  mismatches: number;
}

/**
 * Compares what happened with what the rules require.
 * @param lanes per repository of `owner`, its acknowledged deliveries in order
 * @param dispatches every dispatch the stand-in recorded
 */
export async function replicaEvidence(store: Store, owner: string, lanes: Map<string, LaneEntry[]>, dispatches: Dispatch[]): Promise<ReplicaEvidence> {
  const model = new ReferenceModel();
  for (const [repo, entries] of lanes) {
    const handled = await Promise.all(
      entries.map(async (e, acked) => {
        const event = e.type === 'push' ? 'push' : 'workflow_run';
        // Its own decisions (a `superseded` one is recorded while a newer push is handled). The first is when the
        // delivery took effect on its lane: a decision is recorded only after the scheduler answered, and a later
        // attempt (a replica died before marking the delivery processed) changes nothing on the lane.
        const own = (await store.listDecisions({ owner, repo }, e.sha)).filter((d) => d.event === event && d.decision !== 'superseded');
        return { ...e, acked, at: own[0]?.createdAt ?? Infinity };
      }),
    );
    let newestPush = -1;
    for (const e of handled.sort((a, b) => a.at - b.at || a.acked - b.acked)) {
      if (e.type === 'complete') model.complete(repo, e.sha);
      else if (e.acked > newestPush) {
        newestPush = e.acked;
        model.push(repo, 'devcontainer', e.sha, 'v0');
      }
    }
  }
  const expected = new Set(model.started.map((p) => `${owner}/${p.lane}@${p.sha}`));
  const bySha = new Map<string, number>();
  const byId = new Map<string, number>();
  for (const d of dispatches) {
    bySha.set(`${d.owner}/${d.repo}@${d.sha}`, (bySha.get(`${d.owner}/${d.repo}@${d.sha}`) ?? 0) + 1);
    byId.set(d.prebuildId, (byId.get(d.prebuildId) ?? 0) + 1);
  }
  const doubled = Math.max([...bySha.values()].filter((n) => n > 1).length, [...byId.values()].filter((n) => n > 1).length);
  const missing = [...expected].filter((k) => !bySha.has(k)).length;
  const extra = [...bySha.keys()].filter((k) => !expected.has(k)).length;
  const notProcessed = (await store.pendingDeliveries(100_000)).length;
  let failed = 0;
  let undecided = 0;
  let decidedTwice = 0;
  let pushes = 0;
  let newestMissed = 0;
  for (const [repo, entries] of lanes) {
    failed += (await store.listDeliveries({ repository: `${owner}/${repo}`, states: ['failed'], limit: 100_000 })).length;
    for (const e of entries) {
      if (e.type !== 'push') continue;
      pushes++;
      const decisions = await store.listDecisions({ owner, repo }, e.sha);
      if (decisions.length === 0) undecided++;
      const perDelivery = new Map<string, number>();
      for (const d of decisions) {
        if (d.event !== 'push' || d.decision === 'superseded' || !d.deliveryId) continue;
        const key = `${d.deliveryId} ${d.configuration}`;
        perDelivery.set(key, (perDelivery.get(key) ?? 0) + 1);
      }
      if ([...perDelivery.values()].some((n) => n > 1)) decidedTwice++;
    }
    const last = [...entries].reverse().find((e) => e.type === 'push');
    if (last && !bySha.has(`${owner}/${repo}@${last.sha}`)) newestMissed++;
  }
  return {
    lost: notProcessed + failed + missing,
    doubled,
    dispatched: bySha.size,
    minimum: expected.size,
    pushes,
    undecided,
    decidedTwice,
    newestMissed,
    mismatches: missing + extra,
  };
}
