/**
 * Repository endpoints answered from the bare git repository:
 * `GET /repos/{owner}/{repo}`, `.../contents/{path}`, `.../commits`,
 * `.../commits/{ref}`, `.../compare/{basehead}`, `.../branches/{branch}`.
 */
import { fullRepository, repoApiUrl, repoHtmlUrl } from '../payloads/common.js';
import { commitObject, contentItem, diffEntry, errorBody, validationError } from '../payloads/rest.js';
import { json, notFound, type Reply, type Route, type RouteRequest } from '../router.js';
import type { StandInState } from '../state.js';
import type { RepoRecord } from '../types.js';
import { paginate } from './paging.js';

/** Looks up `{owner}/{repo}` of a request; `null` → answer 404. */
export function repoOf(state: StandInState, req: RouteRequest): RepoRecord | null {
  return state.repo(req.params.owner ?? '', req.params.repo ?? '') ?? null;
}

/** GitHub inlines a file's content (base64) only up to 1 MB; above, `content` is empty and `encoding` is `none`. */
export const INLINE_CONTENT_LIMIT = 1024 * 1024;
/** The contents API serves files up to 100 MB (raw or object media type); larger ones get 403 `too_large`. */
const CONTENTS_MAX_BYTES = 100 * 1024 * 1024;

function wantsRaw(req: RouteRequest): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers.accept ?? ''));
}

async function getContents(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const ref = req.query.get('ref') || repo.defaultBranch;
  const sha = await repo.content.resolveCommit(ref);
  if (!sha) return json(404, errorBody(`No commit found for the ref ${ref}`, 404));
  const path = (req.params.path ?? '').replace(/^\/+|\/+$/g, '');
  const found = await repo.content.readPath(sha, path);
  if (!found) return notFound();
  if (found.kind === 'file') {
    if (found.content.length > CONTENTS_MAX_BYTES) {
      return json(403, {
        message:
          'This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.',
        errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
        documentation_url: 'https://docs.github.com/rest/repos/contents#get-repository-content',
        status: '403',
      });
    }
    if (wantsRaw(req)) {
      return {
        status: 200,
        text: found.content,
        contentType: 'application/vnd.github.raw; charset=utf-8',
        headers: { 'x-github-media-type': 'github.v3; param=raw' },
      };
    }
    const b64 = found.content.toString('base64').replace(/(.{60})/g, '$1\n');
    const item = contentItem(state, repo, ref, { path, type: found.mode === '120000' ? 'symlink' : 'file', sha: found.sha, size: found.content.length });
    if (item.type === 'symlink') return json(200, { ...item, target: found.content.toString('utf8') });
    if (found.content.length > INLINE_CONTENT_LIMIT) return json(200, { ...item, content: '', encoding: 'none' });
    return json(200, { ...item, content: b64.endsWith('\n') || b64 === '' ? b64 : `${b64}\n`, encoding: 'base64' });
  }
  return json(
    200,
    found.entries.map((e) =>
      contentItem(state, repo, ref, {
        path: path ? `${path}/${e.name}` : e.name,
        type: e.type === 'tree' ? 'dir' : e.type === 'commit' ? 'submodule' : e.mode === '120000' ? 'symlink' : 'file',
        sha: e.sha,
        size: e.type === 'blob' ? e.size : 0,
      }),
    ),
  );
}

async function listCommits(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const ref = req.query.get('sha') || repo.defaultBranch;
  const sha = await repo.content.resolveCommit(ref);
  if (!sha) return json(404, errorBody('Not Found', 404));
  const path = req.query.get('path') ?? undefined;
  const total = await repo.content.logCommits(sha, { path });
  const { page: slice, headers } = paginate(total, req.query, `${repoApiUrl(state, repo)}/commits`);
  return json(
    200,
    slice.map((c) => commitObject(state, repo, c)),
    headers,
  );
}

async function getCommit(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const ref = req.params.ref ?? '';
  const c = await repo.content.readCommit(ref);
  if (!c) return json(422, validationError(`No commit found for SHA: ${ref}`));
  return json(200, commitObject(state, repo, c, await repo.content.changedFiles(c.sha)));
}

async function compare(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const basehead = req.params.basehead ?? '';
  const parts = basehead.split('...');
  if (parts.length !== 2) return notFound();
  const [baseRef, headRef] = parts as [string, string];
  const base = await repo.content.readCommit(baseRef);
  const head = await repo.content.readCommit(headRef);
  if (!base || !head) return notFound();
  const mb = await repo.content.mergeBase(base.sha, head.sha);
  if (!mb) return notFound();
  const mergeBaseCommit = (await repo.content.readCommit(mb))!;
  const aheadBy = await repo.content.countCommits(base.sha, head.sha);
  const behindBy = await repo.content.countCommits(head.sha, base.sha);
  const status = aheadBy === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged';
  const commits = (await repo.content.logCommits(head.sha, { exclude: [base.sha], reverse: true })).slice(0, 250);
  const files = await repo.content.changedFiles(head.sha, mb);
  const html = repoHtmlUrl(state, repo);
  return json(200, {
    url: `${repoApiUrl(state, repo)}/compare/${basehead}`,
    html_url: `${html}/compare/${basehead}`,
    permalink_url: `${html}/compare/${repo.owner}:${base.sha.slice(0, 7)}...${repo.owner}:${head.sha.slice(0, 7)}`,
    diff_url: `${html}/compare/${basehead}.diff`,
    patch_url: `${html}/compare/${basehead}.patch`,
    base_commit: commitObject(state, repo, base),
    merge_base_commit: commitObject(state, repo, mergeBaseCommit),
    status,
    ahead_by: aheadBy,
    behind_by: behindBy,
    total_commits: aheadBy,
    commits: commits.map((c) => commitObject(state, repo, c)),
    files: files.map((f) => diffEntry(state, repo, head.sha, f)),
  });
}

/** `GET /repos/{owner}/{repo}/branches/{branch}`: an unprotected branch and its head commit. */
async function getBranch(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const name = req.params.branch ?? '';
  const sha = await repo.content.resolveCommit(`refs/heads/${name}`);
  const c = sha ? await repo.content.readCommit(sha) : null;
  if (!c) return json(404, errorBody('Branch not found', 404));
  const api = repoApiUrl(state, repo);
  return json(200, {
    name,
    commit: commitObject(state, repo, c),
    _links: { self: `${api}/branches/${encodeURIComponent(name)}`, html: `${repoHtmlUrl(state, repo)}/tree/${name}` },
    protected: false,
    protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
    protection_url: `${api}/branches/${encodeURIComponent(name)}/protection`,
  });
}

/** The repository routes. */
export function repoRoutes(state: StandInState): Route[] {
  const withRepo =
    (fn: (state: StandInState, repo: RepoRecord, req: RouteRequest) => Promise<Reply>) =>
    async (req: RouteRequest): Promise<Reply> => {
      const repo = repoOf(state, req);
      return repo ? fn(state, repo, req) : notFound();
    };
  return [
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}',
      auth: 'installation',
      handle: withRepo(async (s, repo) => json(200, fullRepository(s, repo, await repo.content.sizeKiB()))),
    },
    { method: 'GET', template: '/repos/{owner}/{repo}/contents/{path}', auth: 'installation', handle: withRepo(getContents) },
    { method: 'GET', template: '/repos/{owner}/{repo}/commits', auth: 'installation', handle: withRepo(listCommits) },
    { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}', auth: 'installation', handle: withRepo(getCommit) },
    { method: 'GET', template: '/repos/{owner}/{repo}/compare/{basehead}', auth: 'installation', handle: withRepo(compare) },
    { method: 'GET', template: '/repos/{owner}/{repo}/branches/{branch}', auth: 'installation', handle: withRepo(getBranch) },
  ];
}
