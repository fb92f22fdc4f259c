/**
 * Lists the Actions cache entries of a configuration for restore mode, through
 * the REST API (`GET /repos/{owner}/{repo}/actions/caches?key=<prefix>&ref=`,
 * prefix match on the key) with @octokit/rest. @actions/cache itself can only
 * restore by key (and prefix-matches): it cannot list.
 *
 * Scope (REFERENCE.md "GitHub Actions cache"): a run can restore entries saved on
 * its own ref and on the default branch, and a pull_request run (ref
 * `refs/pull/N/merge`) also those of the base branch. Entries are listed for exactly
 * those refs, so an entry this run could not restore is never tried. The list
 * carries no identity: restore mode verifies it from the restored marker.
 */
import { Octokit } from '@octokit/rest';
import { parseSnapshotKey } from '../../../src/lifecycle/snapshot-key.js';
import type { SnapshotCatalog, SnapshotListing } from '../../../src/lifecycle/snapshot/store.js';
import { Env } from '../constants.js';

/** One entry of the list-caches response (the fields used). */
interface CacheEntry {
  key?: string;
  ref?: string;
  created_at?: string;
  size_in_bytes?: number;
}

/** The one REST call used: one page of `GET /repos/{owner}/{repo}/actions/caches` (a seam for tests). */
export type ListCachesPage = (params: {
  owner: string;
  repo: string;
  key: string;
  ref?: string;
  per_page: number;
  page: number;
}) => Promise<{ total_count: number; actions_caches: CacheEntry[] }>;

/** Where and as whom the catalog lists. */
export interface CacheCatalogOptions {
  /** `owner/repo` (`GITHUB_REPOSITORY`). */
  repository: string;
  /** Refs whose entries this run can restore, e.g. `refs/heads/feature`, `refs/heads/main`; empty: every ref. */
  refs: string[];
  /** Token with `actions: read` (the workflow's `github.token` has it). */
  token: string;
  /** REST base URL (`GITHUB_API_URL`), default `https://api.github.com`. */
  baseUrl?: string;
  /** Replaces the HTTP call (tests). */
  listPage?: ListCachesPage;
}

/** At most this many pages of 100 entries per ref are read. */
const MAX_PAGES = 10;

/**
 * The refs whose caches a run can restore: its own ref, the base branch of a pull
 * request, the default branch (deduplicated, in that order).
 */
export function visibleRefs(env: NodeJS.ProcessEnv, defaultBranch: string | null): string[] {
  const refs = [env[Env.Ref], env[Env.BaseRef] ? `refs/heads/${env[Env.BaseRef]}` : undefined, defaultBranch ? `refs/heads/${defaultBranch}` : undefined];
  return [...new Set(refs.filter((r): r is string => Boolean(r)))];
}

/** The Actions cache, listed through the REST API. */
export class ActionsCacheCatalog implements SnapshotCatalog {
  private readonly owner: string;
  private readonly repo: string;
  private readonly listPage: ListCachesPage;

  /** @throws Error when `repository` is not `owner/repo` or there is no token */
  constructor(private readonly options: CacheCatalogOptions) {
    const [owner, repo, ...rest] = options.repository.split('/');
    if (!owner || !repo || rest.length > 0) throw new Error(`Cannot list the Actions cache: "${options.repository}" is not owner/repo (${Env.Repository})`);
    if (!options.token && !options.listPage)
      throw new Error('Cannot list the Actions cache without a token: set the "token" input (default ${{ github.token }}, needs actions: read)');
    this.owner = owner;
    this.repo = repo;
    if (options.listPage) {
      this.listPage = options.listPage;
    } else {
      const quiet = (): void => undefined; // failures are thrown with the API's message, not logged twice
      const octokit = new Octokit({
        auth: options.token,
        baseUrl: options.baseUrl || 'https://api.github.com',
        userAgent: 'prebuilds-action',
        log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      });
      this.listPage = async (params) => (await octokit.rest.actions.getActionsCacheList(params)).data;
    }
  }

  /** @throws Error with the API's message when a call fails (e.g. 403 without `actions: read`) */
  async list(prefix: string): Promise<SnapshotListing[]> {
    const seen = new Map<string, SnapshotListing>();
    for (const ref of this.options.refs.length > 0 ? this.options.refs : [undefined]) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const params = { owner: this.owner, repo: this.repo, key: prefix, per_page: 100, page, ...(ref ? { ref } : {}) };
        const data = await this.listPage(params);
        for (const e of data.actions_caches) {
          const parsed = e.key ? parseSnapshotKey(e.key) : null;
          if (!e.key || !parsed || !e.key.startsWith(prefix) || seen.has(e.key)) continue;
          seen.set(e.key, {
            key: e.key,
            sha: parsed.sha,
            configuration: parsed.configuration,
            identity: null,
            createdAt: e.created_at ?? '',
            bytes: typeof e.size_in_bytes === 'number' ? e.size_in_bytes : null,
            hooks: {},
          });
        }
        if (data.actions_caches.length < 100 || page * 100 >= data.total_count) break;
      }
    }
    return [...seen.values()];
  }
}
