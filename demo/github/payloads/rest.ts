/**
 * REST response bodies, each following the schema @octokit/openapi documents for
 * the endpoint that returns it (named in each docstring).
 */
import type { FileChange, GitCommit } from '../git.js';
import type { StandInState } from '../state.js';
import type { AnnotationRecord, CacheRecord, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord } from '../types.js';
import { appObject, botLogin, iso, isoOrNull, nodeId, repoApiUrl, repoHtmlUrl, repositoryLite, user } from './common.js';

/** Where GitHub's error bodies point. */
export const DOCS_URL = 'https://docs.github.com/rest';

/** GitHub's `basic-error` body: `{message, documentation_url, status}` (status as a string). */
export function errorBody(message: string, status: number, documentationUrl = DOCS_URL) {
  return { message, documentation_url: documentationUrl, status: String(status) };
}

/** GitHub's `validation-error` body (422). */
export function validationError(message: string, errors: unknown[] = []) {
  return { message, errors, documentation_url: DOCS_URL, status: '422' };
}

/** A `diff-entry` (files of a commit or a comparison). */
export function diffEntry(state: StandInState, repo: RepoRecord, sha: string, f: FileChange) {
  const path = f.filename.split('/').map(encodeURIComponent).join('/');
  return {
    sha,
    filename: f.filename,
    status: f.status,
    additions: f.additions,
    deletions: f.deletions,
    changes: f.additions + f.deletions,
    blob_url: `${repoHtmlUrl(state, repo)}/blob/${sha}/${path}`,
    raw_url: `${repoHtmlUrl(state, repo)}/raw/${sha}/${path}`,
    contents_url: `${repoApiUrl(state, repo)}/contents/${path}?ref=${sha}`,
  };
}

/** GitHub's `commit` (GET /repos/{owner}/{repo}/commits and /commits/{ref}); `files` only for a single commit. */
export function commitObject(state: StandInState, repo: RepoRecord, c: GitCommit, files?: FileChange[]) {
  const api = repoApiUrl(state, repo);
  const html = repoHtmlUrl(state, repo);
  const body = {
    url: `${api}/commits/${c.sha}`,
    sha: c.sha,
    node_id: nodeId('Commit', parseInt(c.sha.slice(0, 8), 16)),
    html_url: `${html}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: { name: c.author.name, email: c.author.email, date: iso(new Date(c.author.date)) },
      committer: { name: c.committer.name, email: c.committer.email, date: iso(new Date(c.committer.date)) },
      message: c.message,
      comment_count: 0,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${html}/commit/${p}` })),
  };
  if (!files) return body;
  const additions = files.reduce((n, f) => n + f.additions, 0);
  const deletions = files.reduce((n, f) => n + f.deletions, 0);
  return { ...body, stats: { additions, deletions, total: additions + deletions }, files: files.map((f) => diffEntry(state, repo, c.sha, f)) };
}

/** One item of GitHub's `content-directory` / a `content-file` (GET /repos/{owner}/{repo}/contents/{path}). */
export function contentItem(
  state: StandInState,
  repo: RepoRecord,
  ref: string,
  item: { path: string; type: 'file' | 'dir' | 'submodule' | 'symlink'; sha: string; size: number },
) {
  const api = repoApiUrl(state, repo);
  const html = repoHtmlUrl(state, repo);
  const p = item.path.split('/').map(encodeURIComponent).join('/');
  const self = `${api}/contents/${p}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `${api}/git/${item.type === 'dir' ? 'trees' : 'blobs'}/${item.sha}`;
  const htmlUrl = `${html}/${item.type === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${p}`;
  return {
    name: item.path.slice(item.path.lastIndexOf('/') + 1),
    path: item.path,
    sha: item.sha,
    size: item.size,
    url: self,
    html_url: htmlUrl,
    git_url: gitUrl,
    download_url: item.type === 'file' ? `${state.serverUrl}/raw/${repo.owner}/${repo.name}/${encodeURIComponent(ref)}/${p}` : null,
    type: item.type,
    _links: { self, git: gitUrl, html: htmlUrl },
  };
}

/** The `simple-commit` embedded in a workflow run (`head_commit`). */
export function simpleCommit(c: GitCommit) {
  return {
    id: c.sha,
    tree_id: c.tree,
    message: c.message,
    timestamp: iso(new Date(c.committer.date)),
    author: { name: c.author.name, email: c.author.email },
    committer: { name: c.committer.name, email: c.committer.email },
  };
}

/** GitHub's `workflow-run` (GET /repos/{owner}/{repo}/actions/runs/{run_id}). */
export function workflowRunObject(state: StandInState, repo: RepoRecord, run: RunRecord, head: GitCommit | null) {
  const api = repoApiUrl(state, repo);
  const runUrl = `${api}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: run.workflowName,
    node_id: nodeId('WorkflowRun', run.id),
    check_suite_id: run.checkSuiteId,
    check_suite_node_id: nodeId('CheckSuite', run.checkSuiteId),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.workflowPath,
    run_number: run.runNumber,
    event: run.event,
    display_title: run.displayTitle,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url: runUrl,
    html_url: `${repoHtmlUrl(state, repo)}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
    actor: user(state, run.actor),
    run_attempt: 1,
    referenced_workflows: [],
    run_started_at: iso(run.runStartedAt),
    triggering_actor: user(state, run.actor),
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${run.checkSuiteId}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    head_commit: head ? simpleCommit(head) : null,
    repository: repositoryLite(state, repo),
    head_repository: repositoryLite(state, repo),
  };
}

/** GitHub's `job` (GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs). */
export function jobObject(state: StandInState, repo: RepoRecord, run: RunRecord, job: JobRecord) {
  const api = repoApiUrl(state, repo);
  return {
    id: job.id,
    run_id: run.id,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: 1,
    node_id: nodeId('CheckRun', job.id),
    head_sha: run.headSha,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${repoHtmlUrl(state, repo)}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt ?? job.createdAt),
    completed_at: isoOrNull(job.completedAt),
    name: job.name,
    steps: job.steps.map((s) => ({
      name: s.name,
      status: s.status,
      conclusion: s.conclusion,
      number: s.number,
      started_at: isoOrNull(s.startedAt),
      completed_at: isoOrNull(s.completedAt),
    })),
    check_run_url: `${api}/check-runs/${job.id}`,
    labels: job.labels,
    runner_id: job.runnerName ? 1 : null,
    runner_name: job.runnerName,
    runner_group_id: job.runnerName ? 1 : null,
    runner_group_name: job.runnerName ? 'Default' : null,
    workflow_name: run.workflowName,
    head_branch: run.headBranch,
  };
}

/** GitHub's `check-run` (POST/PATCH/GET /repos/{owner}/{repo}/check-runs[/{id}]). */
export function checkRunObject(state: StandInState, repo: RepoRecord, c: CheckRunRecord) {
  const api = repoApiUrl(state, repo);
  const isJob = c.owner.kind === 'actions';
  const htmlUrl = isJob
    ? `${repoHtmlUrl(state, repo)}/actions/runs/${state.jobs.get(c.id)?.runId ?? 0}/job/${c.id}`
    : `${repoHtmlUrl(state, repo)}/runs/${c.id}`;
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: nodeId('CheckRun', c.id),
    external_id: c.externalId ?? '',
    url: `${api}/check-runs/${c.id}`,
    html_url: htmlUrl,
    details_url: c.detailsUrl ?? htmlUrl,
    status: c.status,
    conclusion: c.conclusion,
    started_at: isoOrNull(c.startedAt),
    completed_at: isoOrNull(c.completedAt),
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: c.annotations.length,
      annotations_url: `${api}/check-runs/${c.id}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.checkSuiteId },
    app: appObject(state, isJob ? 'actions' : 'app'),
    pull_requests: [],
  };
}

/** GitHub's `check-annotation` (GET /repos/{owner}/{repo}/check-runs/{id}/annotations). */
export function annotationObject(state: StandInState, repo: RepoRecord, c: CheckRunRecord, a: AnnotationRecord) {
  return {
    path: a.path,
    blob_href: `${repoHtmlUrl(state, repo)}/blob/${c.headSha}/${a.path}`,
    start_line: a.startLine,
    end_line: a.endLine,
    start_column: a.startColumn,
    end_column: a.endColumn,
    annotation_level: a.level,
    title: a.title,
    message: a.message,
    raw_details: a.rawDetails,
  };
}

/** GitHub's `issue` (GET/POST /repos/{owner}/{repo}/issues, PATCH .../issues/{n}). */
export function issueObject(state: StandInState, repo: RepoRecord, i: IssueRecord) {
  const api = repoApiUrl(state, repo);
  return {
    id: i.id,
    node_id: nodeId('Issue', i.id),
    url: `${api}/issues/${i.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${i.number}/labels{/name}`,
    comments_url: `${api}/issues/${i.number}/comments`,
    events_url: `${api}/issues/${i.number}/events`,
    html_url: `${repoHtmlUrl(state, repo)}/issues/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(state, i.user),
    labels: i.labels.map((name, n) => ({
      id: 600 + n,
      node_id: nodeId('Label', 600 + n),
      url: `${api}/labels/${encodeURIComponent(name)}`,
      name,
      description: null,
      color: 'ededed',
      default: false,
    })),
    assignee: i.assignees[0] ? user(state, i.assignees[0]) : null,
    assignees: i.assignees.map((a) => user(state, a)),
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: i.comments.length,
    closed_at: isoOrNull(i.closedAt),
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    author_association: i.user === botLogin(state) ? 'NONE' : 'OWNER',
  };
}

/** GitHub's `issue-comment` (POST /repos/{owner}/{repo}/issues/{n}/comments). */
export function commentObject(state: StandInState, repo: RepoRecord, i: IssueRecord, c: IssueRecord['comments'][number]) {
  const api = repoApiUrl(state, repo);
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${repoHtmlUrl(state, repo)}/issues/${i.number}#issuecomment-${c.id}`,
    body: c.body,
    user: user(state, c.user),
    created_at: iso(c.createdAt),
    updated_at: iso(c.createdAt),
    issue_url: `${api}/issues/${i.number}`,
    author_association: 'NONE',
  };
}

/** One entry of GitHub's `actions-cache-list` (GET/DELETE /repos/{owner}/{repo}/actions/caches). */
export function cacheObject(c: CacheRecord) {
  return {
    id: c.id,
    ref: c.ref,
    key: c.key,
    version: c.version,
    last_accessed_at: iso(c.lastAccessedAt),
    created_at: iso(c.createdAt),
    size_in_bytes: c.sizeInBytes,
  };
}
