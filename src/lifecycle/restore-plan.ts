/**
 * Restore planning (SPEC.md "The flow": the action in `restore` mode, and
 * `prebuilds restore`), pure: which snapshot to use for a commit, which lifecycle
 * hooks still have to run on top of it, and how much time the prebuild saved.
 *
 * - Candidates: the commit itself (`exact`), else the nearest ancestor within
 *   `ancestorDepth` (`ancestor`) whose snapshot has the same configuration identity
 *   (SPEC.md rule 5, seeds 003/004). Only successful prebuilds are saved, and the
 *   restored marker must say so (`outcome: success`) before anything is merged.
 * - Hooks (Codespaces: a prebuilt codespace runs postCreateCommand on creation):
 *   `exact` runs postCreateCommand; `ancestor` re-runs updateContentCommand on the
 *   new sources, then postCreateCommand; `none` runs the full lifecycle
 *   (onCreate, updateContent, postCreate), so a job using restore is always
 *   correct, only slower. postStart/postAttach never run: a CI step neither starts
 *   nor attaches to an environment (and Gitpod's `command`, mapped to
 *   postStartCommand, is usually a long-running server).
 */
import type { LifecycleCommand, LifecycleHook } from '../config/model.js';
import { unsuccessfulMarker, type PrebuildMarker } from './marker.js';
import type { PrebuildHook } from './plan.js';
import type { SnapshotListing } from './snapshot/store.js';

/** How a restore found its prebuild: at the commit, at an ancestor, or not at all. */
export type PrebuildHit = 'exact' | 'ancestor' | 'none';

/** The hooks a restore may run, in order. */
export const RESTORE_HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const satisfies readonly LifecycleHook[];

/** One of {@link RESTORE_HOOKS}. */
export type RestoreHook = (typeof RESTORE_HOOKS)[number];

/** A snapshot that may be restored, with its distance from the commit (0 = the commit itself). */
export interface RestoreCandidate extends SnapshotListing {
  distance: number;
}

/** Candidates in the order to try them, and listed snapshots ruled out with the reason. */
export interface RankedCandidates {
  candidates: RestoreCandidate[];
  /** Snapshots of an ancestor ruled out before restoring (identity known and different). */
  skipped: Array<{ key: string; reason: string }>;
  /** Listed snapshots whose commit is not among the searched commits (other branches, too old, beyond a shallow clone). */
  unrelated: number;
}

/**
 * Orders the listed snapshots for a restore: nearest commit first (the commit
 * itself, then its ancestors in `git rev-list` order), newest snapshot first for the
 * same commit. Snapshots of other commits are left out; a snapshot whose identity is
 * known and differs from `identity` is skipped (its identity is verified again from
 * the marker after restoring, for stores that do not know it beforehand).
 * @param ancestors the commit and its ancestors, newest first (`rev-list` order), at most ancestorDepth + 1
 * @param identity the configuration identity at the commit
 */
export function rankCandidates(listings: readonly SnapshotListing[], ancestors: readonly string[], identity: string): RankedCandidates {
  const distance = new Map<string, number>();
  ancestors.forEach((sha, i) => {
    if (!distance.has(sha)) distance.set(sha, i);
  });
  const candidates: RestoreCandidate[] = [];
  const skipped: RankedCandidates['skipped'] = [];
  let unrelated = 0;
  for (const l of listings) {
    const d = distance.get(l.sha);
    if (d === undefined) {
      unrelated++;
      continue;
    }
    if (l.identity !== null && l.identity !== identity) {
      skipped.push({ key: l.key, reason: `built for configuration identity ${l.identity.slice(0, 12)}, the commit has ${identity.slice(0, 12)}` });
      continue;
    }
    candidates.push({ ...l, distance: d });
  }
  candidates.sort((a, b) => a.distance - b.distance || b.createdAt.localeCompare(a.createdAt) || a.key.localeCompare(b.key));
  return { candidates, skipped, unrelated };
}

/**
 * Why a restored snapshot cannot be used, checked against its marker before it is
 * merged into the workspace.
 * @returns `null` when the marker shows a successful prebuild of `sha` with `identity`, else the reason
 */
export function markerMismatch(marker: PrebuildMarker | null, expected: { sha: string; identity: string }): string | null {
  const unsuccessful = unsuccessfulMarker(marker);
  if (unsuccessful || !marker) return unsuccessful;
  if (marker.identity !== expected.identity) {
    return `it was built for configuration identity ${marker.identity.slice(0, 12)}, the commit has ${expected.identity.slice(0, 12)}`;
  }
  if (marker.sha !== expected.sha) return `its marker is for commit ${marker.sha.slice(0, 12)}, not ${expected.sha.slice(0, 12)}`;
  return null;
}

/** A hook of a restore: run it, or skip it with a human-readable reason. */
export type PlannedRestoreHook =
  { hook: RestoreHook; action: 'run'; command: LifecycleCommand; note?: string } | { hook: RestoreHook; action: 'skip'; reason: string };

/**
 * Plans the hooks after a restore (see the module comment).
 * @param lifecycle the environment's normalised lifecycle commands
 * @param hit how the prebuild was found; `distance` is the number of commits it is behind (ancestor);
 *   `changedDependencyFiles` the root dependency files that differ from when its onCreateCommand ran
 *   (they make onCreateCommand run again, so an ancestor's stale dependencies are reinstalled)
 */
export function planRestore(
  lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>>,
  hit: { kind: PrebuildHit; distance?: number; changedDependencyFiles?: string[] },
): PlannedRestoreHook[] {
  return RESTORE_HOOKS.map((hook): PlannedRestoreHook => {
    const command = lifecycle[hook];
    if (!command) return { hook, action: 'skip', reason: 'not configured' };
    if (hit.kind === 'none' || hook === 'postCreateCommand') {
      return hit.kind === 'none' && hook !== 'postCreateCommand'
        ? { hook, action: 'run', command, note: 'no prebuild: full lifecycle' }
        : { hook, action: 'run', command };
    }
    if (hook === 'onCreateCommand') {
      const changed = hit.changedDependencyFiles ?? [];
      if (changed.length > 0) return { hook, action: 'run', command, note: `dependency files changed since the prebuild ran it: ${changed.join(', ')}` };
      return { hook, action: 'skip', reason: 'ran in the prebuild' };
    }
    if (hit.kind === 'exact') return { hook, action: 'skip', reason: 'ran in the prebuild at this commit' };
    const behind = hit.distance ?? 0;
    return { hook, action: 'run', command, note: `the prebuild is ${behind} commit${behind === 1 ? '' : 's'} behind: updating it` };
  });
}

/** Time a restore saved. All values ms. */
export interface TimeSaved {
  /** What the prebuild's onCreateCommand + updateContentCommand took when they last ran in its lineage (marker). */
  prebuiltMs: number;
  /** What the restore spent instead: finding and restoring the snapshot, plus the prebuild hooks it re-ran. */
  spentMs: number;
  /** `prebuiltMs - spentMs`; negative when restoring was slower than the hooks it replaced. */
  savedMs: number;
}

/**
 * Estimates the time a restore saved against the hook durations recorded in the
 * snapshot's marker when it was built (postCreateCommand runs either way, so it does
 * not count). `null` without a marker or without recorded durations.
 * @param ranMs durations of the hooks the restore ran, ms
 */
export function timeSaved(marker: PrebuildMarker | null, restoreMs: number, ranMs: Partial<Record<LifecycleHook, number>>): TimeSaved | null {
  if (!marker) return null;
  const hooks: PrebuildHook[] = ['onCreateCommand', 'updateContentCommand'];
  const recorded = hooks.map((h) => marker.hooks[h]?.durationMs).filter((d): d is number => typeof d === 'number');
  if (recorded.length === 0) return null;
  const prebuiltMs = recorded.reduce((a, b) => a + b, 0);
  const spentMs = Math.round(restoreMs + hooks.reduce((sum, h) => sum + (ranMs[h] ?? 0), 0));
  return { prebuiltMs, spentMs, savedMs: prebuiltMs - spentMs };
}

/**
 * The log line for a shallow clone that cannot reach `wanted` commits, or `null`
 * when the history is deep enough (or the repository is not shallow).
 * @param available commits `rev-list` returned; @param wanted ancestorDepth + 1
 */
export function shallowNote(shallow: boolean, available: number, wanted: number): string | null {
  if (!shallow || available >= wanted) return null;
  return (
    `The checkout is shallow (${available} of the ${wanted} commits to search): only prebuilds of ` +
    `${available === 1 ? 'this exact commit' : `these ${available} commits`} can be found. For ancestor hits check out with ` +
    `fetch-depth: 0 (or at least ${wanted}) in actions/checkout.`
  );
}
