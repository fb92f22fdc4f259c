import type { PrebuildRecord, Store } from '../store/types.js';

/**
 * The successful prebuilds whose snapshots retention deletes (SPEC.md rule 7): all but
 * the newest `retention` successes of the configuration, except any snapshot that a
 * waiting, dispatched or running prebuild uses as its base.
 */
export async function expiredByRetention(store: Store, done: PrebuildRecord): Promise<PrebuildRecord[]> {
  const keep = Math.max(1, done.settings?.retention ?? 3);
  const scope = { owner: done.owner, repo: done.repo, configuration: done.configuration };
  const successes = await store.listPrebuilds({ ...scope, states: ['success'], limit: 10_000 });
  const inUse = new Set(
    (await store.listPrebuilds({ ...scope, states: ['waiting', 'dispatched', 'running'], limit: 10_000 })).map((p) => p.baseKey).filter(Boolean),
  );
  return successes.slice(keep).filter((p) => !inUse.has(p.snapshotKey));
}
