/** Picks the snapshot store a `store` input names. */
import path from 'node:path';
import { ActionsCacheStore } from './actions-cache-store.js';
import { DirStore } from '../../../src/lifecycle/snapshot/dir-store.js';
import { OciStore } from '../../../src/lifecycle/snapshot/oci-store.js';
import { registryCredentials } from '../../../src/lifecycle/snapshot/oci/credentials.js';
import { Env } from '../constants.js';
import type { SnapshotStore, StoreSpec } from './store.js';

export { parseStoreSpec, SnapshotExistsError } from './store.js';
export type { SnapshotMetadata, SnapshotStore, StoreSpec } from './store.js';

/**
 * The store for a parsed `store` input.
 * @param base directory a relative `dir:` path resolves against (the process's working directory by default)
 * @param env where registry credentials and the temp directory come from (`oci:`)
 * @param token the action's `token` input: the credentials for ghcr.io
 */
export function createStore(spec: StoreSpec, base = process.cwd(), env: NodeJS.ProcessEnv = process.env, token = ''): SnapshotStore {
  if (spec.kind === 'dir') return new DirStore(path.resolve(base, spec.path));
  if (spec.kind === 'oci') return new OciStore(spec.ref, registryCredentials(spec.ref.registry, env, token), env[Env.RunnerTemp] || undefined);
  return new ActionsCacheStore();
}
