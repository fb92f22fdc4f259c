/**
 * The `actions-cache` snapshot store: the Actions cache carries our own snapshot
 * archive (src/lifecycle/snapshot/archive.ts: `.git` left out, secrets scanned while
 * archiving) as one file, `snapshot.tar.zst`, saved with @actions/cache's saveCache
 * under an exact key.
 *
 * - Save: the archive is written to a temporary directory and saved from there with
 *   the relative path `snapshot.tar.zst` (working directory and `GITHUB_WORKSPACE`
 *   pointed at it for the call), so the cache "version" (a hash of the paths) never
 *   depends on where the runner keeps its files. The size is our archive's.
 * - Restore never lets @actions/cache extract (it uses `tar -P`): the entry is
 *   downloaded with the library's own functions (cache-download.ts), its outer
 *   archive is extracted by the guarded extractor into a temporary directory, where
 *   it must hold exactly `snapshot.tar.zst`, which is then extracted, guarded, into
 *   the target. A crafted entry is refused before anything lands outside.
 * - restoreCache matches keys as prefixes (`…/4` would find `…/42`): lookups check
 *   that the matched key is exactly ours.
 * - saveCache swallows failures (a taken key, an upload error) into log lines and
 *   returns -1: the store turns that into an error.
 */
import * as cache from '@actions/cache';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createArchive, excludePatterns, extractArchive } from '../../../src/lifecycle/snapshot/archive.js';
import { SnapshotExistsError, type RestoreOptions, type SaveOptions, type SnapshotMetadata, type SnapshotStore } from './store.js';
import { Env } from '../constants.js';
import { downloadCacheArchive } from './cache-download.js';

/** The one file an entry holds. */
export const CACHE_ARCHIVE = 'snapshot.tar.zst';

/** The calls used from @actions/cache (a seam for tests). */
export interface CacheApi {
  saveCache(paths: string[], key: string): Promise<number>;
  restoreCache(paths: string[], key: string, restoreKeys?: string[], options?: { lookupOnly?: boolean }): Promise<string | undefined>;
  /** Downloads the entry saved under exactly `key` to `archivePath` without extracting it; `false` when there is none. */
  downloadArchive(paths: string[], key: string, archivePath: string): Promise<boolean>;
}

/** @actions/cache, with the download that does not extract. */
const actionsCache: CacheApi = { saveCache: cache.saveCache, restoreCache: cache.restoreCache, downloadArchive: downloadCacheArchive };

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

/** The reason @actions/cache logged for a failed save, if any. */
export function loggedSaveFailure(stdout: string): string | null {
  const m = /^(?:::(?:warning|error)[^:]*::)?(Failed to save: .*|Cache reservation failed: .*)$/m.exec(stdout);
  return m ? m[1]!.trim() : null;
}

/** The Actions cache store. Requires the runner's cache service (see `cacheServiceAvailable`). */
export class ActionsCacheStore implements SnapshotStore {
  readonly description = 'Actions cache';

  /**
   * @param api defaults to @actions/cache
   * @param tempRoot where archives are staged (default `RUNNER_TEMP`, else the OS temp directory)
   */
  constructor(
    private readonly api: CacheApi = actionsCache,
    private readonly tempRoot: string = process.env[Env.RunnerTemp] || os.tmpdir(),
  ) {}

  private async withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(this.tempRoot, 'prebuild-snapshot-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `paths` are archived from `cwd`; the entry itself always holds {@link CACHE_ARCHIVE}. */
  async save(key: string, paths: readonly string[], cwd: string, _metadata?: SnapshotMetadata, options?: SaveOptions): Promise<{ bytes: number }> {
    return this.withTemp(async (dir) => {
      const exclude = excludePatterns(options?.exclude ?? []);
      const { bytes } = await createArchive({ cwd, paths, secrets: options?.secrets, exclude }, path.join(dir, CACHE_ARCHIVE));
      const upload = () => inWorkspace(dir, () => this.api.saveCache([CACHE_ARCHIVE], key));
      const { value: cacheId, stdout } = options?.timer ? await options.timer.time('upload', upload) : await upload();
      if (cacheId === -1) {
        const reason = loggedSaveFailure(stdout);
        if (reason && /another job may be creating this cache|already exists/i.test(reason)) throw new SnapshotExistsError(key);
        throw new Error(`Saving snapshot "${key}" to the Actions cache failed${reason ? `: ${reason}` : ' (see the log above)'}`);
      }
      return { bytes };
    });
  }

  /** @throws UnsafeArchiveError when the entry holds anything but one snapshot archive, or the archive escapes `cwd` */
  async restore(key: string, _paths: readonly string[], cwd: string, options?: RestoreOptions): Promise<boolean> {
    return this.withTemp(async (dir) => {
      const download = path.join(dir, 'entry.tar');
      const fetch = () => this.api.downloadArchive([CACHE_ARCHIVE], key, download);
      if (!(await (options?.timer ? options.timer.time('download', fetch) : fetch()))) return false;
      const outer = path.join(dir, 'entry');
      await mkdir(outer);
      await extractArchive(download, outer);
      const names = await readdir(outer);
      const inner = path.join(outer, CACHE_ARCHIVE);
      if (names.length !== 1 || names[0] !== CACHE_ARCHIVE || !(await lstat(inner)).isFile()) {
        throw new Error(`The Actions cache entry "${key}" holds ${names.join(', ') || 'nothing'}, not one ${CACHE_ARCHIVE}: not a snapshot of this action`);
      }
      await rm(download);
      await extractArchive(inner, cwd, { exclude: options?.exclude });
      return true;
    });
  }

  async exists(key: string): Promise<boolean> {
    const { value: matched } = await inWorkspace(this.tempRoot, () => this.api.restoreCache([CACHE_ARCHIVE], key, [], { lookupOnly: true }));
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
