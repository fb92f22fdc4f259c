/**
 * The `caches` setting of a prebuilds.yml entry: which package-manager caches the
 * snapshot keeps (src/lifecycle/caches.ts applies it). `true` (default) detects
 * the managers from the lockfiles present, `false` keeps none, a list (or one
 * name) keeps exactly those.
 */

/** The package managers whose caches can be kept. */
export const PACKAGE_MANAGERS = ['npm', 'yarn', 'pnpm', 'pip', 'uv', 'cargo', 'go', 'gradle', 'maven'] as const;

/** One of {@link PACKAGE_MANAGERS}. */
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** The `caches` setting: `true` detects from the files present, `false` keeps none, a list keeps exactly those. */
export type CachesSetting = boolean | PackageManager[];

/**
 * Parses the `caches` value of a prebuilds.yml entry.
 * @returns the setting (a list in {@link PACKAGE_MANAGERS} order, without duplicates),
 *   or a problem message for another type or an unknown manager
 */
export function parseCachesSetting(value: unknown): { setting: CachesSetting } | { problem: string } {
  if (typeof value === 'boolean') return { setting: value };
  const names: unknown[] | null = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (names === null) return { problem: '`caches` must be `true`, `false` or a list of package managers' };
  const unknown = names.find((n) => typeof n !== 'string' || !(PACKAGE_MANAGERS as readonly string[]).includes(n));
  if (unknown !== undefined) return { problem: `\`caches\`: unknown package manager \`${String(unknown)}\` (known: ${PACKAGE_MANAGERS.join(', ')})` };
  return { setting: PACKAGE_MANAGERS.filter((m) => names.includes(m)) };
}
