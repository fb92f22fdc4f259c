/** Picks the snapshot store a `store` input names. */
import path from 'node:path';
import { DirStore } from '../../../src/lifecycle/snapshot/dir-store.js';
import { OciStore } from '../../../src/lifecycle/snapshot/oci-store.js';
import { registryCredentials } from '../../../src/lifecycle/snapshot/oci/credentials.js';
import { Env } from '../constants.js';
import type { SnapshotStore, StoreSpec } from './store.js';

export { parseStoreSpec, SnapshotExistsError } from './store.js';
export type { SnapshotMetadata, SnapshotStore, StoreSpec } from './store.js';

/**
 * The store for a parsed `store` input. The Actions cache store (with @actions/cache and
 * the Azure SDK it uploads with) is a chunk of the bundle of its own, loaded only here
 * when a run uses it: other runs neither parse nor evaluate it (issue 15, start-up).
 * @param base directory a relative `dir:` path resolves against (the process's working directory by default)
 * @param env where registry credentials and the temp directory come from (`oci:`)
 * @param token the action's `token` input: the credentials for ghcr.io
 */
export async function createStore(spec: StoreSpec, base = process.cwd(), env: NodeJS.ProcessEnv = process.env, token = ''): Promise<SnapshotStore> {
  if (spec.kind === 'dir') return new DirStore(path.resolve(base, spec.path));
  if (spec.kind === 'oci') return new OciStore(spec.ref, registryCredentials(spec.ref.registry, env, token), env[Env.RunnerTemp] || undefined);
  const { ActionsCacheStore } = await import('./actions-cache-store.js');
  return new ActionsCacheStore();
}
