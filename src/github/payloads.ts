/**
 * The parts of GitHub's webhook payloads this app reads (docs: "Webhook events and
 * payloads"; full shapes in @octokit/webhooks-schemas, which the tests validate the
 * examples against). Narrow on purpose: the app depends only on these fields.
 */

/** `repository` of every repository event. */
export interface RepositoryPayload {
  name: string;
  full_name: string;
  default_branch: string;
  owner: { login: string };
}

/** `installation` of an app's delivery. */
export interface InstallationRef {
  id: number;
}

/** `push` (https://docs.github.com/webhooks/webhook-events-and-payloads#push). */
export interface PushPayload {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  /** At most 20 commits are listed. */
  commits: Array<{ id: string; added?: string[]; modified?: string[]; removed?: string[] }>;
  repository: RepositoryPayload;
  installation?: InstallationRef;
}

/** `pull_request`. */
export interface PullRequestPayload {
  action: string;
  number: number;
  pull_request: {
    number: number;
    head: { ref: string; sha: string; repo: { full_name: string } | null };
    base: { ref: string; sha: string };
  };
  repository: RepositoryPayload;
  installation?: InstallationRef;
}

/** A workflow run (`workflow_run` payload and `GET /repos/{owner}/{repo}/actions/runs/{run_id}`). */
export interface WorkflowRunObject {
  id: number;
  name?: string | null;
  display_title?: string;
  path: string;
  event?: string;
  head_sha?: string;
  head_branch?: string | null;
  html_url: string;
  status: string | null;
  conclusion: string | null;
  created_at: string;
  updated_at: string;
  run_started_at?: string;
  /** Which attempt of the run this is (1, then 2… for each re-run); absent in payloads that predate it. */
  run_attempt?: number;
  /** The repository the run's head commit comes from (a fork for a fork's pull_request run). */
  head_repository?: { full_name: string } | null;
}

/** `workflow_run`. */
export interface WorkflowRunPayload {
  action: 'requested' | 'in_progress' | 'completed' | string;
  workflow_run: WorkflowRunObject;
  repository: RepositoryPayload;
  installation?: InstallationRef;
}

/** `check_run`. */
export interface CheckRunPayload {
  action: string;
  check_run: { id: number; external_id: string | null; head_sha: string; name: string };
  repository: RepositoryPayload;
  installation?: InstallationRef;
}

/** `installation` (`created`, `deleted`, …); `repositories` lists what the app was installed on. */
export interface InstallationPayload {
  action: string;
  installation: InstallationRef;
  repositories?: Array<{ full_name: string; name: string }>;
}

/** `installation_repositories` (`added`, `removed`): repositories added to an existing installation. */
export interface InstallationRepositoriesPayload {
  action: string;
  installation: InstallationRef;
  repositories_added: Array<{ full_name: string; name: string }>;
}

/** Payload type per handled event. */
export interface HandledPayloads {
  installation: InstallationPayload;
  installation_repositories: InstallationRepositoriesPayload;
  push: PushPayload;
  pull_request: PullRequestPayload;
  workflow_run: WorkflowRunPayload;
  check_run: CheckRunPayload;
}
