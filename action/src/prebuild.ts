/**
 * One prebuild in host mode, end to end, independent of @actions/core (the
 * collaborators are arguments): restore the base (incremental), plan and run
 * `onCreateCommand` and `updateContentCommand` in the workspace, write the marker,
 * save the snapshot. The package caches are a part of their own
 * (src/lifecycle/caches-part.ts): the base's is restored only when a dependency file
 * changed since it, and it is saved only when the store does not hold it yet.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedConfiguration } from '../../src/config/model.js';
import { substituteCommand } from '../../src/config/substitute.js';
import { MARKER_DIR, MARKER_PATH, formatMarker, nextMarker, unsuccessfulMarker, type PrebuildMarker, type PrebuiltImage } from '../../src/lifecycle/marker.js';
import { changedDependencyFiles, hashDependencyFiles } from '../../src/lifecycle/dependency-files.js';
import { planPrebuild, snapshotPaths, type PlannedHook, type PrebuildHook } from '../../src/lifecycle/plan.js';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { restoreBase, writeTrackedFiles } from '../../src/lifecycle/incremental.js';
import { writeSourceTimes } from '../../src/lifecycle/source-times.js';
import { CACHES_DIR, logCaches, type PackageManager } from '../../src/lifecycle/caches.js';
import { cachesPartKey, restoreCachesPart, saveCachesPart } from '../../src/lifecycle/caches-part.js';
import { hookEnvironment, LeftoverTracker, runHook, type HookRun, type LifecycleLog } from '../../src/lifecycle/run-hooks.js';

export { hookEnvironment };
import { SnapshotExistsError, type SecretValue, type SnapshotStore } from './snapshot/store.js';
import { applyRetention } from './snapshot/retention.js';
import { pinned } from '../../src/container/model.js';
import { PhaseTimer } from '../../src/lifecycle/timings.js';

/** Logging the prebuild needs beyond the hook output (the shared {@link LifecycleLog}). */
export type PrebuildLog = LifecycleLog;

/** Everything one prebuild needs. */
export interface PrebuildRequest {
  /** Absolute path of the checkout. */
  workspace: string;
  configuration: ResolvedConfiguration;
  /** Full commit sha being prebuilt. */
  sha: string;
  prebuildId: string;
  /** Snapshot key of the base to start from, or `null`/empty for a build from scratch. */
  base: string | null;
  store: SnapshotStore;
  log: PrebuildLog;
  /** Environment of the hooks (the runner's with the named secrets; plus containerEnv and remoteEnv). */
  env: NodeJS.ProcessEnv;
  /** Secret values the snapshot must not contain (the save is refused naming the file). */
  secrets?: readonly SecretValue[];
  /** Step start, `performance.now()` ms (default: when called) — for `durationMs`. */
  startedAt?: number;
  /** Collects the time breakdown (the caller may have recorded `setup` already); default a new one. */
  timer?: PhaseTimer;
}

/** What a prebuild did: the result reported to the app, the plan, and each hook run. */
export interface PrebuildOutcome {
  result: PrebuildResult;
  plan: PlannedHook[];
  runs: HookRun[];
  /** The base requested but not found in the store (built from scratch instead). */
  baseMissing: boolean;
}

/** The base a prebuild starts from, after {@link startFromBase}. */
export interface StartedBase {
  /** The base's snapshot key, `null` when building from scratch. */
  base: string | null;
  /** The base's marker, `null` without a base (or when it had none). */
  baseMarker: PrebuildMarker | null;
  /** The base requested but not found or not usable (built from scratch instead). */
  baseMissing: boolean;
}

/**
 * The first steps every prebuild shares (host and container mode): refuse a taken
 * key (entries are immutable: fail before any hook runs), then restore the base into
 * the workspace when one is given and usable.
 * @param accept extra check of the base's marker (container mode: it must name an image)
 * @throws SnapshotExistsError when the key is taken; Error when the base cannot be extracted
 */
export async function startFromBase(
  req: PrebuildRequest,
  key: string,
  paths: readonly string[],
  accept: (marker: PrebuildMarker | null) => string | null = () => null,
): Promise<StartedBase> {
  const { workspace, configuration, log } = req;
  let base: string | null = req.base || null;
  if (base === key) throw new Error(`The base snapshot "${base}" is the snapshot this run saves: use a new prebuild id`);
  if (await req.store.exists(key, paths)) throw new SnapshotExistsError(key);
  if (!base) return { base: null, baseMarker: null, baseMissing: false };
  log.info(`Restoring base snapshot ${base} from the ${req.store.description}`);
  // SPEC.md rules 5 and 6: a base must be a successful prebuild of the same configuration identity.
  const check = (m: PrebuildMarker | null) =>
    unsuccessfulMarker(m) ??
    (m && m.identity !== configuration.identity ? `it was built for another configuration identity (${m.identity.slice(0, 12)})` : null) ??
    accept(m);
  const restored = await restoreBase(req.store, base, paths, workspace, check, { timer: req.timer });
  if (!restored.restored) {
    const why = restored.rejected ?? `it was not found in the ${req.store.description} (evicted or never saved)`;
    log.warning(`Base snapshot "${base}" not used: ${why}; building from scratch`);
    return { base: null, baseMarker: null, baseMissing: true };
  }
  log.info(
    `Base restored: ${restored.moved} entries moved in, ${restored.kept} kept from the checkout, ${restored.deleted.length} files deleted since the base, ` +
      `${restored.timesRestored ?? 0} unchanged files given the base's modification times`,
  );
  if (!restored.marker) log.warning(`The base snapshot has no ${MARKER_PATH}: every hook runs`);
  base = req.base;
  return { base, baseMarker: restored.marker, baseMissing: false };
}

/** Deletes the snapshot this run just saved (its caches part failed); a failure is only logged. */
async function deleteSnapshot(req: PrebuildRequest, key: string): Promise<void> {
  try {
    await req.store.delete(key);
    req.log.info(`Deleted snapshot ${key}: its package caches part was not saved`);
  } catch (err) {
    req.log.warning(`Could not delete snapshot ${key} (its package caches part was not saved): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The last steps every prebuild shares: write the marker and the tracked-file list
 * into the workspace, save the snapshot, and make the result the app reads.
 * @param ran the hooks that ran, with their start (ISO) and duration (ms)
 * @throws Error when saving the snapshot fails
 */
export async function finishPrebuild(
  req: PrebuildRequest,
  key: string,
  paths: readonly string[],
  started: StartedBase,
  done: {
    ran: Partial<Record<PrebuildHook, { startedAt: string; durationMs: number }>>;
    dependencyFiles: Record<string, string>;
    image?: PrebuiltImage;
    startedAt: number;
    /** The managers whose caches the hooks kept (caches.ts): saved as the caches part; absent or empty for none. */
    caches?: readonly PackageManager[];
  },
): Promise<PrebuildResult> {
  const { workspace, configuration } = req;
  const name = configuration.settings.name;
  // From scratch, a marker left in the workspace (a reused self-hosted workspace) is ignored.
  const marker = nextMarker(started.baseMarker, {
    configuration: name,
    identity: configuration.identity,
    sha: req.sha,
    prebuildId: req.prebuildId,
    base: started.base,
    ran: done.ran,
    now: new Date().toISOString(),
    dependencyFiles: done.dependencyFiles,
    ...(done.image ? { image: done.image } : {}),
  });
  // The caches as installed for the dependency files onCreateCommand last ran with: one part per set of them.
  const cachesKey = cachesPartKey(name, configuration.identity, done.caches ?? [], marker.dependencyFiles ?? {});
  if (cachesKey) marker.caches = cachesKey;
  await mkdir(path.join(workspace, MARKER_DIR), { recursive: true });
  await writeFile(path.join(workspace, MARKER_PATH), formatMarker(marker));
  // Two git reads and two files each, independent: side by side.
  await Promise.all([writeTrackedFiles(workspace), writeSourceTimes(workspace)]);

  const timer = req.timer ?? new PhaseTimer();
  const hooks: Record<string, number> = {};
  for (const [hook, run] of Object.entries(done.ran)) {
    hooks[hook] = run.durationMs;
    timer.add(hook, run.durationMs);
  }
  req.log.info(`Saving snapshot ${key} (${paths.join(', ')}${cachesKey ? `, without ${CACHES_DIR}` : ''}) to the ${req.store.description}`);
  const metadata = {
    sha: req.sha,
    configuration: name,
    prebuildId: req.prebuildId,
    identity: configuration.identity,
    hooks,
    base: started.base,
    caches: cachesKey,
  };
  const exclude = cachesKey ? [CACHES_DIR] : [];
  // The caches part and the snapshot are saved side by side (two archives, disjoint paths).
  // The breakdown stays a partition of the step's time: the snapshot's save keeps its phases
  // (`save`, `upload`), and `saveCaches` is the time the part's save ran past it (0 when it
  // ended first); the part's own time is in the log.
  const savesStarted = performance.now();
  let snapshotEnded = savesStarted;
  let partEnded = savesStarted;
  const [part, saved] = await Promise.allSettled([
    cachesKey
      ? saveCachesPart(req.store, cachesKey, workspace, { secrets: req.secrets, timer: new PhaseTimer() }).finally(() => (partEnded = performance.now()))
      : Promise.resolve(null),
    timer
      .timeOuter('save', ['upload'], () => req.store.save(key, paths, workspace, metadata, { secrets: req.secrets, timer, exclude }))
      .finally(() => (snapshotEnded = performance.now())),
  ]);
  if (cachesKey) timer.add('saveCaches', partEnded - snapshotEnded);
  if (part.status === 'rejected') {
    // A secret in a cache (or a failed upload) fails the prebuild: no snapshot may name the part.
    if (saved.status === 'fulfilled') await deleteSnapshot(req, key);
    throw part.reason;
  }
  if (saved.status === 'rejected') throw saved.reason;
  if (cachesKey && part.value) {
    const took = `${Math.round(partEnded - savesStarted)} ms, alongside the snapshot`;
    req.log.info(
      part.value.state === 'saved'
        ? `Package caches saved as ${cachesKey} (${part.value.bytes} bytes, ${took})`
        : part.value.state === 'reused'
          ? `Package caches: ${cachesKey} is already in the ${req.store.description} (same dependency files), not saved again`
          : `Package caches: none in the workspace; the snapshot names ${cachesKey}`,
    );
  }
  const { bytes } = saved.value;
  await timer.time('retention', () => applyRetention(req.store, configuration, started.base ? [started.base] : [], req.log));
  return {
    prebuildId: req.prebuildId,
    configuration: name,
    sha: req.sha,
    snapshotKey: key,
    snapshotBytes: bytes,
    ...(cachesKey ? { cachesKey } : {}),
    durationMs: Math.round(performance.now() - done.startedAt),
    hooks,
    base: started.base,
    identity: configuration.identity,
    ...(done.image ? { mode: 'container' as const, image: pinned(done.image.reference, done.image.digest) } : {}),
    timings: timer.toJSON(),
  };
}

/**
 * Runs one prebuild (see the module comment).
 * @throws LifecycleError when a command fails; SnapshotExistsError when the key is
 *   taken; Error when restoring the base or saving the snapshot fails
 */
export async function prebuild(request: PrebuildRequest): Promise<PrebuildOutcome> {
  const started = request.startedAt ?? performance.now();
  const req = { ...request, timer: request.timer ?? new PhaseTimer() };
  const { workspace, configuration, log } = req;
  const key = snapshotKey(configuration.settings.name, req.sha, req.prebuildId);
  const paths = snapshotPaths(configuration.settings.paths);
  const base = await startFromBase(req, key, paths);

  const dependencyFiles = await hashDependencyFiles(workspace);
  const plan = planPrebuild(configuration.environment.lifecycle, { identity: configuration.identity, baseMarker: base.baseMarker, dependencyFiles });
  const { env, vars, caches } = hookEnvironment(configuration, workspace, req.env);
  logCaches(caches, log);
  // An install re-runs after a dependency-file change: it reads the base's package caches.
  if (base.baseMarker?.caches && changedDependencyFiles(base.baseMarker.dependencyFiles ?? {}, dependencyFiles).length > 0) {
    const restored = await restoreCachesPart(req.store, base.baseMarker, workspace, req.timer);
    if (restored === true) log.info(`Package caches restored from ${base.baseMarker.caches}`);
    else log.warning(`Package caches not restored (${restored}): the install downloads what it needs`);
  }
  const runs: HookRun[] = [];
  const ran: Partial<Record<PrebuildHook, { startedAt: string; durationMs: number }>> = {};
  // Processes the hooks leave running are stopped before the snapshot is taken (and on failure).
  const leftovers = new LeftoverTracker();
  try {
    for (const step of plan) {
      if (step.action === 'skip') {
        log.info(`${step.hook}: skipped (${step.reason})`);
        continue;
      }
      if (step.note) log.info(`${step.hook}: ${step.note}`);
      const run = await runHook(step.hook, substituteCommand(step.command, vars), { cwd: workspace, env, log, leftovers });
      runs.push(run);
      ran[step.hook] = { startedAt: run.startedAt, durationMs: run.durationMs };
    }
  } finally {
    for (const g of await leftovers.killAll()) log.info(`Stopped process group ${g.pgid} left by ${g.origin}`);
  }
  const result = await finishPrebuild(req, key, paths, base, { ran, dependencyFiles, startedAt: started, caches: caches.kept });
  return { result, plan, runs, baseMissing: base.baseMissing };
}
