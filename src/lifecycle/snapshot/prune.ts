/**
 * Retention for a store the action or the CLI can list and delete in (SPEC.md rule 7):
 * `dir:` stores and `oci:` registries, for when the app cannot reach them.
 */
import type { SnapshotCatalog, SnapshotStore } from './store.js';

/**
 * Keeps the newest `keep` snapshots whose key starts with `prefix` (by `createdAt`,
 * then key) and every key in `protect` (a base in use); deletes the others, so
 * restore never finds them.
 * @param keep snapshots kept, at least 1
 * @returns the keys deleted
 * @throws Error when listing or deleting fails
 */
export async function pruneSnapshots(store: SnapshotStore & SnapshotCatalog, prefix: string, keep: number, protect: readonly string[] = []): Promise<string[]> {
  const listed = (await store.list(prefix)).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.key.localeCompare(a.key));
  const expired = listed.slice(Math.max(1, keep)).filter((l) => !protect.includes(l.key));
  for (const l of expired) await store.delete(l.key);
  return expired.map((l) => l.key);
}
