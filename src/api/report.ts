import type { PrebuildRecord } from '../store/types.js';

/**
 * The value report (`prebuilds report`, `GET /api/repos/{owner}/{repo}/report`):
 * what prebuilds cost and saved per configuration over a period. Pure.
 */

/** One configuration's figures. Minutes are Actions minutes (run durations), sizes bytes. */
export interface ConfigurationReport {
  configuration: string;
  /** Prebuilds that ran a workflow (dispatched) in the period. */
  runs: number;
  /** Sum of run durations, minutes (one decimal). */
  minutesSpent: number;
  /** Prebuilds collapsed while waiting (`superseded`): runs avoided. */
  runsAvoided: number;
  /** runsAvoided × the median duration, minutes (one decimal). */
  minutesSaved: number;
  /** Successful runs / finished runs (success, failure, timed out), 0–1; null when none finished. */
  successRate: number | null;
  medianDurationMs: number | null;
  medianSnapshotBytes: number | null;
  /** Sum of sizes of the successful snapshots still held (not expired), whatever their age. */
  storageBytes: number;
}

/** The whole report. */
export interface ValueReport {
  repository: string;
  period: string;
  since: string;
  until: string;
  configurations: ConfigurationReport[];
  totals: Omit<ConfigurationReport, 'configuration' | 'successRate' | 'medianDurationMs' | 'medianSnapshotBytes'>;
}

/** The median of some numbers (mean of the two middle ones for an even count), or null. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const minutes = (ms: number) => Math.round(ms / 6000) / 10;
const SUCCEEDED = new Set(['success', 'expired']);
const FINISHED = new Set(['success', 'expired', 'failure', 'timed_out']);

/**
 * Figures for one configuration.
 * @param inPeriod its prebuilds created in the period
 * @param held its prebuilds in state `success` (snapshots still held), any age
 */
export function configurationReport(configuration: string, inPeriod: PrebuildRecord[], held: PrebuildRecord[]): ConfigurationReport {
  const ran = inPeriod.filter((p) => p.dispatchedAt !== null || p.workflowRunId !== null);
  const durations = ran.map((p) => p.durationMs).filter((d): d is number => d !== null);
  const successDurations = ran
    .filter((p) => SUCCEEDED.has(p.state))
    .map((p) => p.durationMs)
    .filter((d): d is number => d !== null);
  const finished = ran.filter((p) => FINISHED.has(p.state));
  const med = median(successDurations.length ? successDurations : durations);
  const runsAvoided = inPeriod.filter((p) => p.state === 'superseded').length;
  const sizes = ran.filter((p) => SUCCEEDED.has(p.state) && p.snapshotBytes !== null).map((p) => p.snapshotBytes!);
  return {
    configuration,
    runs: ran.length,
    minutesSpent: minutes(durations.reduce((a, b) => a + b, 0)),
    runsAvoided,
    minutesSaved: minutes(runsAvoided * (med ?? 0)),
    successRate: finished.length ? Math.round((finished.filter((p) => SUCCEEDED.has(p.state)).length / finished.length) * 1000) / 1000 : null,
    medianDurationMs: med,
    medianSnapshotBytes: median(sizes),
    storageBytes: held.filter((p) => p.state === 'success').reduce((a, p) => a + (p.snapshotBytes ?? 0), 0),
  };
}

/** Sums the per-configuration figures into the report. */
export function buildReport(repository: string, period: { label: string; ms: number }, now: number, configurations: ConfigurationReport[]): ValueReport {
  const sum = (k: 'runs' | 'minutesSpent' | 'runsAvoided' | 'minutesSaved' | 'storageBytes') =>
    Math.round(configurations.reduce((a, c) => a + c[k], 0) * 10) / 10;
  return {
    repository,
    period: period.label,
    since: new Date(now - period.ms).toISOString(),
    until: new Date(now).toISOString(),
    configurations,
    totals: {
      runs: sum('runs'),
      minutesSpent: sum('minutesSpent'),
      runsAvoided: sum('runsAvoided'),
      minutesSaved: sum('minutesSaved'),
      storageBytes: sum('storageBytes'),
    },
  };
}
