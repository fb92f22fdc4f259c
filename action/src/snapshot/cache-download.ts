/**
 * Downloads an Actions cache entry's archive without extracting it.
 *
 * @actions/cache's `restoreCache` extracts what it downloads with `tar -P` (absolute
 * names kept, `..` allowed, symlinks followed): a crafted entry saved under a
 * snapshot key would write anywhere on the runner. Restore therefore uses the same
 * library's own lookup and download functions (cache service v2 through its twirp
 * client, v1 / GHES through its HTTP client; retries, Azure SDK downloads and
 * timeouts stay theirs) and extracts with our guarded extractor
 * (src/lifecycle/snapshot/archive.ts). Those functions are not in the package's
 * `exports` map, so they are imported by file; @actions/cache is pinned in
 * package-lock.json and a change of these signatures fails the type check and the
 * bundle build.
 */
import { downloadCache, getCacheEntry } from '../../../node_modules/@actions/cache/lib/internal/cacheHttpClient.js';
import { getCacheVersion, getCompressionMethod } from '../../../node_modules/@actions/cache/lib/internal/cacheUtils.js';
import { getCacheServiceVersion } from '../../../node_modules/@actions/cache/lib/internal/config.js';
import { internalCacheTwirpClient } from '../../../node_modules/@actions/cache/lib/internal/shared/cacheTwirpClient.js';

/**
 * Downloads the archive of the entry saved under exactly `key` with `paths` (the
 * same paths and compression as the save: they make the cache "version") to
 * `archivePath`.
 * @returns `false` when there is no such entry (or only a prefix match)
 * @throws Error when the cache service or the download fails
 */
export async function downloadCacheArchive(paths: string[], key: string, archivePath: string): Promise<boolean> {
  const compressionMethod = await getCompressionMethod();
  const version = getCacheVersion(paths, compressionMethod);
  if (getCacheServiceVersion() === 'v2') {
    const response = await internalCacheTwirpClient().GetCacheEntryDownloadURL({ key, restoreKeys: [], version });
    if (!response.ok || response.matchedKey !== key) return false;
    await downloadCache(response.signedDownloadUrl, archivePath, { useAzureSdk: true });
    return true;
  }
  const entry = await getCacheEntry([key], paths, { compressionMethod });
  if (!entry?.archiveLocation || entry.cacheKey !== key) return false;
  await downloadCache(entry.archiveLocation, archivePath, {});
  return true;
}
