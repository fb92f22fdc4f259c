import type { PrebuildRecord, Store } from '../store/types.js';

/**
 * The successful prebuilds whose snapshots retention deletes (SPEC.md rule 7): all but
 * the newest `retention` successes of the configuration, except any snapshot that a
 * waiting, dispatched or running prebuild uses as its base, and those in `protect`.
 * @param done the prebuild whose settings (`retention`, default 3) and configuration apply
 * @param protect snapshot keys kept whatever their age (a base just chosen, not yet stored)
 */
export async function expiredByRetention(store: Store, done: PrebuildRecord, protect: readonly (string | null)[] = []): Promise<PrebuildRecord[]> {
  const keep = Math.max(1, done.settings?.retention ?? 3);
  const scope = { owner: done.owner, repo: done.repo, configuration: done.configuration };
  const successes = await store.listPrebuilds({ ...scope, states: ['success'], limit: 10_000 });
  if (successes.length <= keep) return [];
  const inUse = new Set(
    (await store.listPrebuilds({ ...scope, states: ['waiting', 'dispatched', 'running'], limit: 10_000 })).map((p) => p.baseKey).filter(Boolean),
  );
  for (const key of protect) if (key) inUse.add(key);
  return successes.slice(keep).filter((p) => !inUse.has(p.snapshotKey));
}

/**
 * Retention at a dispatch (SPEC.md rule 7, applied by the run it hands the keys to): the
 * configuration's prebuilds that retention expires now are recorded `expired` (so no later
 * base selection picks them) before the run that deletes their snapshots is dispatched.
 * The newest `retention` successes are kept, and every base in use, `p`'s own included:
 * after `p` succeeds there may be one more until the configuration's next dispatch.
 * When the dispatch fails, {@link unexpire} puts them back.
 * @param p the prebuild about to be dispatched, its base chosen
 * @returns the prebuilds expired, as they were before
 */
export async function expireAtDispatch(store: Store, p: PrebuildRecord): Promise<PrebuildRecord[]> {
  const expired = await expiredByRetention(store, p, [p.baseKey]);
  for (const old of expired) {
    await store.updatePrebuild(old.id, {
      state: 'expired',
      reason: `retention: newer than ${p.settings?.retention ?? 3} successes kept; snapshot deleted by prebuild #${p.id}'s run`,
    });
  }
  return expired;
}

/**
 * The package caches parts (src/lifecycle/caches-part.ts) that `expired` leaves unnamed:
 * parts an expired prebuild's snapshot named that no remaining success of the
 * configuration names, when no other prebuild of the configuration is in flight (one
 * may have reused a part and be about to name it). They go with the snapshots' keys to
 * the run that deletes them; the run spares the part it reused itself.
 */
export async function orphanedCachesParts(store: Store, p: PrebuildRecord, expired: readonly PrebuildRecord[]): Promise<string[]> {
  const candidates = new Set(expired.map((e) => e.cachesKey).filter((k): k is string => Boolean(k)));
  if (candidates.size === 0) return [];
  const scope = { owner: p.owner, repo: p.repo, configuration: p.configuration };
  // Another prebuild in flight may have found one of them and be about to name it: none is
  // handed over now (a part nothing names is swept after a failed run, or evicted by GitHub).
  const open = await store.listPrebuilds({ ...scope, states: ['waiting', 'dispatched', 'running'], limit: 10_000 });
  if (open.some((o) => o.id !== p.id)) return [];
  const kept = await store.listPrebuilds({ ...scope, states: ['success'], limit: 10_000 });
  for (const k of kept) if (k.cachesKey) candidates.delete(k.cachesKey);
  return [...candidates];
}

/** Undoes {@link expireAtDispatch} when the run that was to delete the snapshots was not dispatched. */
export async function unexpire(store: Store, expired: readonly PrebuildRecord[]): Promise<void> {
  for (const old of expired) await store.updatePrebuild(old.id, { state: old.state, reason: old.reason });
}
