/** ActionsCacheCatalog against a local HTTP server standing in for the REST API (real @octokit/rest, real fetch). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionsCacheCatalog, visibleRefs } from '../../action/src/snapshot/cache-catalog.js';

const sha1 = '1'.repeat(40);
const sha2 = '2'.repeat(40);
let server: Server;
let baseUrl: string;
const requests: Array<{ url: URL; auth: string | undefined }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push({ url, auth: req.headers.authorization });
    if (url.pathname !== '/repos/octo/app/actions/caches') {
      res.writeHead(404).end('{"message":"Not Found"}');
      return;
    }
    const ref = url.searchParams.get('ref');
    const all = [
      { id: 1, key: `prebuilds-v1/web/${sha1}/1`, ref: 'refs/heads/main', created_at: '2026-01-01T00:00:00Z', size_in_bytes: 100 },
      { id: 2, key: `prebuilds-v1/web/${sha2}/2`, ref: 'refs/heads/feature', created_at: '2026-01-02T00:00:00Z', size_in_bytes: 200 },
      { id: 3, key: 'prebuilds-v1/web/not-a-sha/3', ref: 'refs/heads/main', created_at: '2026-01-02T00:00:00Z', size_in_bytes: 1 },
    ].filter((c) => c.key.startsWith(url.searchParams.get('key') ?? '') && (!ref || c.ref === ref));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ total_count: all.length, actions_caches: all }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ActionsCacheCatalog', () => {
  it('lists the entries of the visible refs by key prefix, with the token, parsing the sha from the key', async () => {
    requests.length = 0;
    const catalog = new ActionsCacheCatalog({ repository: 'octo/app', refs: ['refs/heads/feature', 'refs/heads/main'], token: 'tok', baseUrl });
    const list = await catalog.list('prebuilds-v1/web/');
    expect(list.map((l) => [l.key, l.sha, l.identity, l.bytes])).toEqual([
      [`prebuilds-v1/web/${sha2}/2`, sha2, null, 200],
      [`prebuilds-v1/web/${sha1}/1`, sha1, null, 100],
    ]);
    expect(requests.map((r) => r.url.searchParams.get('ref'))).toEqual(['refs/heads/feature', 'refs/heads/main']);
    expect(requests.every((r) => r.url.searchParams.get('key') === 'prebuilds-v1/web/' && r.auth === 'token tok')).toBe(true);
  });

  it('fails clearly without a token or with a bad repository, and passes API errors on', async () => {
    expect(() => new ActionsCacheCatalog({ repository: 'octo/app', refs: [], token: '' })).toThrow(/without a token/);
    expect(() => new ActionsCacheCatalog({ repository: 'octo', refs: [], token: 't' })).toThrow(/not owner\/repo/);
    await expect(new ActionsCacheCatalog({ repository: 'octo/other', refs: [], token: 't', baseUrl }).list('p')).rejects.toThrow(/Not Found/);
  });
});

describe('visibleRefs', () => {
  it('is the run ref, the base branch of a pull request, and the default branch', () => {
    expect(visibleRefs({ GITHUB_REF: 'refs/pull/5/merge', GITHUB_BASE_REF: 'dev' }, 'main')).toEqual([
      'refs/pull/5/merge',
      'refs/heads/dev',
      'refs/heads/main',
    ]);
    expect(visibleRefs({ GITHUB_REF: 'refs/heads/main' }, 'main')).toEqual(['refs/heads/main']);
    expect(visibleRefs({}, null)).toEqual([]);
  });
});
