import type { FileSource } from '../config/model.js';
import { isStatus, type Octokit, type RepoParams } from './octokit.js';

/**
 * A {@link FileSource} over the contents API at one commit
 * (`GET /repos/{owner}/{repo}/contents/{path}?ref=`). Each path is fetched at most
 * once per source; a missing path (404) reads as `null`. Other errors are thrown
 * (Octokit's RequestError) so the delivery is retried.
 */
export function repoFileSource(octokit: Octokit, repo: RepoParams, ref: string): FileSource {
  const cache = new Map<string, Promise<unknown>>();
  const get = (path: string): Promise<unknown> => {
    let hit = cache.get(path);
    if (!hit) {
      hit = octokit
        .request('GET /repos/{owner}/{repo}/contents/{path}', { ...repo, path, ref })
        .then((r) => r.data as unknown)
        .catch((error: unknown) => {
          if (isStatus(error, 404)) return null;
          throw error;
        });
      cache.set(path, hit);
    }
    return hit;
  };
  return {
    async read(path) {
      const data = (await get(path)) as { type?: string; content?: string; encoding?: string } | null;
      if (!data || Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string') return null;
      return Buffer.from(data.content, (data.encoding as BufferEncoding) || 'base64').toString('utf8');
    },
    async list(dir) {
      const data = await get(dir.replace(/\/+$/, '') || '.');
      if (!Array.isArray(data)) return null;
      return (data as Array<{ name: string }>).map((e) => e.name);
    },
  };
}
