/**
 * The JSON `prebuilds simulate` prints: every prebuild with its simulated times,
 * totals and an Actions-minutes estimate. Pure.
 */
import type { PrebuildRecord, PrebuildState } from '../store/types.js';

/** One prebuild the simulation created. Times are simulated seconds; null when it never started or ended. */
export interface SimulatedPrebuild {
  id: number;
  sha: string;
  configuration: string;
  branch: string;
  /** Why the trigger fired (`every push`, `configuration changed`, `interval 3/3`, `trigger file x changed` …). */
  trigger: string;
  /** Final state: `success`, `failure`, `superseded`, or `waiting`/`dispatched` when the timeline left it unfinished. */
  state: PrebuildState;
  /** The scheduler's reason (superseded by …, bypass …), or null. */
  reason: string | null;
  /** When its push arrived. */
  pushedAt: number;
  /** When its run was dispatched. */
  startedAt: number | null;
  /** When its run completed, or when it was superseded. */
  endedAt: number | null;
}

/** One (push, configuration) decision (SPEC.md rule 10). */
export interface SimulatedDecision {
  at: number;
  sha: string;
  configuration: string;
  /** `started`, `queued`, `skipped`, `failed`. */
  decision: string;
  reason: string;
}

/** Counts over the whole timeline. */
export interface SimulationTotals {
  /** Runs dispatched. */
  runs: number;
  /** Prebuilds replaced while waiting (rule 2). */
  superseded: number;
  /** Runs started at once beside a running one because the identity changed (rule 3). */
  bypassed: number;
  /** (push, configuration) pairs the triggers skipped (rule 4: branch, interval, trigger mode …). */
  skipped: number;
  /** Pushes ignored because their delivery id had been seen (rule 9). */
  redeliveries: number;
}

/** Actions minutes, from the simulated run durations. */
export interface SimulationEstimate {
  /** Sum of the runs' durations, minutes (a run the timeline leaves unfinished counts until the end). */
  actionsMinutes: number;
  /** Superseded prebuilds × the mean run duration: what running every push would have cost more. */
  minutesSavedByCollapsing: number;
}

/** What {@link simulate} returns and the CLI prints. */
export interface SimulationReport {
  prebuilds: SimulatedPrebuild[];
  totals: SimulationTotals;
  estimate: SimulationEstimate;
  decisions: SimulatedDecision[];
  /** Events that could not apply (a `complete` for a sha with no run in progress …). */
  warnings: string[];
}

/** What the simulator noted about one prebuild beyond the store record (simulated times). */
export interface PrebuildTimes {
  trigger: string;
  pushedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Builds the report.
 * @param records every prebuild of the simulation, any order
 * @param times simulated times by prebuild id
 * @param endClock the simulated time the timeline ended at, seconds
 * @param defaultDurationSeconds run duration used for the saving when no run finished
 */
export function buildReport(
  records: PrebuildRecord[],
  times: Map<number, PrebuildTimes>,
  counts: Omit<SimulationTotals, 'runs' | 'superseded'>,
  decisions: SimulatedDecision[],
  warnings: string[],
  endClock: number,
  defaultDurationSeconds: number,
): SimulationReport {
  const prebuilds = [...records]
    .sort((a, b) => a.id - b.id)
    .map((p): SimulatedPrebuild => {
      const t = times.get(p.id) ?? { trigger: p.trigger, pushedAt: 0, startedAt: null, endedAt: null };
      return { id: p.id, sha: p.sha, configuration: p.configuration, branch: p.branch, trigger: t.trigger, state: p.state, reason: p.reason, ...pick(t) };
    });
  const runs = prebuilds.filter((p) => p.startedAt !== null);
  const finished = runs.filter((p) => p.endedAt !== null);
  const seconds = runs.reduce((sum, p) => sum + ((p.endedAt ?? endClock) - p.startedAt!), 0);
  const mean = finished.length ? finished.reduce((s, p) => s + (p.endedAt! - p.startedAt!), 0) / finished.length : defaultDurationSeconds;
  const superseded = prebuilds.filter((p) => p.state === 'superseded').length;
  return {
    prebuilds,
    totals: { runs: runs.length, superseded, ...counts },
    estimate: { actionsMinutes: round(seconds / 60), minutesSavedByCollapsing: round((superseded * mean) / 60) },
    decisions,
    warnings,
  };
}

function pick(t: PrebuildTimes): Pick<SimulatedPrebuild, 'pushedAt' | 'startedAt' | 'endedAt'> {
  return { pushedAt: t.pushedAt, startedAt: t.startedAt, endedAt: t.endedAt };
}
