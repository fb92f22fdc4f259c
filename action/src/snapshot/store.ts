/**
 * The `store` input: which snapshot store a run uses. The store interface itself
 * lives in src/lifecycle/snapshot/store.ts (shared with the CLI) and is re-exported here.
 */
import { Env, Stores } from '../constants.js';
import { parseRepositoryRef, type RepositoryRef } from '../../../src/lifecycle/snapshot/oci/registry-client.js';

export { SnapshotExistsError } from '../../../src/lifecycle/snapshot/store.js';
export type {
  RestoreOptions,
  SaveOptions,
  SecretValue,
  SnapshotCatalog,
  SnapshotListing,
  SnapshotMetadata,
  SnapshotStore,
} from '../../../src/lifecycle/snapshot/store.js';

/** A parsed `store` input. */
export type StoreSpec = { kind: 'actions-cache' } | { kind: 'dir'; path: string } | { kind: 'oci'; ref: RepositoryRef };

/** Whether the runner gave this job the Actions cache service. */
export function cacheServiceAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env[Env.ResultsUrl] || env[Env.CacheUrl]);
}

/**
 * Parses the `store` input: `actions-cache`, `dir:<path>` (absolute, or relative
 * to the process's working directory), `oci:REGISTRY/NAME` (an OCI registry), or empty — the Actions cache when the
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
  if (value.startsWith(Stores.OciPrefix)) {
    try {
      return { kind: 'oci', ref: parseRepositoryRef(value.slice(Stores.OciPrefix.length).trim()) };
    } catch (err) {
      throw new Error(`Invalid "store" input "${value}": ${(err as Error).message}`);
    }
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
  throw new Error(`Unknown "store" input "${value}": use ${Stores.ActionsCache}, ${Stores.DirPrefix}<path> or ${Stores.OciPrefix}REGISTRY/NAME`);
}
