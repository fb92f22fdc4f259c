/**
 * The `actions-cache` snapshot store: @actions/cache's saveCache / restoreCache
 * with exact keys and no restore keys.
 *
 * - @actions/cache resolves `paths` against the process's working directory and
 *   archives them relative to `GITHUB_WORKSPACE`; both are pointed at `cwd` for the
 *   duration of a call, and `paths` stay relative (`.`), so the cache "version"
 *   (a hash of the paths) does not depend on where the runner keeps its workspace.
 * - restoreCache matches the key as a prefix too (`…/4` would find `…/42`): a
 *   lookup-only call first checks that the matched key is exactly ours.
 * - saveCache swallows failures (a taken key, an upload error) into log lines and
 *   returns -1: the store turns that into an error.
 * - Size: saveCache 6 returns only the cache id and deletes its archive before
 *   returning. The size is the archive size @actions/cache itself logs
 *   (`::debug::File Size: N`), read from stdout while the call runs; if a future
 *   version stops logging it, the size is measured by compressing the same paths
 *   once more into a byte counter (an estimate: same tar, zstd level 3).
 */
import * as cache from '@actions/cache';
import { measureArchive } from '../../../src/lifecycle/snapshot/archive.js';
import { SnapshotExistsError, type SnapshotStore } from './store.js';
import { Env } from '../constants.js';

/** The calls used from @actions/cache (a seam for tests). */
export interface CacheApi {
  saveCache(paths: string[], key: string): Promise<number>;
  restoreCache(paths: string[], key: string, restoreKeys?: string[], options?: { lookupOnly?: boolean }): Promise<string | undefined>;
}

/**
 * Runs `fn` with the working directory and `GITHUB_WORKSPACE` set to `cwd`, and
 * everything written to stdout meanwhile also collected (still written through).
 */
export async function inWorkspace<T>(cwd: string, fn: () => Promise<T>): Promise<{ value: T; stdout: string }> {
  const prevCwd = process.cwd();
  const prevWorkspace = process.env[Env.Workspace];
  const write = process.stdout.write;
  let stdout = '';
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  try {
    process.chdir(cwd);
    process.env[Env.Workspace] = cwd;
    return { value: await fn(), stdout };
  } finally {
    process.stdout.write = write;
    process.chdir(prevCwd);
    if (prevWorkspace === undefined) delete process.env[Env.Workspace];
    else process.env[Env.Workspace] = prevWorkspace;
  }
}

/** The archive size @actions/cache logged while saving, bytes, or `null`. */
export function loggedArchiveSize(stdout: string): number | null {
  const m = /^::debug::File Size: (\d+)\s*$/m.exec(stdout);
  return m ? Number(m[1]) : null;
}

/** The reason @actions/cache logged for a failed save, if any. */
export function loggedSaveFailure(stdout: string): string | null {
  const m = /^(?:::(?:warning|error)[^:]*::)?(Failed to save: .*|Cache reservation failed: .*)$/m.exec(stdout);
  return m ? m[1]!.trim() : null;
}

/** The Actions cache store. Requires the runner's cache service (see `cacheServiceAvailable`). */
export class ActionsCacheStore implements SnapshotStore {
  readonly description = 'Actions cache';

  /** @param api defaults to @actions/cache */
  constructor(private readonly api: CacheApi = cache) {}

  async save(key: string, paths: readonly string[], cwd: string): Promise<{ bytes: number }> {
    const { value: cacheId, stdout } = await inWorkspace(cwd, () => this.api.saveCache([...paths], key));
    if (cacheId === -1) {
      const reason = loggedSaveFailure(stdout);
      if (reason && /another job may be creating this cache|already exists/i.test(reason)) throw new SnapshotExistsError(key);
      throw new Error(`Saving snapshot "${key}" to the Actions cache failed${reason ? `: ${reason}` : ' (see the log above)'}`);
    }
    const logged = loggedArchiveSize(stdout);
    const bytes = logged ?? (await measureArchive({ cwd, paths }));
    return { bytes };
  }

  async restore(key: string, paths: readonly string[], cwd: string): Promise<boolean> {
    if (!(await this.exists(key, paths, cwd))) return false;
    const { value: matched } = await inWorkspace(cwd, () => this.api.restoreCache([...paths], key));
    if (matched === undefined) return false;
    if (matched !== key) throw new Error(`The Actions cache restored "${matched}" instead of "${key}"`);
    return true;
  }

  /** @param cwd the directory the paths resolve against (only matters for absolute-path versions); default: current */
  async exists(key: string, paths: readonly string[], cwd = process.cwd()): Promise<boolean> {
    const { value: matched } = await inWorkspace(cwd, () => this.api.restoreCache([...paths], key, [], { lookupOnly: true }));
    return matched === key;
  }

  delete(key: string): Promise<boolean> {
    return Promise.reject(
      new Error(
        `Deleting "${key}" from the Actions cache needs the REST API (DELETE /repos/{owner}/{repo}/actions/caches?key=): the app does it, not the action`,
      ),
    );
  }
}
