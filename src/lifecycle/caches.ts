/**
 * Package-manager caches kept in the snapshot (issue 15 item 3), so that an
 * `onCreateCommand` re-run after a dependency-file change installs from the cache
 * instead of downloading everything again (Codespaces keeps them: it snapshots the
 * whole disk). The caches live outside the sources but inside the snapshot: the
 * hooks' cache variables (`npm_config_cache`, `PIP_CACHE_DIR`, …) point at
 * `.prebuilds/caches/<manager>` (inside the marker directory, which plan.ts adds to
 * any `paths`). They are saved as a snapshot part of their own, keyed by the
 * dependency files (caches-part.ts): archived, scanned for secrets and extracted
 * (guarded) like the rest of the snapshot, and restored before any hook runs when a
 * dependency file changed since the base.
 *
 * Which managers: the configuration's `caches` setting (prebuilds.yml): `true`
 * (default) detects them from the files at the workspace root ({@link CACHE_DETECTION}),
 * `false` keeps none, a list keeps exactly those. A variable the environment already
 * sets (the runner, `containerEnv`, `remoteEnv`) is left alone: that cache is the
 * user's choice and is not kept.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_MANAGERS, type CachesSetting, type PackageManager } from '../config/caches.js';
import { MARKER_DIR } from './marker.js';

export { PACKAGE_MANAGERS, type CachesSetting, type PackageManager } from '../config/caches.js';

/** Workspace-relative directory holding the caches (inside the marker directory, so every snapshot holds it). */
export const CACHES_DIR = `${MARKER_DIR}/caches`;

/** Files at the workspace root that show a manager is used (lockfiles, or the build file where there is none). */
export const CACHE_DETECTION: Record<PackageManager, readonly string[]> = {
  npm: ['package-lock.json', 'npm-shrinkwrap.json'],
  yarn: ['yarn.lock'],
  pnpm: ['pnpm-lock.yaml'],
  pip: ['requirements.txt', 'Pipfile.lock', 'poetry.lock'],
  uv: ['uv.lock'],
  cargo: ['Cargo.lock'],
  go: ['go.sum'],
  gradle: ['gradle.lockfile', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts'],
  maven: ['pom.xml'],
};

/**
 * The variables pointing one manager's cache at `dir` (absolute). cargo and gradle
 * have no cache-only variable: `CARGO_HOME` / `GRADLE_USER_HOME` move their whole
 * home (installed binaries and user settings there are not seen by the hooks).
 */
function variablesFor(manager: PackageManager, dir: string, env: NodeJS.ProcessEnv): Record<string, string> {
  switch (manager) {
    case 'npm':
      return { npm_config_cache: dir, npm_config_prefer_offline: 'true' };
    case 'yarn':
      // Yarn 1 reads YARN_CACHE_FOLDER; Yarn 2+ maps it to `cacheFolder`, used once the global cache is off.
      return { YARN_CACHE_FOLDER: dir, YARN_ENABLE_GLOBAL_CACHE: 'false' };
    case 'pnpm':
      return { npm_config_store_dir: path.join(dir, 'store'), npm_config_cache_dir: path.join(dir, 'metadata'), npm_config_prefer_offline: 'true' };
    case 'pip':
      return { PIP_CACHE_DIR: dir };
    case 'uv':
      return { UV_CACHE_DIR: dir };
    case 'cargo':
      return { CARGO_HOME: dir };
    case 'go':
      return { GOMODCACHE: path.join(dir, 'mod'), GOCACHE: path.join(dir, 'build') };
    case 'gradle':
      return { GRADLE_USER_HOME: dir };
    case 'maven':
      // Maven 3.9+ adds MAVEN_ARGS to every invocation.
      return { MAVEN_ARGS: `${env.MAVEN_ARGS ? `${env.MAVEN_ARGS} ` : ''}-Dmaven.repo.local=${path.join(dir, 'repository')}` };
  }
}

/** Variables that only tune how a cache is used: added when unset, never a reason to leave a cache alone. */
const TUNING = new Set(['npm_config_prefer_offline', 'YARN_ENABLE_GLOBAL_CACHE']);

/** What {@link packageCaches} decided. */
export interface PackageCaches {
  /** Managers whose cache is kept, in {@link PACKAGE_MANAGERS} order. */
  kept: PackageManager[];
  /** Managers wanted but left alone, with the reason (their variable is already set, zero-install). */
  skipped: Array<{ manager: PackageManager; reason: string }>;
  /** The variables to add to the hooks' environment. */
  env: Record<string, string>;
}

/**
 * Decides which package-manager caches the snapshot keeps and the variables that
 * point them into it (see the module comment). Reads only whether files exist.
 * @param setting the configuration's `caches` setting
 * @param workspace absolute path of the checkout
 * @param env the hooks' environment without the cache variables
 */
export function packageCaches(setting: CachesSetting, workspace: string, env: NodeJS.ProcessEnv): PackageCaches {
  const out: PackageCaches = { kept: [], skipped: [], env: {} };
  if (setting === false) return out;
  const wanted = setting === true ? PACKAGE_MANAGERS.filter((m) => CACHE_DETECTION[m].some((f) => existsSync(path.join(workspace, f)))) : setting;
  for (const manager of PACKAGE_MANAGERS) {
    if (!wanted.includes(manager)) continue;
    if (manager === 'yarn' && existsSync(path.join(workspace, '.yarn/cache'))) {
      out.skipped.push({ manager, reason: 'the repository has its own .yarn/cache (zero-install)' });
      continue;
    }
    const vars = variablesFor(manager, path.join(workspace, CACHES_DIR, manager), env);
    const taken = Object.keys(vars).find((name) =>
      name === 'MAVEN_ARGS' ? /-Dmaven\.repo\.local=/.test(env[name] ?? '') : !TUNING.has(name) && env[name] !== undefined,
    );
    if (taken) {
      out.skipped.push({ manager, reason: `${taken} is already set by the environment` });
      continue;
    }
    out.kept.push(manager);
    for (const [name, value] of Object.entries(vars)) if (!TUNING.has(name) || env[name] === undefined) out.env[name] = value;
  }
  return out;
}

/** Logs which caches the snapshot keeps (and which not, with why). */
export function logCaches(caches: PackageCaches, log: { info(line: string): void }): void {
  if (caches.kept.length > 0) log.info(`Package-manager caches kept in the snapshot (${CACHES_DIR}): ${caches.kept.join(', ')}`);
  for (const s of caches.skipped) log.info(`Package-manager cache of ${s.manager} not kept: ${s.reason}`);
}
