/** Picks the snapshot store a `store` input names. */
import path from 'node:path';
import { ActionsCacheStore } from './actions-cache-store.js';
import { DirStore } from '../../../src/lifecycle/snapshot/dir-store.js';
import type { SnapshotStore, StoreSpec } from './store.js';

export { parseStoreSpec, SnapshotExistsError } from './store.js';
export type { SnapshotMetadata, SnapshotStore, StoreSpec } from './store.js';

/**
 * The store for a parsed `store` input.
 * @param base directory a relative `dir:` path resolves against (the process's working directory by default)
 */
export function createStore(spec: StoreSpec, base = process.cwd()): SnapshotStore {
  return spec.kind === 'dir' ? new DirStore(path.resolve(base, spec.path)) : new ActionsCacheStore();
}
