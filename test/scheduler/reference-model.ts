/**
 * An independent reference model of SPEC.md rules 2, 3 (and the commit-interval part
 * of rule 4), written from the SPEC text, not from src/scheduler: the property tests
 * and the scheduler benchmark compare the real code with it. No store, no async.
 *
 * - Rule 4: the first push of a lane fires; later ones when their identity differs
 *   from the lane's last fired one, or when the commits counted since the last fire
 *   reach `commitInterval`.
 * - Rule 2: one run at a time per identity in a lane; at most one push waits, a newer
 *   push replaces it (the replaced one is superseded). A push that starts at once also
 *   replaces the waiting one (the branch moved past it).
 * - Rule 3: a push whose identity no active run has starts at once (bypass).
 * - A paused configuration keeps its waiting push until resumed.
 */

/** A push known to the model. */
export interface RefPush {
  lane: string;
  sha: string;
  identity: string;
}

interface LaneModel {
  configuration: string;
  active: RefPush[];
  waiting: RefPush | null;
  commits: number;
  lastIdentity: string | null;
}

/** What {@link ReferenceModel.push} decided. */
export type RefDecision = 'started' | 'queued' | 'skipped';

/** The model. Lanes are named by the caller (e.g. `configuration/branch`). */
export class ReferenceModel {
  /** Pushes started, in order. */
  readonly started: RefPush[] = [];
  /** Pushes superseded, in order. */
  readonly superseded: RefPush[] = [];
  private readonly lanes = new Map<string, LaneModel>();
  private readonly paused = new Set<string>();

  /** @param onStart called for every start (to schedule its completion) */
  constructor(private readonly onStart: (p: RefPush) => void = () => {}) {}

  /** A push reaches a lane of `configuration` with `commits` commits (rule 4 decides, then rules 2/3). */
  push(lane: string, configuration: string, sha: string, identity: string, commits = 1, commitInterval = 1): RefDecision {
    const l = this.lane(lane, configuration);
    const counted = l.commits + Math.max(commits, 1);
    const fires = l.lastIdentity === null || l.lastIdentity !== identity || counted >= commitInterval;
    if (!fires) {
      l.commits = counted;
      return 'skipped';
    }
    l.commits = 0;
    l.lastIdentity = identity;
    const p: RefPush = { lane, sha, identity };
    if (l.waiting) this.superseded.push(l.waiting);
    l.waiting = null;
    if (this.paused.has(configuration) || l.active.some((a) => a.identity === identity)) {
      l.waiting = p;
      return 'queued';
    }
    this.start(l, p);
    return 'started';
  }

  /** The run of `sha` in `lane` ended (any conclusion); the waiting push may start. */
  complete(lane: string, sha: string): void {
    const l = this.lanes.get(lane);
    if (!l) return;
    l.active = l.active.filter((a) => a.sha !== sha);
    this.advance(l);
  }

  pause(configuration: string): void {
    this.paused.add(configuration);
  }

  resume(configuration: string): void {
    this.paused.delete(configuration);
    for (const l of this.lanes.values()) if (l.configuration === configuration) this.advance(l);
  }

  /** Runs in progress in a lane. */
  active(lane: string): RefPush[] {
    return [...(this.lanes.get(lane)?.active ?? [])];
  }

  private lane(name: string, configuration: string): LaneModel {
    let l = this.lanes.get(name);
    if (!l) this.lanes.set(name, (l = { configuration, active: [], waiting: null, commits: 0, lastIdentity: null }));
    return l;
  }

  private advance(l: LaneModel): void {
    const w = l.waiting;
    if (!w || this.paused.has(l.configuration) || l.active.some((a) => a.identity === w.identity)) return;
    l.waiting = null;
    this.start(l, w);
  }

  private start(l: LaneModel, p: RefPush): void {
    l.active.push(p);
    this.started.push(p);
    this.onStart(p);
  }
}
