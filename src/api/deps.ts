import type { AppDeps } from '../handlers/types.js';
import type { DirStore } from '../lifecycle/snapshot/dir-store.js';
import type { PrebuildRecord, RepoRef } from '../store/types.js';
import { requireAccess, type Principal } from './auth.js';
import { ApiError, notFound } from './http.js';

/**
 * What the management API and the Prebuilds page work with: the app's own
 * collaborators (store, scheduler, installation Octokits) plus how to find a
 * repository's installation and how to serialise with webhook processing.
 */
export interface ManagementDeps {
  app: AppDeps;
  /**
   * The installation of a repository the store has no prebuild of yet (the app asks
   * `GET /repos/{owner}/{repo}/installation`); null when the app is not installed there.
   */
  findInstallation?: (repo: RepoRef) => Promise<number | null>;
  /** Runs work in the repository's queue (`owner/repo`), so it never interleaves with its webhooks. */
  exclusive?: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T>;
  /** GitHub's web origin for links, default `https://github.com`. */
  webUrl?: string;
  /** Clock, epoch ms (tests). */
  now?: () => number;
  /**
   * Directory stores (`dir:`) the app can reach, whose files a deletion removes
   * besides the Actions cache entry; default: those named by `PREBUILDS_DIR_STORES`.
   */
  dirStores?: readonly DirStore[];
}

/**
 * The installation a repository belongs to, checked against the token's scopes.
 * @throws ApiError 404 when the app knows no installation for it, 403 when the token is not scoped to it
 */
export async function repoAccess(m: ManagementDeps, principal: Principal, repo: RepoRef): Promise<number> {
  let installationId = await m.app.store.repositoryInstallation(repo);
  if (installationId === null && m.findInstallation) {
    try {
      installationId = await m.findInstallation(repo);
    } catch (error) {
      m.app.log.warn({ err: error, repo }, 'could not look up the installation of a repository');
      throw new ApiError(502, `could not ask GitHub about ${repo.owner}/${repo.repo}`);
    }
  }
  if (installationId === null) throw notFound(`repository ${repo.owner}/${repo.repo} is not known to the app (is the app installed on it?)`);
  requireAccess(principal, installationId, `${repo.owner}/${repo.repo}`);
  return installationId;
}

/**
 * A prebuild by id, checked against the token's scopes.
 * @throws ApiError 404 when there is no such prebuild, 403 when the token is not scoped to its installation
 */
export async function prebuildAccess(m: ManagementDeps, principal: Principal, id: number): Promise<PrebuildRecord> {
  const p = await m.app.store.getPrebuild(id);
  if (!p) throw notFound(`prebuild #${id} does not exist`);
  requireAccess(principal, p.installationId, `prebuild #${id}`);
  return p;
}

/** Runs `fn` in the repository's queue when the app serialises per repository, else directly. */
export function inRepoQueue<T>(m: ManagementDeps, repo: RepoRef, fn: () => Promise<T>): Promise<T> {
  return m.exclusive ? m.exclusive(`${repo.owner}/${repo.repo}`, fn) : fn();
}

/** Turns a GitHub failure into a 502 that names the step (the app log has the details). */
export function githubFailure(m: ManagementDeps, error: unknown, what: string): ApiError {
  if (error instanceof ApiError) return error;
  m.app.log.warn({ err: error }, `GitHub refused: ${what}`);
  const status = (error as { status?: number }).status;
  return new ApiError(502, `GitHub refused to ${what}${status ? ` (HTTP ${status})` : ''}`);
}
