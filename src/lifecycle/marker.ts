/**
 * The prebuild marker: `.prebuilds/marker.json` in the workspace, saved inside
 * every snapshot. @devcontainers/cli records which lifecycle hooks ran in marker
 * files under `~/.devcontainer` inside the container (keyed by the container's
 * creation time); a workspace snapshot does not carry those, so the action writes
 * its own (REFERENCE.md "Dev Container lifecycle"). An incremental prebuild reads
 * the base's marker to know whether `onCreateCommand` already ran for the same
 * configuration identity. Pure: shared by the action (write, read) and the app/CLI
 * (inspect).
 */
import type { LifecycleHook } from '../config/model.js';

/** Workspace-relative directory holding the marker and other prebuild bookkeeping. */
export const MARKER_DIR = '.prebuilds';
/** Workspace-relative path of the marker file. */
export const MARKER_PATH = `${MARKER_DIR}/marker.json`;
/**
 * Workspace-relative path of the list of files git tracked when the snapshot was
 * saved (NUL-separated). An incremental prebuild deletes the files the base
 * tracked that the new commit no longer has.
 */
export const TRACKED_FILES_PATH = `${MARKER_DIR}/tracked-files`;
/** How many past prebuilds {@link PrebuildMarker.history} keeps. */
export const MARKER_HISTORY_LIMIT = 20;

/** One run of one hook. Times are ISO 8601 strings, durations ms. */
export interface HookRecord {
  /** Commit the hook ran at. */
  sha: string;
  /** Prebuild id of the run that ran it. */
  prebuildId: string;
  startedAt: string;
  durationMs: number;
}

/** One prebuild this workspace went through (oldest first in the history). */
export interface MarkerHistoryEntry {
  sha: string;
  prebuildId: string;
  /** Snapshot key of the base that prebuild started from, `null` when from scratch. */
  base: string | null;
  /** Hooks that ran (skipped hooks are absent). */
  hooks: LifecycleHook[];
  finishedAt: string;
}

/** Content of `.prebuilds/marker.json`. */
export interface PrebuildMarker {
  version: 1;
  configuration: string;
  /** Configuration identity (SPEC.md rule 1) the hooks below ran for. */
  identity: string;
  /** Commit of the newest prebuild that wrote the marker. */
  sha: string;
  prebuildId: string;
  /** When the lineage started (first prebuild from scratch), ISO 8601. */
  createdAt: string;
  /** When the newest prebuild finished, ISO 8601. */
  updatedAt: string;
  /** Latest run of each hook in this lineage. */
  hooks: Partial<Record<LifecycleHook, HookRecord>>;
  /** The last {@link MARKER_HISTORY_LIMIT} prebuilds, oldest first. */
  history: MarkerHistoryEntry[];
  /**
   * `success` when the newest prebuild ran every lifecycle command it planned and
   * exited zero (written only then, right before the snapshot is saved). Restore and
   * incremental prebuilds accept no snapshot without it (SPEC.md rule 6); markers of
   * older actions lack it.
   */
  outcome?: 'success';
  /**
   * sha256 of the root dependency files when `onCreateCommand` last ran
   * (src/lifecycle/dependency-files.ts); absent in markers written before it existed.
   */
  dependencyFiles?: Record<string, string>;
  /**
   * Key of the package caches part (caches-part.ts) this snapshot goes with: the caches
   * as installed for {@link dependencyFiles}, kept out of the snapshot itself. Absent
   * when no cache is kept (and in snapshots that hold their caches inside).
   */
  caches?: string;
  /** Container mode: the prebuilt environment image this workspace goes with (absent in host mode). */
  image?: PrebuiltImage;
}

/**
 * The image a container-mode prebuild pushed: the prebuilt container committed
 * with its `devcontainer.metadata` label (src/container).
 */
export interface PrebuiltImage {
  /** Tagged reference, e.g. `ghcr.io/octo/app/prebuilds/web:sha-<sha>`. */
  reference: string;
  /** Repository digest (`sha256:…`) the registry returned on push; pull by it. */
  digest: string;
  /** Uncompressed image size, bytes (`docker image inspect` `.Size`). */
  bytes: number;
  /**
   * How long the cold path took when this lineage was built from scratch: image
   * build + onCreateCommand + updateContentCommand (`devcontainer up --prebuild`), ms.
   */
  coldMs: number;
  /**
   * `true` when the image's @devcontainers/cli lifecycle markers are sealed (its
   * `prebuilds.lifecycle-markers` label, src/container/session.ts): a plain `devcontainer up`
   * from it runs only postCreate, postStart and postAttach, so `prebuilds up` can start it
   * while the image is still being pulled. Absent in markers written before it existed.
   */
  markersSealed?: boolean;
}

function parseImage(v: unknown): PrebuiltImage | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const i = v as Partial<PrebuiltImage>;
  if (typeof i.reference !== 'string' || typeof i.digest !== 'string') return undefined;
  return {
    reference: i.reference,
    digest: i.digest,
    bytes: Number(i.bytes) || 0,
    coldMs: Number(i.coldMs) || 0,
    ...(i.markersSealed === true ? { markersSealed: true } : {}),
  };
}

/**
 * Parses a marker file. Never throws.
 * @returns the marker, or `null` when the text is not a version-1 marker.
 */
export function parseMarker(text: string | null | undefined): PrebuildMarker | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<PrebuildMarker>;
    if (typeof v !== 'object' || v === null || v.version !== 1) return null;
    if (typeof v.identity !== 'string' || typeof v.sha !== 'string') return null;
    return {
      version: 1,
      configuration: String(v.configuration ?? ''),
      identity: v.identity,
      sha: v.sha,
      prebuildId: String(v.prebuildId ?? ''),
      createdAt: String(v.createdAt ?? ''),
      updatedAt: String(v.updatedAt ?? ''),
      hooks: typeof v.hooks === 'object' && v.hooks !== null ? v.hooks : {},
      history: Array.isArray(v.history) ? v.history : [],
      ...(typeof v.dependencyFiles === 'object' && v.dependencyFiles !== null ? { dependencyFiles: v.dependencyFiles } : {}),
      ...(typeof v.caches === 'string' ? { caches: v.caches } : {}),
      ...(v.outcome === 'success' ? { outcome: 'success' as const } : {}),
      ...(parseImage(v.image) ? { image: parseImage(v.image) } : {}),
    };
  } catch {
    return null;
  }
}

/** What one finished prebuild contributes to the marker. */
export interface MarkerUpdate {
  configuration: string;
  identity: string;
  sha: string;
  prebuildId: string;
  base: string | null;
  /** Hooks that ran in this prebuild, with their start time and duration. */
  ran: Partial<Record<LifecycleHook, { startedAt: string; durationMs: number }>>;
  /** Finish time, ISO 8601. */
  now: string;
  /** Dependency file hashes of the workspace now (recorded when `onCreateCommand` ran). */
  dependencyFiles?: Record<string, string>;
  /** Container mode: the image this prebuild pushed. */
  image?: PrebuiltImage;
}

/**
 * Why a snapshot's marker does not show a successful prebuild, or `null` when it does
 * (SPEC.md rule 6: a failed, cancelled or timed-out prebuild is never a base and never restored).
 */
export function unsuccessfulMarker(marker: PrebuildMarker | null): string | null {
  if (!marker) return `it has no ${MARKER_PATH} (not a prebuild snapshot)`;
  if (marker.outcome !== 'success') return 'its marker does not record a successful prebuild (a failed run, or an action too old to record it)';
  return null;
}

/**
 * The marker after a successful prebuild (call it only once every hook succeeded:
 * it records `outcome: success`). Records of the previous marker are kept only when
 * its identity equals this one (a different identity means a different
 * environment: nothing it recorded holds any more).
 */
export function nextMarker(previous: PrebuildMarker | null, update: MarkerUpdate): PrebuildMarker {
  const prev = previous && previous.identity === update.identity ? previous : null;
  const hooks: Partial<Record<LifecycleHook, HookRecord>> = { ...(prev?.hooks ?? {}) };
  const ranHooks: LifecycleHook[] = [];
  for (const [hook, run] of Object.entries(update.ran) as Array<[LifecycleHook, { startedAt: string; durationMs: number }]>) {
    hooks[hook] = { sha: update.sha, prebuildId: update.prebuildId, startedAt: run.startedAt, durationMs: run.durationMs };
    ranHooks.push(hook);
  }
  const entry: MarkerHistoryEntry = {
    sha: update.sha,
    prebuildId: update.prebuildId,
    base: update.base,
    hooks: ranHooks,
    finishedAt: update.now,
  };
  return {
    version: 1,
    configuration: update.configuration,
    identity: update.identity,
    sha: update.sha,
    prebuildId: update.prebuildId,
    createdAt: prev?.createdAt || update.now,
    updatedAt: update.now,
    hooks,
    history: [...(prev?.history ?? []), entry].slice(-MARKER_HISTORY_LIMIT),
    ...dependencyFilesOf(update, prev),
    outcome: 'success',
    ...(update.image ? { image: update.image } : {}),
  };
}

/** The dependency file hashes to keep: this run's when it ran `onCreateCommand`, else the base's. */
function dependencyFilesOf(update: MarkerUpdate, prev: PrebuildMarker | null): { dependencyFiles?: Record<string, string> } {
  const files = update.ran.onCreateCommand ? update.dependencyFiles : prev?.dependencyFiles;
  return files ? { dependencyFiles: files } : {};
}

/** Serialises a marker (stable, pretty, trailing newline). */
export function formatMarker(marker: PrebuildMarker): string {
  return `${JSON.stringify(marker, null, 2)}\n`;
}
