import type { ConfigProblem } from '../config/model.js';
import { configurationOutput, neutralOutput, type CheckOutput } from './check-text.js';
import type { Octokit, RepoParams } from './octokit.js';

/** Fields of a check run the app sets (`POST /repos/{owner}/{repo}/check-runs`). */
export interface CheckRunFields {
  name?: string;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral' | 'cancelled' | 'timed_out' | 'skipped' | 'action_required';
  detailsUrl?: string | null;
  externalId?: string;
  startedAt?: string;
  completedAt?: string;
  output?: CheckOutput;
}

function body(fields: CheckRunFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (fields.name) out.name = fields.name;
  if (fields.status) out.status = fields.status;
  if (fields.conclusion) out.conclusion = fields.conclusion;
  if (fields.detailsUrl) out.details_url = fields.detailsUrl;
  if (fields.externalId) out.external_id = fields.externalId;
  if (fields.startedAt) out.started_at = fields.startedAt;
  if (fields.completedAt) out.completed_at = fields.completedAt;
  if (fields.output) out.output = fields.output;
  return out;
}

/**
 * Creates a check run on a commit (`POST /repos/{owner}/{repo}/check-runs`).
 * @returns the check run id
 * @throws Octokit's RequestError
 */
export async function createCheckRun(octokit: Octokit, repo: RepoParams, headSha: string, fields: CheckRunFields & { name: string }): Promise<number> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/check-runs', { ...repo, head_sha: headSha, ...body(fields) } as never);
  return (response.data as { id: number }).id;
}

/**
 * Updates a check run this app created (`PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`).
 * @throws Octokit's RequestError
 */
export async function updateCheckRun(octokit: Octokit, repo: RepoParams, checkRunId: number, fields: CheckRunFields): Promise<void> {
  await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: checkRunId, ...body(fields) } as never);
}

/** Check run name for configuration problems. */
export const CONFIG_CHECK_NAME = 'Prebuild configuration';

/**
 * The "Prebuild configuration" check run on a commit: failing with its problems, neutral
 * with warnings only (a Gitpod task calling `gp`, an unknown or ignored key), each as
 * `file:line:column: reason`, so the commit and its PR show what is wrong.
 * @throws Octokit's RequestError
 */
export async function reportConfiguration(
  octokit: Octokit,
  repo: RepoParams,
  sha: string,
  problems: readonly ConfigProblem[],
  warnings: readonly ConfigProblem[],
): Promise<number> {
  const { conclusion, ...output } = configurationOutput(sha, problems, warnings);
  return createCheckRun(octokit, repo, sha, { name: CONFIG_CHECK_NAME, status: 'completed', conclusion, completedAt: new Date().toISOString(), output });
}

/**
 * A neutral, completed check run saying why a configuration was not prebuilt at a commit
 * (a pull request from a fork).
 * @throws Octokit's RequestError
 */
export async function reportSkipped(octokit: Octokit, repo: RepoParams, sha: string, name: string, title: string, summary: string): Promise<number> {
  return createCheckRun(octokit, repo, sha, {
    name,
    status: 'completed',
    conclusion: 'neutral',
    completedAt: new Date().toISOString(),
    output: neutralOutput(title, summary),
  });
}

/**
 * The check run this app created on a commit for `externalId` (a prebuild id), if any:
 * `GET /repos/{owner}/{repo}/commits/{ref}/check-runs?check_name=&filter=all`. Used
 * where a crash may have left a check run GitHub has and the store does not, so a retry
 * completes it instead of creating a second one.
 * @returns its id, or null
 * @throws Octokit's RequestError
 */
export async function findCheckRun(octokit: Octokit, repo: RepoParams, sha: string, name: string, externalId: string): Promise<number | null> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
    ...repo,
    ref: sha,
    check_name: name,
    filter: 'all',
    per_page: 100,
  });
  const found = response.data.check_runs.find((c) => c.external_id === externalId);
  return found ? Number(found.id) : null;
}
