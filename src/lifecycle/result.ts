/**
 * The result a prebuild run reports back to the app. The action writes it as a
 * notice annotation titled {@link RESULT_ANNOTATION_TITLE} on its job (a `::notice`
 * workflow command); the app reads it with
 * `GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations` when the
 * `workflow_run` completes. A failed run's reason is the job's failure annotation
 * (written by `core.setFailed`).
 */
import { isCachesPartKey } from './caches-part.js';
import { parseTimings, type PhaseTimings } from './timings.js';

export const RESULT_ANNOTATION_TITLE = 'prebuild-result';

/** Shape of the result annotation's message (JSON). Durations in ms, sizes in bytes. */
export interface PrebuildResult {
  prebuildId: string;
  configuration: string;
  sha: string;
  snapshotKey: string;
  /** Size of the saved archive, bytes. */
  snapshotBytes: number;
  /**
   * Key of the package caches part the snapshot goes with (src/lifecycle/caches-part.ts):
   * retention keeps a part while a snapshot kept names it. Absent for none.
   */
  cachesKey?: string;
  /** Whole action step, ms. */
  durationMs: number;
  /** Duration of each lifecycle hook that ran, ms. */
  hooks: Record<string, number>;
  /** Snapshot key of the base restored, or `null` for a build from scratch. */
  base: string | null;
  /** The configuration identity the action computed at this commit. */
  identity: string;
  /** Where the prebuild ran; absent: host mode (results written before container mode). */
  mode?: 'host' | 'container';
  /** Container mode: the prebuilt image, pinned (`repository@sha256:…`). */
  image?: string;
  /**
   * Time breakdown of the step, ms per phase (src/lifecycle/timings.ts: `setup`,
   * `restore`, `merge`, each hook, `save`, `upload`, …); absent in results of
   * actions older than the breakdown.
   */
  timings?: PhaseTimings;
}

/** Serialises a result for the annotation message (64 KiB limit; results are ~1 KiB). */
export function encodeResult(result: PrebuildResult): string {
  return JSON.stringify(result);
}

/**
 * Parses an annotation message written by {@link encodeResult}.
 * @returns the result, or `null` when the message is not a valid result.
 */
export function decodeResult(message: string): PrebuildResult | null {
  try {
    const v = JSON.parse(message) as Partial<PrebuildResult>;
    if (typeof v !== 'object' || v === null) return null;
    if (typeof v.snapshotKey !== 'string' || typeof v.snapshotBytes !== 'number' || typeof v.durationMs !== 'number') return null;
    return {
      prebuildId: String(v.prebuildId ?? ''),
      configuration: String(v.configuration ?? ''),
      sha: String(v.sha ?? ''),
      snapshotKey: v.snapshotKey,
      snapshotBytes: v.snapshotBytes,
      ...(typeof v.cachesKey === 'string' && isCachesPartKey(v.cachesKey) ? { cachesKey: v.cachesKey } : {}),
      durationMs: v.durationMs,
      hooks: typeof v.hooks === 'object' && v.hooks !== null ? v.hooks : {},
      base: typeof v.base === 'string' ? v.base : null,
      identity: String(v.identity ?? ''),
      ...(v.mode === 'container' || v.mode === 'host' ? { mode: v.mode } : {}),
      ...(typeof v.image === 'string' ? { image: v.image } : {}),
      ...(parseTimings(v.timings) ? { timings: parseTimings(v.timings) } : {}),
    };
  } catch {
    return null;
  }
}
