import type { Context } from 'probot';

/** The installation-authenticated Octokit Probot gives (`context.octokit`, `app.auth(id)`). */
export type Octokit = Context['octokit'];

/** Owner and name of a repository, as the REST routes take them. */
export interface RepoParams {
  owner: string;
  repo: string;
}

/** True for an Octokit RequestError with this HTTP status. */
export function isStatus(error: unknown, status: number): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: number }).status === status;
}

/** Gives an installation-authenticated Octokit (Probot's `app.auth(installationId)`). */
export type OctokitFactory = (installationId: number) => Promise<Octokit>;
