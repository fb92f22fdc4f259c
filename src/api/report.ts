import { RESTORE_HITS, type PrebuildRecord, type RestoreHit, type RestoreRecord } from '../store/types.js';

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
  /** Restores reported by restore mode in the period, by hit kind. */
  restores: Record<RestoreHit, number>;
  /** Time those restores saved against the configuration's cold time, hours (two decimals; a restore slower than cold counts negative). */
  hoursSaved: number;
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
const hours = (ms: number) => Math.round(ms / 36_000) / 100;

/** Restores by hit kind and the hours they saved (`savedMs` as the app computed it when each was reported). */
export function restoreFigures(restores: readonly RestoreRecord[]): Pick<ConfigurationReport, 'restores' | 'hoursSaved'> {
  const counts = Object.fromEntries(RESTORE_HITS.map((h) => [h, 0])) as Record<RestoreHit, number>;
  for (const r of restores) counts[r.hit] += 1;
  return { restores: counts, hoursSaved: hours(restores.reduce((a, r) => a + r.savedMs, 0)) };
}
const SUCCEEDED = new Set(['success', 'expired']);
const FINISHED = new Set(['success', 'expired', 'failure', 'timed_out']);

/**
 * Figures for one configuration.
 * @param inPeriod its prebuilds created in the period
 * @param held its prebuilds in state `success` (snapshots still held), any age
 * @param restores its restores reported in the period
 */
export function configurationReport(
  configuration: string,
  inPeriod: PrebuildRecord[],
  held: PrebuildRecord[],
  restores: readonly RestoreRecord[] = [],
): ConfigurationReport {
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
    ...restoreFigures(restores),
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
      restores: Object.fromEntries(RESTORE_HITS.map((h) => [h, configurations.reduce((a, c) => a + c.restores[h], 0)])) as Record<RestoreHit, number>,
      hoursSaved: Math.round(configurations.reduce((a, c) => a + c.hoursSaved, 0) * 100) / 100,
    },
  };
}

/** One configuration's history over a period, for the page's chart. Times epoch ms, durations ms. */
export interface ConfigurationSeries {
  configuration: string;
  /** Finished prebuilds with a duration, oldest first. */
  prebuilds: Array<{ at: number; durationMs: number; state: string }>;
  /** Reported restores, oldest first, with the time each saved. */
  restores: Array<{ at: number; savedMs: number; hit: RestoreHit }>;
}

/** A configuration's series from its prebuilds and restores of the period (any order). */
export function configurationSeries(configuration: string, prebuilds: PrebuildRecord[], restores: readonly RestoreRecord[]): ConfigurationSeries {
  return {
    configuration,
    prebuilds: prebuilds
      .filter((p) => p.durationMs !== null && FINISHED.has(p.state))
      .map((p) => ({ at: p.endedAt ?? p.createdAt, durationMs: p.durationMs!, state: p.state }))
      .sort((a, b) => a.at - b.at),
    restores: restores.map((r) => ({ at: r.createdAt, savedMs: r.savedMs, hit: r.hit })).sort((a, b) => a.at - b.at),
  };
}
