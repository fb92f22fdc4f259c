import type { FileSource } from '../config/model.js';
import { UnreadableFileError, decodeUtf8, maxFileBytesFromEnv, tooLarge } from '../config/read-limits.js';
import { isStatus, type Octokit, type RepoParams } from './octokit.js';

/** The raw media type of the contents API: the response body is the file's bytes (files up to 100 MB). */
export const RAW_MEDIA_TYPE = 'application/vnd.github.raw+json';

/** Options of {@link repoFileSource}. */
export interface RepoFileSourceOptions {
  /** Size cap per file, bytes; default {@link maxFileBytesFromEnv} (1 MiB unless `PREBUILDS_MAX_CONFIG_FILE_BYTES` says otherwise). */
  maxFileBytes?: number;
}

interface ContentItem {
  type?: string;
  size?: number;
  content?: string;
  encoding?: string;
}

/** Reads a response body stream, refusing (and cancelling) it past `maxBytes`. */
async function readCapped(body: unknown, path: string, maxBytes: number): Promise<Uint8Array> {
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  const stream = body as ReadableStream<Uint8Array> | null;
  if (!stream || typeof stream.getReader !== 'function') return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(path, null, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * A {@link FileSource} over the contents API at one commit
 * (`GET /repos/{owner}/{repo}/contents/{path}?ref=`). Each path is fetched at most
 * once per source; a missing path (404) reads as `null`, a directory too.
 *
 * A file's metadata comes first (the object media type): its `size` is checked against
 * the cap before any content is taken. GitHub inlines the content (base64) only for
 * files up to 1 MB; for larger ones it answers `encoding: "none"` with no content,
 * and the bytes are fetched with the raw media type ({@link RAW_MEDIA_TYPE}), read as
 * a stream that is cancelled past the cap, so a large devcontainer.json or Dockerfile
 * never fails a delivery. A symlink whose target is not a file of the repository
 * (GitHub then describes the link itself) and a submodule are
 * {@link UnreadableFileError}s, as are files over the cap and, for `strict` reads,
 * invalid UTF-8. Other errors are thrown (Octokit's RequestError) so the delivery is retried.
 */
export function repoFileSource(octokit: Octokit, repo: RepoParams, ref: string, options: RepoFileSourceOptions = {}): FileSource {
  const maxBytes = options.maxFileBytes ?? maxFileBytesFromEnv();
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
  const raw = async (path: string): Promise<Uint8Array> => {
    const response = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repo,
      path,
      ref,
      headers: { accept: RAW_MEDIA_TYPE },
      request: { parseSuccessResponseBody: false },
    });
    const length = Number(response.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes) {
      await (response.data as unknown as ReadableStream | null)?.cancel?.().catch(() => undefined);
      throw tooLarge(path, length, maxBytes);
    }
    return readCapped(response.data, path, maxBytes);
  };
  return {
    async read(path, readOptions) {
      const data = (await get(path)) as ContentItem | ContentItem[] | null;
      if (!data || Array.isArray(data) || data.type === 'dir') return null;
      if (data.type === 'symlink') throw new UnreadableFileError(path, 'is a symlink whose target is not a file of the repository');
      if (data.type === 'submodule') throw new UnreadableFileError(path, 'is a submodule, not a file');
      if (data.type !== 'file') return null;
      if (typeof data.size === 'number' && data.size > maxBytes) throw tooLarge(path, data.size, maxBytes);
      const inline = data.encoding !== 'none' && typeof data.content === 'string' && (data.content !== '' || data.size === 0);
      const bytes = inline ? Buffer.from(data.content!, (data.encoding as BufferEncoding) || 'base64') : await raw(path);
      if (bytes.byteLength > maxBytes) throw tooLarge(path, bytes.byteLength, maxBytes);
      return decodeUtf8(path, bytes, readOptions?.strict === true);
    },
    async list(dir) {
      const data = await get(dir.replace(/\/+$/, '') || '.');
      if (!Array.isArray(data)) return null;
      return (data as Array<{ name: string }>).map((e) => e.name);
    },
  };
}
