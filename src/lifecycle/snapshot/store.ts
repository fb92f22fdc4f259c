/**
 * The snapshot store interface: where prebuild snapshots live. The prebuild and
 * restore logic only talk to this interface (like actions/cache's state provider
 * separates the logic from where state lives); the action's `actions-cache` store
 * and the `dir:<path>` store ({@link ./dir-store.ts}) implement it. Both follow the
 * Actions cache rules (REFERENCE.md): exact keys, immutable entries, and an entry is
 * found only with the same `paths` it was saved with. Node-only, no @actions/*:
 * shared by the action and the CLI.
 */
import type { PrebuildHook } from '../plan.js';
import type { SecretValue } from './secret-scan.js';
import type { PhaseTimer } from '../timings.js';

export type { SecretValue } from './secret-scan.js';

/** How to save, besides what. */
export interface SaveOptions {
  /** Secret values no archived file may contain: the save is refused with SecretInSnapshotError naming the file. */
  secrets?: readonly SecretValue[];
  /** Where a store that uploads records the `upload` phase (left out of the caller's `save`). */
  timer?: PhaseTimer;
  /** Workspace-relative paths not archived (with everything under them), e.g. the package caches saved as a part of their own. */
  exclude?: readonly string[];
}

/** How to restore, besides what. */
export interface RestoreOptions {
  /** Where a store that downloads records the `download` phase (left out of the caller's `restore`). */
  timer?: PhaseTimer;
  /** Workspace-relative paths not extracted (with everything under them), e.g. package caches a restore does not need. */
  exclude?: readonly string[];
}

/** What the prebuild knows about a snapshot besides its files (the dir store writes it as the manifest). */
export interface SnapshotMetadata {
  sha: string;
  configuration: string;
  prebuildId: string;
  /** Configuration identity (SPEC.md rule 1). */
  identity: string;
  /** Duration of each hook that ran, ms. */
  hooks: Partial<Record<PrebuildHook, number>>;
  /** Snapshot key of the base it started from, `null` when built from scratch. */
  base: string | null;
  /** Key of the package caches part it goes with (caches-part.ts), `null` or absent for none. */
  caches?: string | null;
}

/** A place snapshots are saved to and restored from. */
export interface SnapshotStore {
  /** Human-readable description for logs, e.g. `Actions cache` or `directory /srv/prebuilds`. */
  readonly description: string;
  /**
   * Archives `paths` (relative to `cwd`; the workspace's `.git` never) under `key`.
   * @returns the archive size, bytes
   * @throws SnapshotExistsError when the key is taken (entries are immutable);
   *   SecretInSnapshotError when a file holds one of `options.secrets` (nothing is
   *   saved); Error when archiving or uploading fails
   */
  save(key: string, paths: readonly string[], cwd: string, metadata?: SnapshotMetadata, options?: SaveOptions): Promise<{ bytes: number }>;
  /**
   * Extracts the entry saved under exactly `key` (no prefix match) with the same
   * `paths` into `cwd` (an empty staging directory), guarded: no entry lands outside `cwd`.
   * @returns `true` on a hit, `false` when there is no such entry
   * @throws UnsafeArchiveError when an entry would escape `cwd` (nothing is written for
   *   it); Error when the entry exists but cannot be extracted
   */
  restore(key: string, paths: readonly string[], cwd: string, options?: RestoreOptions): Promise<boolean>;
  /** Whether an entry exists for exactly `key` (and `paths`, where the store versions by paths). */
  exists(key: string, paths: readonly string[]): Promise<boolean>;
  /**
   * Deletes the entry.
   * @returns `true` when it existed
   * @throws Error when the store cannot delete (the Actions cache: only through the REST API)
   */
  delete(key: string): Promise<boolean>;
}

/**
 * One snapshot a store lists (restore mode looks for the best one). Only successful
 * prebuilds are saved; restore still checks the restored marker says so.
 */
export interface SnapshotListing {
  key: string;
  /** Commit that was prebuilt (full sha). */
  sha: string;
  configuration: string;
  /** Configuration identity, when the store knows it without restoring (dir manifests); `null` otherwise. */
  identity: string | null;
  /** When the snapshot was saved, ISO 8601. */
  createdAt: string;
  /** Archive size, bytes, when known. */
  bytes: number | null;
  /** Hook durations recorded when it was built, ms (dir manifests), else `{}`. */
  hooks: Partial<Record<PrebuildHook, number>>;
  /**
   * Key of the package caches part it goes with, where the store records it (dir
   * manifests, registry annotations); `null` for none, absent when the store cannot tell.
   */
  caches?: string | null;
}

/** A store that can list its snapshots by key prefix (both stores can: dir by manifests, the Actions cache by the REST API). */
export interface SnapshotCatalog {
  /**
   * Snapshots whose key starts with `prefix` (e.g. `snapshotKeyPrefix(configuration)`), in no particular order.
   * @throws Error when the listing fails (unreadable directory, API error)
   */
  list(prefix: string): Promise<SnapshotListing[]>;
}

/** Saving over an existing key (entries are immutable, like Actions cache entries). */
export class SnapshotExistsError extends Error {
  constructor(readonly key: string) {
    super(`Unable to save snapshot "${key}": an entry with this key already exists (snapshots are immutable; use a new prebuild id)`);
    this.name = 'SnapshotExistsError';
  }
}
