import { isStatus, type Octokit, type RepoParams } from './octokit.js';

/** A job of a workflow run, as `prebuilds logs` needs it. */
export interface RunJob {
  id: number;
  name: string;
  conclusion: string | null;
}

/** The jobs of a workflow run (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`, first 100). */
export async function runJobs(octokit: Octokit, repo: RepoParams, runId: number): Promise<RunJob[]> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs', { ...repo, run_id: runId, per_page: 100 });
  return response.data.jobs.map((j) => ({ id: Number(j.id), name: j.name, conclusion: j.conclusion ?? null }));
}

/**
 * A job's whole plain-text log (`GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`,
 * which redirects to a short-lived download URL that Octokit follows).
 * @returns null when the log is gone (404, 410: expired after the retention period)
 * @throws Octokit's RequestError for other failures
 */
export async function jobLog(octokit: Octokit, repo: RepoParams, jobId: number): Promise<string | null> {
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs', { ...repo, job_id: jobId });
    const data = response.data as unknown;
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
    return data == null ? '' : String(data);
  } catch (error) {
    if (isStatus(error, 404) || isStatus(error, 410)) return null;
    throw error;
  }
}
