/**
 * Shapes shared by REST responses and webhook payloads: users, repositories,
 * apps, timestamps. URLs point at the stand-in (`serverUrl` for HTML pages,
 * `apiUrl` for the API), exactly as a GitHub Enterprise Server would present them.
 */
import type { StandInState } from '../state.js';
import { ACTIONS_APP } from '../state.js';
import type { RepoRecord } from '../types.js';

/** GitHub's timestamp format: ISO 8601 in UTC without milliseconds. */
export function iso(d: Date): string {
  const s = d.toISOString();
  // `YYYY-MM-DDTHH:mm:ss.sssZ` (years 0–9999): the seconds end at 19.
  return s.length === 24 ? `${s.slice(0, 19)}Z` : s.replace(/\.\d{3}Z$/, 'Z');
}

/** Same as {@link iso} for nullable dates. */
export function isoOrNull(d: Date | null): string | null {
  return d ? iso(d) : null;
}

/** A GitHub-looking node id (base64 of kind + id). */
export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64').replace(/=+$/, '');
}

/** Stable numeric id for a login (users have no records in the stand-in). */
export function userId(login: string): number {
  let h = 0;
  for (const c of login) h = (h * 31 + c.charCodeAt(0)) % 90_000_000;
  return 10_000 + h;
}

/**
 * What every payload of one stand-in repeats: users and repository URL blocks, built once
 * per stand-in (by its URLs) and copied out, so that a `push` payload does not rebuild
 * some forty URLs and node ids (the benchmarks send thousands a second). The cached
 * objects hold only strings, numbers and booleans: a shallow copy is a full copy.
 */
interface PayloadCache {
  serverUrl: string;
  users: Map<string, ReturnType<typeof buildUser>>;
  repoUrls: Map<number, Record<string, string>>;
  host: string;
  hostname: string;
}

const caches = new WeakMap<StandInState, PayloadCache>();

/** The cache of `state` for its current URLs (a new one if the stand-in's URL changed). */
function cacheOf(state: StandInState): PayloadCache {
  let c = caches.get(state);
  if (!c || c.serverUrl !== state.serverUrl) {
    const url = state.serverUrl ? new URL(state.serverUrl) : null;
    c = { serverUrl: state.serverUrl, users: new Map(), repoUrls: new Map(), host: url?.host ?? '', hostname: url?.hostname ?? '' };
    caches.set(state, c);
  }
  return c;
}

/** `host[:port]` of the stand-in's HTML URL (git and ssh URLs). */
export function serverHost(state: StandInState): string {
  return cacheOf(state).host;
}

/** Host name of the stand-in's HTML URL (noreply e-mail addresses). */
export function serverHostname(state: StandInState): string {
  return cacheOf(state).hostname;
}

function buildUser(state: StandInState, login: string, kind: 'User' | 'Organization' | 'Bot') {
  const api = state.apiUrl;
  const id = userId(login);
  const l = encodeURIComponent(login);
  return {
    login,
    id,
    node_id: nodeId(kind, id),
    avatar_url: `${state.serverUrl}/avatars/u/${id}`,
    gravatar_id: '',
    url: `${api}/users/${l}`,
    html_url: `${state.serverUrl}/${l}`,
    followers_url: `${api}/users/${l}/followers`,
    following_url: `${api}/users/${l}/following{/other_user}`,
    gists_url: `${api}/users/${l}/gists{/gist_id}`,
    starred_url: `${api}/users/${l}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/users/${l}/subscriptions`,
    organizations_url: `${api}/users/${l}/orgs`,
    repos_url: `${api}/users/${l}/repos`,
    events_url: `${api}/users/${l}/events{/privacy}`,
    received_events_url: `${api}/users/${l}/received_events`,
    type: kind,
    site_admin: false,
  };
}

/**
 * A user as GitHub's `simple-user` (REST) and webhook `user` schemas describe it.
 * Logins ending in `[bot]` are `Bot`s. Each call returns a new object.
 */
export function user(state: StandInState, login: string, type?: 'User' | 'Organization' | 'Bot') {
  const kind = type ?? (login.endsWith('[bot]') ? 'Bot' : 'User');
  const users = cacheOf(state).users;
  const key = `${kind}:${login}`;
  let u = users.get(key);
  if (!u) {
    u = buildUser(state, login, kind);
    users.set(key, u);
  }
  return Object.assign({}, u);
}

/** Login of the app's bot user (`<slug>[bot]`), the actor of what the app does. */
export function botLogin(state: StandInState): string {
  return `${state.app.slug}[bot]`;
}

const REPO_API_URLS: Record<string, string> = {
  forks_url: '/forks',
  keys_url: '/keys{/key_id}',
  collaborators_url: '/collaborators{/collaborator}',
  teams_url: '/teams',
  hooks_url: '/hooks',
  issue_events_url: '/issues/events{/number}',
  events_url: '/events',
  assignees_url: '/assignees{/user}',
  branches_url: '/branches{/branch}',
  tags_url: '/tags',
  blobs_url: '/git/blobs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  git_refs_url: '/git/refs{/sha}',
  trees_url: '/git/trees{/sha}',
  statuses_url: '/statuses/{sha}',
  languages_url: '/languages',
  stargazers_url: '/stargazers',
  contributors_url: '/contributors',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  commits_url: '/commits{/sha}',
  git_commits_url: '/git/commits{/sha}',
  comments_url: '/comments{/number}',
  issue_comment_url: '/issues/comments{/number}',
  contents_url: '/contents/{+path}',
  compare_url: '/compare/{base}...{head}',
  merges_url: '/merges',
  archive_url: '/{archive_format}{/ref}',
  downloads_url: '/downloads',
  issues_url: '/issues{/number}',
  pulls_url: '/pulls{/number}',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  labels_url: '/labels{/name}',
  releases_url: '/releases{/id}',
  deployments_url: '/deployments',
};

/** API base URL of a repository: `${apiUrl}/repos/{owner}/{repo}`. */
export function repoApiUrl(state: StandInState, repo: RepoRecord): string {
  return `${state.apiUrl}/repos/${repo.owner}/${repo.name}`;
}

/** HTML URL of a repository: `${serverUrl}/{owner}/{repo}`. */
export function repoHtmlUrl(state: StandInState, repo: RepoRecord): string {
  return `${state.serverUrl}/${repo.owner}/${repo.name}`;
}

/** The `*_url` fields of a repository (REST and webhooks), built once per repository. */
function repoUrls(state: StandInState, repo: RepoRecord): Record<string, string> {
  const cache = cacheOf(state).repoUrls;
  let urls = cache.get(repo.id);
  if (!urls) {
    const api = repoApiUrl(state, repo);
    urls = {};
    for (const k in REPO_API_URLS) urls[k] = `${api}${REPO_API_URLS[k]}`;
    cache.set(repo.id, urls);
  }
  return urls;
}

/** The fields of GitHub's `minimal-repository` / webhook `repository-lite`. */
export function repositoryLite(state: StandInState, repo: RepoRecord, ownerLogin = repo.owner, fork = false) {
  const api = repoApiUrl(state, repo);
  // Object.assign, not a spread: spreading objects this large into a literal costs V8 ~100 µs.
  return Object.assign(
    {
      id: repo.id,
      node_id: nodeId('Repository', repo.id),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: repo.private,
      owner: user(state, ownerLogin),
      html_url: repoHtmlUrl(state, repo),
      description: null as string | null,
      fork,
      url: api,
    },
    repoUrls(state, repo),
  );
}

/**
 * The counters and flags of a full repository. `timestamps: 'unix'` gives
 * `created_at`/`pushed_at` as seconds (what `push` payloads carry).
 */
function repositoryDetails(state: StandInState, repo: RepoRecord, sizeKiB: number, timestamps: 'iso' | 'unix') {
  const host = serverHost(state);
  const html = repoHtmlUrl(state, repo);
  const openIssues = state.issues.filter((i) => i.repoId === repo.id && i.state === 'open').length;
  return {
    created_at: timestamps === 'unix' ? Math.floor(repo.createdAt.getTime() / 1000) : iso(repo.createdAt),
    updated_at: iso(repo.pushedAt),
    pushed_at: timestamps === 'unix' ? Math.floor(repo.pushedAt.getTime() / 1000) : iso(repo.pushedAt),
    git_url: `git://${host}/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@${host}:${repo.owner}/${repo.name}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: null,
    size: sizeKiB,
    stargazers_count: 0,
    watchers_count: 0,
    language: 'JavaScript',
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: openIssues,
    license: null,
    forks: 0,
    open_issues: openIssues,
    watchers: 0,
    default_branch: repo.defaultBranch,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [] as string[],
    visibility: repo.private ? 'private' : 'public',
  };
}

/** GitHub's `full-repository` (GET /repos/{owner}/{repo}). */
export function fullRepository(state: StandInState, repo: RepoRecord, sizeKiB: number) {
  return Object.assign(repositoryLite(state, repo), repositoryDetails(state, repo, sizeKiB, 'iso'), {
    allow_forking: true,
    network_count: 0,
    subscribers_count: 0,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
  });
}

/** The webhook `repository` object (`timestamps: 'unix'` for `push` events). */
export function webhookRepository(state: StandInState, repo: RepoRecord, sizeKiB: number, timestamps: 'iso' | 'unix' = 'iso') {
  return Object.assign(repositoryLite(state, repo), repositoryDetails(state, repo, sizeKiB, timestamps), { custom_properties: {} });
}

/** Permissions the app is installed with. */
export const APP_PERMISSIONS = {
  actions: 'write',
  checks: 'write',
  contents: 'read',
  issues: 'write',
  metadata: 'read',
  pull_requests: 'read',
} as const;

/** Events the app subscribes to. */
export const APP_EVENTS = ['check_run', 'pull_request', 'push', 'workflow_run'];

/**
 * A GitHub App object (REST `integration`, webhook `app`): the app under test,
 * or GitHub Actions for job check runs.
 */
export function appObject(state: StandInState, which: 'app' | 'actions') {
  const a = which === 'app' ? state.app : ACTIONS_APP;
  const created = new Date('2024-01-01T00:00:00Z');
  return {
    id: a.id,
    slug: a.slug,
    node_id: nodeId('Integration', a.id),
    owner: user(state, which === 'app' ? state.ownerLogin : 'github', which === 'app' ? 'User' : 'Organization'),
    name: a.name,
    description: which === 'app' ? 'Prebuilt dev environments' : 'Automate your workflow from idea to production',
    external_url: which === 'app' ? state.serverUrl : 'https://help.github.com/actions',
    html_url: `${state.serverUrl}/apps/${a.slug}`,
    created_at: iso(created),
    updated_at: iso(created),
    permissions: which === 'app' ? { ...APP_PERMISSIONS } : { actions: 'write', checks: 'write', contents: 'write', metadata: 'read' },
    events: which === 'app' ? [...APP_EVENTS] : [],
  };
}

/**
 * An installation of the app on `account`'s user account, as REST `installation` and the
 * webhook `installation` describe it; `at` is its creation time, ISO (REST) or Unix seconds (webhooks).
 */
export function installationObject<T extends string | number>(state: StandInState, id: number, account: string, at: T) {
  const owner = user(state, account);
  return {
    id,
    account: owner,
    repository_selection: 'selected' as const,
    access_tokens_url: `${state.apiUrl}/app/installations/${id}/access_tokens`,
    repositories_url: `${state.apiUrl}/installation/repositories`,
    html_url: `${state.serverUrl}/settings/installations/${id}`,
    app_id: state.app.id,
    app_slug: state.app.slug,
    target_id: owner.id,
    target_type: 'User' as const,
    permissions: { ...APP_PERMISSIONS },
    events: [...APP_EVENTS],
    created_at: at,
    updated_at: at,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}
