import type { PrebuildsDeps as AppDeps } from '../prebuilds/deps.js';
import type { PrebuildRecord, RepoRef } from '../store/types.js';
import { requireAccess, type Principal } from './auth.js';
import { ApiError, notFound } from './http.js';
import type { ActionsTokenVerifier } from './oidc.js';

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
  /** Verifies the OIDC tokens of the action's reports (`POST /api/restores`, `POST /api/prebuilds/{id}/result`); without it those routes answer 404. */
  actionsTokens?: ActionsTokenVerifier;
  /** GitHub's web origin for links, default `https://github.com`. */
  webUrl?: string;
  /** Clock, epoch ms (tests). */
  now?: () => number;
}

/**
 * The installation a repository belongs to, checked against the token's scopes.
 * @throws ApiError 404 when the app knows no installation for it or the token is not scoped to it (the same answer)
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
  const unknown = `repository ${repo.owner}/${repo.repo} is not known to the app (is the app installed on it, and is it in this token's installations?)`;
  if (installationId === null) throw notFound(unknown);
  requireAccess(principal, installationId, unknown);
  return installationId;
}

/**
 * A prebuild by id, checked against the token's scopes.
 * @throws ApiError 404 when there is no such prebuild or the token is not scoped to its installation (the same answer)
 */
export async function prebuildAccess(m: ManagementDeps, principal: Principal, id: number): Promise<PrebuildRecord> {
  const p = await m.app.store.getPrebuild(id);
  const unknown = `prebuild #${id} does not exist (or is not in this token's installations)`;
  if (!p) throw notFound(unknown);
  requireAccess(principal, p.installationId, unknown);
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
