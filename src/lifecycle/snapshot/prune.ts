/**
 * Retention for a store the action or the CLI can list and delete in (SPEC.md rule 7):
 * `dir:` stores and `oci:` registries, for when the app cannot reach them. It covers
 * the package caches parts (caches-part.ts): a part is deleted once no snapshot kept
 * names it.
 */
import { cachesPartPrefix, listedParts, orphanedParts, UNREFERENCED_PART_GRACE_MS } from '../caches-part.js';
import { SNAPSHOT_KEY_PREFIX } from '../snapshot-key.js';
import type { SnapshotCatalog, SnapshotStore } from './store.js';

/**
 * Keeps the newest `keep` snapshots whose key starts with `prefix` (by `createdAt`,
 * then key) and every key in `protect` (a base in use); deletes the others, so
 * restore never finds them. Then deletes the configuration's caches parts that no
 * remaining snapshot names ({@link sweepCachesParts}).
 * @param keep snapshots kept, at least 1
 * @param now current time, ms since the epoch (parts younger than the grace period stay)
 * @returns the keys deleted (snapshots, then caches parts)
 * @throws Error when listing or deleting fails
 */
export async function pruneSnapshots(
  store: SnapshotStore & SnapshotCatalog,
  prefix: string,
  keep: number,
  protect: readonly string[] = [],
  now = Date.now(),
): Promise<string[]> {
  const listed = (await store.list(prefix)).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.key.localeCompare(a.key));
  const expired = listed.slice(Math.max(1, keep)).filter((l) => !protect.includes(l.key));
  for (const l of expired) await store.delete(l.key);
  const gone = new Set(expired.map((l) => l.key));
  const parts = await sweepCachesParts(
    store,
    prefix,
    listed.filter((l) => !gone.has(l.key)),
    now,
  );
  return [...expired.map((l) => l.key), ...parts];
}

/**
 * Deletes the caches parts of the configuration whose snapshots start with `prefix`
 * (`prebuilds-v1/<configuration>/`) that are orphaned by the one rule
 * ({@link orphanedParts}): none of `kept` names them, and they are older than
 * {@link UNREFERENCED_PART_GRACE_MS} (the action knows no prebuild in flight: a younger
 * part may belong to a snapshot being saved). A snapshot listed without knowing its
 * part (`caches` absent) keeps every part.
 * @param kept the snapshots that stay
 * @returns the part keys deleted
 * @throws Error when listing or deleting fails
 */
export async function sweepCachesParts(
  store: SnapshotStore & SnapshotCatalog,
  prefix: string,
  kept: ReadonlyArray<{ caches?: string | null }>,
  now = Date.now(),
): Promise<string[]> {
  if (!prefix.startsWith(`${SNAPSHOT_KEY_PREFIX}/`)) return [];
  const configurationSegment = prefix.slice(SNAPSHOT_KEY_PREFIX.length + 1).replace(/\/$/, '');
  const parts = await store.list(cachesPartPrefix(configurationSegment));
  const doomed = orphanedParts(listedParts(parts), {
    referenced: kept.map((k) => k.caches),
    inFlightSince: [],
    graceMs: UNREFERENCED_PART_GRACE_MS,
    now,
  });
  for (const key of doomed) await store.delete(key);
  return doomed;
}
