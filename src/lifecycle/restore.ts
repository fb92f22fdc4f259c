/**
 * Restore, end to end and independent of @actions/* (collaborators are arguments):
 * find the best prebuild for a commit (restore-plan.ts), restore it into the
 * checkout without losing what git ignores (incremental.ts: what the checkout lacks
 * moves in, its sources and `.git` stay, files deleted since are removed), then run
 * the remaining lifecycle hooks. Shared by the action (`mode: restore`) and the CLI
 * (`prebuilds restore`). The snapshot's package caches (caches.ts; a part of their
 * own, caches-part.ts) are restored only when a dependency file changed since the
 * prebuild (the install re-runs and reads them); otherwise the hooks use the user's
 * own caches. Snapshots that hold their caches inside leave them out the same way.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfiguration } from '../config/model.js';
import { substituteCommand } from '../config/substitute.js';
import { ancestors, isShallow } from './git.js';
import { restoreBase } from './incremental.js';
import type { PrebuildMarker } from './marker.js';
import { snapshotPaths } from './plan.js';
import { CACHES_DIR, logCaches } from './caches.js';
import { restoreCachesPart } from './caches-part.js';
import { changedDependencyFiles, dependencyFilesChangedSince, hashDependencyFiles } from './dependency-files.js';
import {
  markerMismatch,
  planRestore,
  rankCandidates,
  shallowNote,
  timeSaved,
  type PlannedRestoreHook,
  type PrebuildHit,
  type TimeSaved,
} from './restore-plan.js';
import { hookEnvironment, runHook, type HookRun, type LifecycleLog } from './run-hooks.js';
import { snapshotKeyPrefix } from './snapshot-key.js';
import { PhaseTimer, type PhaseTimings } from './timings.js';
import type { SnapshotCatalog, SnapshotStore } from './snapshot/store.js';

/** Default number of candidates restored before giving up (each may be a download). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Everything one restore needs. */
export interface RestoreRequest {
  /** Absolute path of the checkout (at `sha`). */
  workspace: string;
  configuration: ResolvedConfiguration;
  /** Full sha of the commit the workspace is for. */
  sha: string;
  /** Restores entries (exact keys). */
  store: SnapshotStore;
  /** Lists entries by key prefix (the same store, or the REST API for the Actions cache). */
  catalog: SnapshotCatalog;
  log: LifecycleLog;
  /** Environment the hooks get (plus containerEnv and remoteEnv). */
  env: NodeJS.ProcessEnv;
  /** How many candidates to restore at most before falling back to none (default {@link DEFAULT_MAX_ATTEMPTS}). */
  maxAttempts?: number;
  /** Step start, `performance.now()` ms (default: when called). */
  startedAt?: number;
  /** Collects the time breakdown (the caller may have recorded `setup` already); default a new one. */
  timer?: PhaseTimer;
  /**
   * Leave the package caches (caches.ts) out of the restore when no dependency file
   * changed since the prebuild (no install re-runs, so nothing reads them): less to
   * write. {@link restoreWorkspace} sets it; container mode keeps everything.
   */
  skipUnneededCaches?: boolean;
}

/** What a restore did. Durations ms. */
export interface RestoreOutcome {
  hit: PrebuildHit;
  /** Key of the restored snapshot, `null` for `none`. */
  snapshotKey: string | null;
  /** Commit of the restored prebuild, `null` for `none`. */
  prebuildSha: string | null;
  /** Commits between the prebuild and `sha` (0 for exact), `null` for `none`. */
  distance: number | null;
  /** Finding and restoring the snapshot (listing, download, extraction, merge); no hooks. */
  restoreMs: number;
  /** The whole restore, hooks included. */
  durationMs: number;
  plan: PlannedRestoreHook[];
  runs: HookRun[];
  /** Duration of each hook that ran, ms. */
  hooks: Record<string, number>;
  /** The restored snapshot's marker (`null` for `none`). */
  marker: PrebuildMarker | null;
  /** Time saved against the durations recorded in the marker; `null` for `none`. */
  saved: TimeSaved | null;
  /** Whether the checkout was a shallow clone, and how many commits were searched. */
  shallow: boolean;
  searched: number;
  /** Snapshots ruled out (identity mismatch, missing, rejected marker), with the reason. */
  rejected: Array<{ key: string; reason: string }>;
  /** Time breakdown, ms per phase (timings.ts: `restore`, `download`, `merge`, each hook). */
  timings: PhaseTimings;
}

/** What finding and restoring a prebuild did, before any hook runs. Durations ms. */
export interface RestoredPrebuild {
  hit: PrebuildHit;
  /** The restored snapshot: key, commit, distance; `null` for `none`. */
  chosen: { key: string; sha: string; distance: number } | null;
  /** The restored snapshot's marker (`null` for `none`). */
  marker: PrebuildMarker | null;
  /** Listing, download, extraction and merge. */
  restoreMs: number;
  shallow: boolean;
  searched: number;
  rejected: Array<{ key: string; reason: string }>;
}

/**
 * Finds the best prebuild for `req.sha` (exact commit, else the nearest ancestor
 * within ancestorDepth with the same identity; restore-plan.ts) and restores it into
 * the workspace. Runs no hook. Shared by {@link restoreWorkspace} and container mode.
 * @param accept extra check of a candidate's marker (container mode: it must name an image);
 *   returns the reason to discard it, or `null`
 * @throws Error when listing fails in a way other than the catalog refusing, or extracting or merging fails
 */
export async function restorePrebuild(
  req: Omit<RestoreRequest, 'env'>,
  accept: (marker: PrebuildMarker | null) => string | null = () => null,
): Promise<RestoredPrebuild> {
  const started = req.startedAt ?? performance.now();
  const { workspace, configuration, log } = req;
  const timer = req.timer ?? new PhaseTimer();
  const name = configuration.settings.name;
  const paths = snapshotPaths(configuration.settings.paths);
  const wanted = configuration.settings.ancestorDepth + 1;
  const finding = performance.now();

  let commits = await ancestors(workspace, req.sha, wanted);
  if (commits.length === 0) {
    log.warning(`Commit ${req.sha} is not in the checkout's history: only a prebuild of exactly this commit can be used`);
    commits = [req.sha];
  }
  const shallow = await isShallow(workspace);
  const note = shallowNote(shallow, commits.length, wanted);
  if (note) log.info(note);

  // A workflow that cannot list snapshots (e.g. no `actions: read`) is slower, never broken.
  const listings = await req.catalog.list(snapshotKeyPrefix(name)).catch((error: unknown) => {
    log.warning(`Could not list prebuilds (${error instanceof Error ? error.message : String(error)}): running the full lifecycle`);
    return [];
  });
  const ranked = rankCandidates(listings, commits, configuration.identity);
  log.info(
    `Searching ${commits.length} commit${commits.length === 1 ? '' : 's'} for a prebuild of "${name}": ` +
      `${listings.length} snapshot${listings.length === 1 ? '' : 's'} in the ${req.store.description}, ${ranked.candidates.length} usable`,
  );
  timer.add('restore', performance.now() - finding);
  const rejected = [...ranked.skipped];
  for (const s of ranked.skipped) log.info(`Skipping ${s.key}: ${s.reason}`);

  let chosen: (typeof ranked.candidates)[number] | null = null;
  let marker: PrebuildMarker | null = null;
  for (const c of ranked.candidates.slice(0, req.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
    log.info(`Restoring ${c.key} (${c.distance === 0 ? 'this commit' : `${c.distance} commit${c.distance === 1 ? '' : 's'} behind`})`);
    // The package caches are needed only when onCreateCommand re-runs: a dependency file changed since the prebuild.
    const exclude = req.skipUnneededCaches && (await dependencyFilesChangedSince(workspace, c.sha, req.sha)) === false ? [CACHES_DIR] : [];
    const r = await restoreBase(req.store, c.key, paths, workspace, (m) => markerMismatch(m, { sha: c.sha, identity: configuration.identity }) ?? accept(m), {
      timer,
      exclude,
    });
    if (r.restored) {
      chosen = c;
      marker = r.marker;
      log.info(`Restored: ${r.moved} entries moved in, ${r.kept} kept from the checkout, ${r.deleted.length} files deleted since the prebuild`);
      break;
    }
    const reason = r.rejected ?? 'not found in the store (evicted or deleted)';
    rejected.push({ key: c.key, reason });
    log.warning(`Discarding snapshot ${c.key}: ${reason}`);
  }
  const restoreMs = Math.round(performance.now() - started);
  const hit: PrebuildHit = chosen === null ? 'none' : chosen.distance === 0 ? 'exact' : 'ancestor';
  if (hit === 'none') log.info(`No usable prebuild for ${req.sha}: running the full lifecycle`);
  return {
    hit,
    chosen: chosen && { key: chosen.key, sha: chosen.sha, distance: chosen.distance },
    marker,
    restoreMs,
    shallow,
    searched: commits.length,
    rejected,
  };
}

/**
 * Finds and restores the best prebuild for `req.sha`, then runs the remaining hooks
 * (see the module comment and restore-plan.ts).
 * @throws LifecycleError when a hook fails; Error when listing, extracting or merging fails
 */
export async function restoreWorkspace(req: RestoreRequest): Promise<RestoreOutcome> {
  const started = req.startedAt ?? performance.now();
  const { workspace, configuration, log } = req;
  const timer = req.timer ?? new PhaseTimer();
  const { hit, chosen, marker, restoreMs, shallow, searched, rejected } = await restorePrebuild({
    ...req,
    startedAt: started,
    timer,
    skipUnneededCaches: req.skipUnneededCaches ?? true,
  });

  const changed = marker?.dependencyFiles ? changedDependencyFiles(marker.dependencyFiles, await hashDependencyFiles(workspace)) : [];
  if (marker?.caches && changed.length > 0) {
    const restored = await restoreCachesPart(req.store, marker, workspace, timer);
    if (restored === true) log.info(`Package caches restored from ${marker.caches} (${changed.join(', ')} changed since the prebuild)`);
    else log.warning(`Package caches not restored (${restored}): the install downloads what it needs`);
  }
  const plan = planRestore(configuration.environment.lifecycle, { kind: hit, distance: chosen?.distance ?? 0, changedDependencyFiles: changed });
  // The hooks use the snapshot's package caches only when it brought them: otherwise the user's own (~/.npm, …).
  const cachesRestored = existsSync(path.join(workspace, CACHES_DIR));
  const hookConfiguration = cachesRestored ? configuration : { ...configuration, settings: { ...configuration.settings, caches: false } };
  const { env, vars, caches } = hookEnvironment(hookConfiguration, workspace, req.env);
  logCaches(caches, log);
  const runs: HookRun[] = [];
  for (const step of plan) {
    if (step.action === 'skip') {
      log.info(`${step.hook}: skipped (${step.reason})`);
      continue;
    }
    if (step.note) log.info(`${step.hook}: ${step.note}`);
    const run = await runHook(step.hook, substituteCommand(step.command, vars), { cwd: workspace, env, log });
    timer.add(step.hook, run.durationMs);
    runs.push(run);
  }
  const hooks: Record<string, number> = {};
  for (const run of runs) hooks[run.hook] = run.durationMs;
  return {
    hit,
    snapshotKey: chosen?.key ?? null,
    prebuildSha: chosen?.sha ?? null,
    distance: chosen?.distance ?? null,
    restoreMs,
    durationMs: Math.round(performance.now() - started),
    plan,
    runs,
    hooks,
    marker,
    saved: hit === 'none' ? null : timeSaved(marker, restoreMs, hooks),
    shallow,
    searched,
    rejected,
    timings: timer.toJSON(),
  };
}
