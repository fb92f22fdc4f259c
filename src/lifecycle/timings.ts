/**
 * The time breakdown of one prebuild or restore (issue 15 item 1): wall-clock ms per
 * phase, in the order the phases first ran. Reported in the action's `timings`
 * output, the job summary, the result the app renders on the check run, and the
 * snapshot benchmark. Node-only, shared by the action and the CLI.
 *
 * Phase names (a phase that did not run is absent):
 * - `setup`: inputs, configuration and mode (the action before anything else);
 * - `restore`: finding the snapshot and extracting it (listing, extract);
 * - `download`: downloading the snapshot (stores that download; not in `restore`);
 * - `merge`: moving the extracted tree into the checkout and deleting what the commit removed;
 * - `restoreCaches`: restoring the package caches part (caches-part.ts; only after a
 *   dependency-file change; its download under `download`);
 * - each lifecycle hook that ran, under its name (`onCreateCommand`, …);
 * - `saveCaches`: saving the package caches part, or finding it already stored
 *   (caches-part.ts; its upload under `upload`);
 * - `save`: archiving the snapshot (secret scan included); `upload`: uploading it
 *   (stores that upload; not in `save`);
 * - `retention`: deleting old snapshots.
 */

/** Wall-clock ms per phase (see the module comment for the names); phases do not overlap. */
export type PhaseTimings = Record<string, number>;

/** Collects {@link PhaseTimings}; a phase measured twice adds up. */
export class PhaseTimer {
  private readonly ms = new Map<string, number>();

  /** Adds `ms` (wall-clock, ≥ 0) to `phase`. */
  add(phase: string, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + Math.max(0, ms));
  }

  /** Runs `fn`, adds its wall time to `phase` (also when it throws) and returns its value. */
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - started);
    }
  }

  /**
   * Like {@link time}, but what `fn` records meanwhile under the `nested` phases (a
   * store's `upload` inside `save`) is not counted twice: it is left out of `phase`.
   */
  async timeOuter<T>(phase: string, nested: readonly string[], fn: () => Promise<T>): Promise<T> {
    const before = nested.reduce((sum, p) => sum + (this.ms.get(p) ?? 0), 0);
    const started = performance.now();
    try {
      return await fn();
    } finally {
      const inner = nested.reduce((sum, p) => sum + (this.ms.get(p) ?? 0), 0) - before;
      this.add(phase, performance.now() - started - inner);
    }
  }

  /** The phases measured so far, whole ms, in first-measured order. */
  toJSON(): PhaseTimings {
    const out: PhaseTimings = {};
    for (const [phase, ms] of this.ms) out[phase] = Math.round(ms);
    return out;
  }
}

/**
 * Validates a timings value read from outside (a result payload): only finite,
 * non-negative numbers under non-empty names are kept (at most 50 phases).
 * @returns the timings, or `undefined` when `value` is not an object
 */
export function parseTimings(value: unknown): PhaseTimings | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: PhaseTimings = {};
  for (const [phase, ms] of Object.entries(value).slice(0, 50)) {
    if (phase !== '' && phase.length <= 64 && typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) out[phase] = Math.round(ms);
  }
  return out;
}

/** One row of a rendered breakdown: phase, ms, and its share of the total (0–100, whole %). */
export interface TimingRow {
  phase: string;
  ms: number;
  pct: number;
}

/**
 * The rows a job summary or check run shows for a breakdown: each phase with its
 * share of `totalMs`, then `other` (the step's time no phase accounts for: starting
 * the action, writing the marker, …) when it is at least 1 ms.
 * @param totalMs the whole step (the result's `durationMs`), ms
 */
export function timingRows(timings: PhaseTimings, totalMs: number): TimingRow[] {
  const share = (ms: number) => (totalMs > 0 ? Math.round((ms / totalMs) * 100) : 0);
  const rows = Object.entries(timings).map(([phase, ms]) => ({ phase, ms, pct: share(ms) }));
  const other = Math.round(totalMs - rows.reduce((sum, r) => sum + r.ms, 0));
  if (other >= 1) rows.push({ phase: 'other', ms: other, pct: share(other) });
  return rows;
}
