import type { Octokit, RepoParams } from './octokit.js';

/** An issue as the failure notifications need it. */
export interface IssueSummary {
  number: number;
  title: string;
  body: string;
  htmlUrl: string;
}

/**
 * Open issues carrying a label, pull requests left out
 * (`GET /repos/{owner}/{repo}/issues?labels=…&state=open`, first 100, newest first).
 * @throws Octokit's RequestError
 */
export async function openIssuesWithLabel(octokit: Octokit, repo: RepoParams, label: string): Promise<IssueSummary[]> {
  const response = await octokit.request('GET /repos/{owner}/{repo}/issues', { ...repo, labels: label, state: 'open', per_page: 100 });
  return response.data.filter((i) => !i.pull_request).map((i) => ({ number: i.number, title: i.title, body: i.body ?? '', htmlUrl: i.html_url }));
}

/**
 * Opens an issue (`POST /repos/{owner}/{repo}/issues`; needs `issues: write`). GitHub
 * creates a label that does not exist yet.
 * @returns the issue number
 * @throws Octokit's RequestError (410: issues are disabled on the repository)
 */
export async function openIssue(octokit: Octokit, repo: RepoParams, issue: { title: string; body: string; labels: string[] }): Promise<number> {
  const response = await octokit.request('POST /repos/{owner}/{repo}/issues', { ...repo, ...issue });
  return response.data.number;
}

/**
 * Comments on an issue (`POST /repos/{owner}/{repo}/issues/{issue_number}/comments`).
 * @throws Octokit's RequestError
 */
export async function commentOnIssue(octokit: Octokit, repo: RepoParams, issueNumber: number, body: string): Promise<void> {
  await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: issueNumber, body });
}

/**
 * Closes an issue as completed (`PATCH /repos/{owner}/{repo}/issues/{issue_number}`).
 * @throws Octokit's RequestError
 */
export async function closeIssue(octokit: Octokit, repo: RepoParams, issueNumber: number): Promise<void> {
  await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
    ...repo,
    issue_number: issueNumber,
    state: 'closed',
    state_reason: 'completed',
  });
}
