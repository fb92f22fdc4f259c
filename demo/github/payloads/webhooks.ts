/**
 * Webhook payloads, each following its @octokit/webhooks-schemas definition
 * (`push$event`, `workflow_run$<action>`, `installation$created`,
 * `pull_request$<action>`, `check_run$rerequested`). Those schemas forbid extra
 * properties, so every object here is built key by key.
 */
import type { GitCommit } from '../git.js';
import type { StandInState } from '../state.js';
import type { CheckRunRecord, RepoRecord, RunRecord } from '../types.js';
import { appObject, installationObject, iso, nodeId, repoApiUrl, repoHtmlUrl, serverHostname, user, webhookRepository } from './common.js';
import { checkRunObject, workflowRunObject } from './rest.js';

/** `installation-lite` of the installation covering `repo`. */
export function installationLite(repo: RepoRecord) {
  return { id: repo.installationId, node_id: nodeId('Installation', repo.installationId) };
}

/** `installation.created`: the app installed on an account with `repos` (all of that account's installation) selected. */
export function installationCreated(state: StandInState, repos: RepoRecord[]) {
  const id = repos[0]?.installationId ?? state.app.installationId;
  const account = repos[0]?.owner ?? state.ownerLogin;
  return {
    action: 'created' as const,
    installation: installationObject(state, id, account, Math.floor(Date.now() / 1000)),
    repositories: repos.map((r) => ({ id: r.id, node_id: nodeId('Repository', r.id), name: r.name, full_name: `${r.owner}/${r.name}`, private: r.private })),
    requester: user(state, account),
    sender: user(state, account),
  };
}

/** One `commit` of a push: files from git, `distinct` true (each commit is new to the repository). */
export function pushCommit(state: StandInState, repo: RepoRecord, c: GitCommit, files: { added: string[]; removed: string[]; modified: string[] }) {
  return {
    id: c.sha,
    tree_id: c.tree,
    distinct: true,
    message: c.message,
    timestamp: c.committer.date,
    url: `${repoHtmlUrl(state, repo)}/commit/${c.sha}`,
    author: { name: c.author.name, email: c.author.email, date: c.author.date },
    committer: { name: c.committer.name, email: c.committer.email, date: c.committer.date },
    added: files.added,
    removed: files.removed,
    modified: files.modified,
  };
}

/** Inputs of {@link pushPayload}, computed from git by the caller. */
export interface PushFacts {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  baseRef: string | null;
  compare: string;
  /** At most 20, oldest first. */
  commits: ReturnType<typeof pushCommit>[];
  headCommit: ReturnType<typeof pushCommit> | null;
  sizeKiB: number;
}

/** `push` (`push$event`). Repository timestamps are Unix seconds, as GitHub sends them here. */
export function pushPayload(state: StandInState, repo: RepoRecord, f: PushFacts) {
  const sender = user(state, state.senderLogin);
  return {
    ref: f.ref,
    before: f.before,
    after: f.after,
    repository: webhookRepository(state, repo, f.sizeKiB, 'unix'),
    pusher: { name: state.senderLogin, email: `${state.senderLogin}@users.noreply.${serverHostname(state)}` },
    sender,
    installation: installationLite(repo),
    created: f.created,
    deleted: f.deleted,
    forced: f.forced,
    base_ref: f.baseRef,
    compare: f.compare,
    commits: f.commits,
    head_commit: f.headCommit,
  };
}

/** The `workflow` object of `workflow_run` events. */
export function workflowObject(state: StandInState, repo: RepoRecord, run: RunRecord) {
  const created = repo.createdAt;
  return {
    badge_url: `${repoHtmlUrl(state, repo)}/workflows/${run.workflowPath.replace(/^\.github\/workflows\//, '')}/badge.svg`,
    created_at: iso(created),
    html_url: `${repoHtmlUrl(state, repo)}/blob/${repo.defaultBranch}/${run.workflowPath}`,
    id: run.workflowId,
    name: run.workflowName,
    node_id: nodeId('Workflow', run.workflowId),
    path: run.workflowPath,
    state: 'active',
    updated_at: iso(created),
    url: `${repoApiUrl(state, repo)}/actions/workflows/${run.workflowId}`,
  };
}

/** `workflow_run` with action `requested`, `in_progress` or `completed`. */
export function workflowRunPayload(
  state: StandInState,
  repo: RepoRecord,
  run: RunRecord,
  head: GitCommit | null,
  action: 'requested' | 'in_progress' | 'completed',
  sizeKiB: number,
) {
  return {
    action,
    workflow_run: workflowRunObject(state, repo, run, head),
    workflow: workflowObject(state, repo, run),
    repository: webhookRepository(state, repo, sizeKiB),
    sender: user(state, run.actor),
    installation: installationLite(repo),
  };
}

/** The description of a pull request the stand-in simulates. */
export interface PullRequestFacts {
  number: number;
  title: string;
  state: 'open' | 'closed';
  merged: boolean;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  /** Owner of the head repository when the pull request comes from a fork. */
  forkOwner: string | null;
  author: string;
  createdAt: Date;
  updatedAt: Date;
  commits: number;
  changedFiles: number;
  additions: number;
  deletions: number;
}

function pullRequestObject(state: StandInState, repo: RepoRecord, pr: PullRequestFacts, sizeKiB: number) {
  const api = repoApiUrl(state, repo);
  const html = repoHtmlUrl(state, repo);
  const id = 40_000 + pr.number;
  const headRepo: RepoRecord = pr.forkOwner ? { ...repo, id: repo.id + 50_000, owner: pr.forkOwner } : repo;
  const headRepoObj = Object.assign(webhookRepository(state, headRepo, sizeKiB), { fork: pr.forkOwner !== null });
  const link = (href: string) => ({ href });
  return {
    url: `${api}/pulls/${pr.number}`,
    id,
    node_id: nodeId('PullRequest', id),
    html_url: `${html}/pull/${pr.number}`,
    diff_url: `${html}/pull/${pr.number}.diff`,
    patch_url: `${html}/pull/${pr.number}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: user(state, pr.author),
    body: null,
    created_at: iso(pr.createdAt),
    updated_at: iso(pr.updatedAt),
    closed_at: pr.state === 'closed' ? iso(pr.updatedAt) : null,
    merged_at: pr.merged ? iso(pr.updatedAt) : null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: [],
    milestone: null,
    draft: false,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    review_comments_url: `${api}/pulls/${pr.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    head: { label: `${headRepo.owner}:${pr.headRef}`, ref: pr.headRef, sha: pr.headSha, user: user(state, headRepo.owner), repo: headRepoObj },
    base: {
      label: `${repo.owner}:${pr.baseRef}`,
      ref: pr.baseRef,
      sha: pr.baseSha,
      user: user(state, repo.owner),
      repo: webhookRepository(state, repo, sizeKiB),
    },
    _links: {
      self: link(`${api}/pulls/${pr.number}`),
      html: link(`${html}/pull/${pr.number}`),
      issue: link(`${api}/issues/${pr.number}`),
      comments: link(`${api}/issues/${pr.number}/comments`),
      review_comments: link(`${api}/pulls/${pr.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pr.number}/commits`),
      statuses: link(`${api}/statuses/${pr.headSha}`),
    },
    author_association: pr.forkOwner ? ('CONTRIBUTOR' as const) : ('OWNER' as const),
    auto_merge: null,
    active_lock_reason: null,
    merged: pr.merged,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
  };
}

/** `pull_request` with action `opened`, `synchronize` (give `before`/`after`) or `closed`. */
export function pullRequestPayload(
  state: StandInState,
  repo: RepoRecord,
  action: 'opened' | 'synchronize' | 'closed' | 'reopened',
  pr: PullRequestFacts,
  sizeKiB: number,
  sync?: { before: string; after: string },
) {
  return {
    action,
    number: pr.number,
    ...(action === 'synchronize' ? { before: sync?.before ?? pr.headSha, after: sync?.after ?? pr.headSha } : {}),
    pull_request: pullRequestObject(state, repo, pr, sizeKiB),
    repository: webhookRepository(state, repo, sizeKiB),
    sender: user(state, pr.author),
    installation: installationLite(repo),
  };
}

/** `check_run.rerequested` for a check run the app created (a user clicked "Re-run"). */
export function checkRunRerequestedPayload(state: StandInState, repo: RepoRecord, c: CheckRunRecord, headBranch: string | null, sizeKiB: number) {
  const api = repoApiUrl(state, repo);
  const app = appObject(state, 'app');
  const completedAt = c.completedAt ?? c.updatedAt;
  return {
    action: 'rerequested' as const,
    check_run: {
      // The REST shape, completed (only completed check runs can be re-requested).
      ...checkRunObject(state, repo, c),
      status: 'completed' as const,
      started_at: iso(c.startedAt ?? c.createdAt),
      completed_at: iso(completedAt),
      check_suite: {
        id: c.checkSuiteId,
        node_id: nodeId('CheckSuite', c.checkSuiteId),
        head_branch: headBranch,
        head_sha: c.headSha,
        status: 'completed' as const,
        conclusion: (c.conclusion === 'skipped' || c.conclusion === null ? 'neutral' : c.conclusion) as string,
        url: `${api}/check-suites/${c.checkSuiteId}`,
        before: null,
        after: c.headSha,
        pull_requests: [],
        app,
        created_at: iso(c.createdAt),
        updated_at: iso(c.updatedAt),
      },
      app,
    },
    repository: webhookRepository(state, repo, sizeKiB),
    sender: user(state, state.senderLogin),
    installation: installationLite(repo),
  };
}
