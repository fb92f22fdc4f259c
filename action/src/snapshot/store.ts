/**
 * The snapshot store interface: where prebuild snapshots live. The prebuild logic
 * only talks to this interface (like actions/cache's state provider separates the
 * logic from where state lives); `actions-cache` and `dir:<path>` implement it.
 * Both follow the Actions cache rules (REFERENCE.md): exact keys, immutable
 * entries, and an entry is found only with the same `paths` it was saved with.
 */
import type { PrebuildHook } from '../../../src/lifecycle/plan.js';
import { Env, Stores } from '../constants.js';

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
}

/** A place snapshots are saved to and restored from. */
export interface SnapshotStore {
  /** Human-readable description for logs, e.g. `Actions cache` or `directory /srv/prebuilds`. */
  readonly description: string;
  /**
   * Archives `paths` (relative to `cwd`) under `key`.
   * @returns the archive size, bytes
   * @throws SnapshotExistsError when the key is taken (entries are immutable); Error
   *   when archiving or uploading fails
   */
  save(key: string, paths: readonly string[], cwd: string, metadata?: SnapshotMetadata): Promise<{ bytes: number }>;
  /**
   * Extracts the entry saved under exactly `key` (no prefix match) with the same
   * `paths` into `cwd`, overwriting files there.
   * @returns `true` on a hit, `false` when there is no such entry
   * @throws Error when the entry exists but cannot be extracted
   */
  restore(key: string, paths: readonly string[], cwd: string): Promise<boolean>;
  /** Whether an entry exists for exactly `key` (and `paths`, where the store versions by paths). */
  exists(key: string, paths: readonly string[]): Promise<boolean>;
  /**
   * Deletes the entry.
   * @returns `true` when it existed
   * @throws Error when the store cannot delete (the Actions cache: only through the REST API)
   */
  delete(key: string): Promise<boolean>;
}

/** Saving over an existing key (entries are immutable, like Actions cache entries). */
export class SnapshotExistsError extends Error {
  constructor(readonly key: string) {
    super(`Unable to save snapshot "${key}": an entry with this key already exists (snapshots are immutable; use a new prebuild id)`);
    this.name = 'SnapshotExistsError';
  }
}

/** A parsed `store` input. */
export type StoreSpec = { kind: 'actions-cache' } | { kind: 'dir'; path: string };

/** Whether the runner gave this job the Actions cache service. */
export function cacheServiceAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env[Env.ResultsUrl] || env[Env.CacheUrl]);
}

/**
 * Parses the `store` input: `actions-cache`, `dir:<path>` (absolute, or relative
 * to the process's working directory), or empty — the Actions cache when the
 * runner provides the cache service (`ACTIONS_RESULTS_URL` or `ACTIONS_CACHE_URL`).
 * @throws Error with what to set when the input is invalid or empty outside Actions
 */
export function parseStoreSpec(input: string, env: NodeJS.ProcessEnv): StoreSpec {
  const value = input.trim();
  if (value.startsWith(Stores.DirPrefix)) {
    const path = value.slice(Stores.DirPrefix.length).trim();
    if (!path) throw new Error(`The "store" input "${value}" names no directory: use dir:<path>`);
    return { kind: 'dir', path };
  }
  if (value === Stores.ActionsCache || value === '') {
    if (cacheServiceAvailable(env)) return { kind: 'actions-cache' };
    throw new Error(
      value === ''
        ? 'No snapshot store: the "store" input is empty and the Actions cache service is not available here ' +
            `(${Env.ResultsUrl} / ${Env.CacheUrl} are not set). Set store: dir:<path> on self-hosted runners and locally.`
        : `The "store" input is ${Stores.ActionsCache} but the Actions cache service is not available here ` +
            `(${Env.ResultsUrl} / ${Env.CacheUrl} are not set). Use store: dir:<path> outside GitHub Actions.`,
    );
  }
  throw new Error(`Unknown "store" input "${value}": use ${Stores.ActionsCache} or ${Stores.DirPrefix}<path>`);
}
