/**
 * Snapshot keys, shared by the app (retention, base selection) and the action
 * (save, restore). A key is unique per prebuild because Actions cache entries are
 * immutable (REFERENCE.md "GitHub Actions cache"): `prebuilds-v1/<configuration>/<sha>/<prebuildId>`.
 * Keys contain no commas and stay well under the 512-character limit.
 */
export const SNAPSHOT_KEY_PREFIX = 'prebuilds-v1';

/** Makes a configuration name safe inside a cache key and a file name. */
export function keySegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100) || 'default';
}

/**
 * The snapshot key of one prebuild.
 * @param configuration configuration name (SPEC.md `name`)
 * @param sha the full commit sha that was prebuilt
 * @param prebuildId the app's prebuild id
 */
export function snapshotKey(configuration: string, sha: string, prebuildId: string | number): string {
  return `${SNAPSHOT_KEY_PREFIX}/${keySegment(configuration)}/${sha}/${prebuildId}`;
}

/** Prefix shared by every snapshot of a configuration (for listing or deleting them). */
export function snapshotKeyPrefix(configuration: string): string {
  return `${SNAPSHOT_KEY_PREFIX}/${keySegment(configuration)}/`;
}

/** Parses a key made by {@link snapshotKey}; `null` for anything else. */
export function parseSnapshotKey(key: string): { configuration: string; sha: string; prebuildId: string } | null {
  const m = /^prebuilds-v1\/([A-Za-z0-9._-]+)\/([0-9a-f]{7,64})\/([A-Za-z0-9_-]+)$/.exec(key);
  return m ? { configuration: m[1]!, sha: m[2]!, prebuildId: m[3]! } : null;
}
