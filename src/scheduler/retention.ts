import { orphanedParts, type OrphanRule } from '../lifecycle/caches-part.js';
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
 * Each is marked only while still the success it was listed as (compare and set): one that
 * another path ended meanwhile (deleted through the API, expired by another dispatch) is
 * neither marked nor returned, so its key is not handed over by this dispatch.
 * When the dispatch fails, {@link unexpire} puts back what this marked.
 * @param p the prebuild about to be dispatched, its base chosen
 * @returns the prebuilds this expired, as they were before
 */
export async function expireAtDispatch(store: Store, p: PrebuildRecord): Promise<PrebuildRecord[]> {
  const marked: PrebuildRecord[] = [];
  for (const old of await expiredByRetention(store, p, [p.baseKey])) {
    const expected = { state: old.state, reason: old.reason, snapshotKey: old.snapshotKey };
    if (await store.updatePrebuildIf(old.id, expected, { state: 'expired', reason: expiryReason(p) })) marked.push(old);
  }
  return marked;
}

/**
 * The reason {@link expireAtDispatch} records: it names the prebuild whose run deletes the
 * snapshot, which is how {@link unexpire} tells its own marks from any other path's.
 */
function expiryReason(p: PrebuildRecord): string {
  return `retention: newer than ${p.settings?.retention ?? 3} successes kept; snapshot deleted by prebuild #${p.id}'s run`;
}

/** Prebuild states whose run may still save a caches part it will name. */
const IN_FLIGHT = ['waiting', 'dispatched', 'running'] as const;

/**
 * What the caches part rule ({@link orphanedParts}) needs from the store for a
 * configuration: the parts its successes name, and when its prebuilds in flight were created.
 * @param except a prebuild left out of those in flight (the one being dispatched: its run spares the part it uses)
 */
export async function cachesPartUse(
  store: Pick<Store, 'listPrebuilds'>,
  scope: { owner: string; repo: string; configuration: string },
  except?: number,
): Promise<Pick<OrphanRule, 'referenced' | 'inFlightSince'>> {
  const [kept, open] = await Promise.all([
    store.listPrebuilds({ ...scope, states: ['success'], limit: 10_000 }),
    store.listPrebuilds({ ...scope, states: [...IN_FLIGHT], limit: 10_000 }),
  ]);
  return { referenced: kept.map((k) => k.cachesKey), inFlightSince: open.filter((o) => o.id !== except).map((o) => o.createdAt) };
}

/**
 * The package caches parts (src/lifecycle/caches-part.ts) that `expired` leaves unnamed,
 * by the one rule ({@link orphanedParts}, no grace: the app knows the prebuilds in flight):
 * parts an expired prebuild's snapshot named that no remaining success of the
 * configuration names, when no other prebuild of the configuration is in flight (one
 * may have reused a part and be about to name it; a part nothing names is swept after a
 * failed run, or evicted by GitHub). They go with the snapshots' keys to the run that
 * deletes them; the run spares the part it reused itself.
 */
export async function orphanedCachesParts(store: Store, p: PrebuildRecord, expired: readonly PrebuildRecord[]): Promise<string[]> {
  const candidates = expired.flatMap((e) => (e.cachesKey ? [{ key: e.cachesKey, createdAt: null }] : []));
  if (candidates.length === 0) return [];
  const use = await cachesPartUse(store, { owner: p.owner, repo: p.repo, configuration: p.configuration }, p.id);
  return orphanedParts(candidates, { ...use, graceMs: 0, now: Date.now() });
}

/**
 * Undoes {@link expireAtDispatch} when the run that was to delete the snapshots was not
 * dispatched: a prebuild goes back to what it was only while it is still `expired` by that
 * hand-over (same reason, naming `p`, and same snapshot key; compare and set). One that
 * another path changed since (its snapshot deleted through the API, the record gone,
 * marked by another dispatch or the reconciler) is left as that path left it.
 * Never throws for a prebuild that changed or no longer exists.
 * @param p the prebuild whose dispatch failed, as given to {@link expireAtDispatch}
 * @param expired what {@link expireAtDispatch} returned for it
 * @returns the prebuilds put back
 */
export async function unexpire(store: Store, p: PrebuildRecord, expired: readonly PrebuildRecord[]): Promise<PrebuildRecord[]> {
  const restored: PrebuildRecord[] = [];
  for (const old of expired) {
    const expected = { state: 'expired' as const, reason: expiryReason(p), snapshotKey: old.snapshotKey };
    const back = await store.updatePrebuildIf(old.id, expected, { state: old.state, reason: old.reason });
    if (back) restored.push(back);
  }
  return restored;
}
