/**
 * Records the GitHub stand-in keeps in memory. Each mirrors one GitHub resource;
 * the REST and webhook payload builders (`payloads/`) turn them into GitHub's
 * documented shapes. Times are `Date`s, ids are positive integers.
 */
import type { RepoContent } from './content/types.js';

/** A repository served by the stand-in: a bare git repository on disk or commits in memory. */
export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  /** The installation of the app that covers this repository. */
  installationId: number;
  /** Its commits, refs and files. */
  content: RepoContent;
  /** Absolute path of the bare repository (`git init --bare`); `null` for a repository in memory (no workflow can run on it). */
  bareDir: string | null;
  defaultBranch: string;
  private: boolean;
  createdAt: Date;
  pushedAt: Date;
  /** Actions configuration variables (`vars.X`). */
  variables: Record<string, string>;
  /** Actions secrets (`secrets.X`); masked in logs. */
  secrets: Record<string, string>;
  /** Branch heads as of the last simulated push (for `before` of the next one). */
  knownHeads: Map<string, string>;
  /** Workflow file path (`.github/workflows/x.yml`) → numeric workflow id. */
  workflowIds: Map<string, number>;
}

/** A check-run annotation (GET /repos/{owner}/{repo}/check-runs/{id}/annotations). */
export interface AnnotationRecord {
  path: string;
  startLine: number;
  endLine: number;
  startColumn: number | null;
  endColumn: number | null;
  level: 'notice' | 'warning' | 'failure';
  title: string | null;
  message: string;
  rawDetails: string | null;
}

/** Who created a check run: the app (by its id) or GitHub Actions (a job). */
export type CheckRunOwner = { kind: 'app' } | { kind: 'actions'; jobId: number };

/** A check run (POST/PATCH /repos/{owner}/{repo}/check-runs). */
export interface CheckRunRecord {
  id: number;
  repoId: number;
  headSha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: AnnotationRecord[];
  actions: unknown[];
  checkSuiteId: number;
  owner: CheckRunOwner;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * A new check run: queued, no conclusion, output or annotations yet.
 * @param id the check run's id (a job's check run has the job's id)
 */
export function newCheckRun(id: number, f: Pick<CheckRunRecord, 'repoId' | 'headSha' | 'name' | 'checkSuiteId' | 'owner' | 'startedAt'>): CheckRunRecord {
  const now = new Date();
  return {
    id,
    ...f,
    status: 'queued',
    conclusion: null,
    completedAt: null,
    detailsUrl: null,
    externalId: null,
    output: { title: null, summary: null, text: null },
    annotations: [],
    actions: [],
    createdAt: now,
    updatedAt: now,
  };
}

/** One step of a job as the jobs API reports it. */
export interface StepRecord {
  name: string;
  number: number;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

/** A workflow job; its id is also the id of its check run, as on GitHub. */
export interface JobRecord {
  id: number;
  runId: number;
  repoId: number;
  /** Key in `jobs:` of the workflow file. */
  key: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  steps: StepRecord[];
  labels: string[];
  runnerName: string | null;
  /** Plain-text log lines (already timestamped and masked). */
  log: string[];
}

/** A workflow run (GET /repos/{owner}/{repo}/actions/runs/{run_id}). */
export interface RunRecord {
  id: number;
  repoId: number;
  workflowId: number;
  workflowPath: string;
  workflowName: string;
  displayTitle: string;
  runNumber: number;
  event: 'workflow_dispatch';
  headBranch: string;
  headSha: string;
  status: 'requested' | 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  inputs: Record<string, string>;
  checkSuiteId: number;
  actor: string;
  createdAt: Date;
  updatedAt: Date;
  runStartedAt: Date;
  jobIds: number[];
  /** Set by POST .../cancel; the runner stops at the next opportunity. */
  cancelRequested: boolean;
}

/** An issue comment. */
export interface CommentRecord {
  id: number;
  body: string;
  user: string;
  createdAt: Date;
}

/** An issue (the stand-in has no pull requests as issues). */
export interface IssueRecord {
  id: number;
  repoId: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: 'completed' | 'reopened' | 'not_planned' | null;
  labels: string[];
  assignees: string[];
  /** Login of the author (the app's bot for issues the app opens). */
  user: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  comments: CommentRecord[];
}

/** An Actions cache entry (the stand-in has no cache service; entries are recorded). */
export interface CacheRecord {
  id: number;
  repoId: number;
  key: string;
  ref: string;
  version: string;
  sizeInBytes: number;
  createdAt: Date;
  lastAccessedAt: Date;
}
