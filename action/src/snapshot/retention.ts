/**
 * Retention from the action (SPEC.md rule 7, issue 13 item 3): the app applies
 * retention to the Actions cache through the REST API, but it cannot reach a
 * `dir:` store on a self-hosted runner's disk, nor a registry it has no credentials
 * for. After a successful save into one of those, the action keeps the configuration's newest `retention` snapshots and the base
 * it started from, and deletes the others' files, then the package caches parts no
 * snapshot kept names (src/lifecycle/caches-part.ts). A failure is a warning: the
 * prebuild itself succeeded.
 */
import type { ResolvedConfiguration } from '../../../src/config/model.js';
import type { LifecycleLog } from '../../../src/lifecycle/run-hooks.js';
import { snapshotKeyPrefix } from '../../../src/lifecycle/snapshot-key.js';
import { DirStore } from '../../../src/lifecycle/snapshot/dir-store.js';
import { OciStore } from '../../../src/lifecycle/snapshot/oci-store.js';
import { isCachesPartKey } from '../../../src/lifecycle/caches-part.js';
import { pruneSnapshots } from '../../../src/lifecycle/snapshot/prune.js';
import type { SnapshotStore } from './store.js';

/**
 * Applies the configuration's retention to `store` when the action owns it (a directory or registry store).
 * @param protect snapshot keys never deleted (the base this prebuild used)
 * @returns the keys deleted (empty for other stores, and when pruning failed)
 */
export async function applyRetention(
  store: SnapshotStore,
  configuration: ResolvedConfiguration,
  protect: readonly string[],
  log: LifecycleLog,
): Promise<string[]> {
  if (!(store instanceof DirStore || store instanceof OciStore)) return [];
  const { name, retention } = configuration.settings;
  try {
    const deleted = await pruneSnapshots(store, snapshotKeyPrefix(name), retention, protect);
    const parts = deleted.filter(isCachesPartKey);
    const snapshots = deleted.filter((k) => !isCachesPartKey(k));
    if (snapshots.length > 0)
      log.info(`Retention (${retention} kept): deleted ${snapshots.length} older snapshot${snapshots.length === 1 ? '' : 's'}: ${snapshots.join(', ')}`);
    if (parts.length > 0)
      log.info(`Retention: deleted ${parts.length} package caches part${parts.length === 1 ? '' : 's'} no snapshot kept names: ${parts.join(', ')}`);
    return deleted;
  } catch (err) {
    log.warning(`Retention could not prune the ${store.description}: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}
