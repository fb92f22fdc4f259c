import type { NewDecision } from './decisions.js';
import type { LaneState } from './lanes.js';
import type { PrebuildSettings } from '../../config/model.js';
import type { RepoRef } from './repo.js';

/** The prebuilds role: one record per prebuild, from request to end (SPEC.md rules 2, 6, 9). */

/** Lifecycle of a prebuild record (SPEC.md rules 2, 6, 9). */
export type PrebuildState =
  | 'waiting' // accepted, waiting for its configuration's running prebuild to finish
  | 'dispatched' // workflow_dispatch sent, no workflow_run seen yet
  | 'running' // workflow run in progress
  | 'success'
  | 'failure'
  | 'cancelled'
  | 'superseded' // replaced while waiting by a newer push (rule 2)
  | 'timed_out'
  | 'expired'; // a success whose snapshot retention deleted (rule 7)

/** States in which a prebuild still occupies its configuration's queue. */
export const ACTIVE_STATES: readonly PrebuildState[] = ['dispatched', 'running'];
/** States that end a prebuild. */
export const FINAL_STATES: readonly PrebuildState[] = ['success', 'failure', 'cancelled', 'superseded', 'timed_out', 'expired'];

/** What started a prebuild (SPEC.md rule 8 for `manual`). */
export type PrebuildTrigger = 'push' | 'pull_request' | 'manual' | 'schedule';

/** One prebuild: one run of one configuration at one commit. */
export interface PrebuildRecord extends RepoRef {
  id: number;
  installationId: number;
  configuration: string;
  /** Configuration identity at this commit (SPEC.md rule 1). */
  identity: string;
  /** The branch the queue is per (pushed branch, or the PR's head branch). */
  branch: string;
  sha: string;
  prNumber: number | null;
  trigger: PrebuildTrigger;
  state: PrebuildState;
  /** Workflow file dispatched, e.g. `prebuild.yml`. */
  workflow: string;
  timeoutMinutes: number;
  /** The configuration's settings at this commit (retention, ancestorDepth, notify …), or null. */
  settings: PrebuildSettings | null;
  /** Base prebuild chosen (rule 5), or null with `baseReason` saying why none. */
  baseKey: string | null;
  baseSha: string | null;
  baseReason: string | null;
  snapshotKey: string | null;
  snapshotBytes: number | null;
  /** Key of the package caches part its snapshot names (src/lifecycle/caches-part.ts), or null. */
  cachesKey: string | null;
  /**
   * Expired snapshot and caches part keys handed to its run to delete (the `expire`
   * input), or null: the app deletes them itself when the run does not succeed.
   */
  expireKeys: string[] | null;
  /**
   * The result its workflow run reported to the app itself, verified with the job's
   * OIDC token (`POST /api/prebuilds/{id}/result`), or null. Used only when that run
   * (and attempt) completes with conclusion `success`: it saves reading the run's jobs.
   */
  runReport: RunReport | null;
  /** Workflow run duration, ms (run started → completed). */
  durationMs: number | null;
  /** Durations of the lifecycle hooks the action ran, ms. */
  hooks: Record<string, number> | null;
  checkRunId: number | null;
  workflowRunId: number | null;
  workflowRunUrl: string | null;
  /** The state last reported to GitHub (its check run); null before the first report. */
  reportedState: PrebuildState | null;
  /** Why it failed, was cancelled or superseded (human-readable). */
  reason: string | null;
  /** The delivery that created it (X-GitHub-Delivery), for idempotency. */
  deliveryId: string | null;
  createdAt: number;
  dispatchedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
}

/** What a prebuild's run reported to the app (src/prebuilds/run-report.ts). Times epoch ms. */
export interface RunReport {
  /** The workflow run the token was issued to (`run_id` claim). */
  runId: number;
  /** Its attempt (`run_attempt` claim), null when the token had none. */
  runAttempt: number | null;
  /** The token's `jti`. */
  reportId: string;
  /** The action's result as it sent it (src/lifecycle/result.ts `encodeResult`), decoded by the reader. */
  result: string;
  reportedAt: number;
}

/** Fields given when a prebuild is created; the rest start null. */
export type NewPrebuild = Pick<
  PrebuildRecord,
  'owner' | 'repo' | 'installationId' | 'configuration' | 'identity' | 'branch' | 'sha' | 'prNumber' | 'trigger' | 'workflow' | 'timeoutMinutes'
> &
  Partial<Pick<PrebuildRecord, 'deliveryId' | 'state' | 'baseKey' | 'baseSha' | 'baseReason' | 'settings'>>;

/** Fields that may change after creation. */
export type PrebuildPatch = Partial<Omit<PrebuildRecord, 'id' | 'owner' | 'repo' | 'installationId' | 'configuration' | 'branch' | 'sha' | 'createdAt'>>;

/** Field values a conditional update expects ({@link PrebuildStore.updatePrebuildIf}); `null` matches a null column. */
export type PrebuildCondition = Partial<Pick<PrebuildRecord, 'state' | 'reason' | 'snapshotKey' | 'dispatchedAt'>>;

/** Filter for {@link Store.listPrebuilds}; every field optional, combined with AND. */
export interface PrebuildFilter extends Partial<RepoRef> {
  configuration?: string;
  branch?: string;
  sha?: string;
  states?: PrebuildState[];
  /** Only ended prebuilds whose end GitHub has not been told yet (`reportedState` differs). */
  unreported?: boolean;
  /** Only ids lower than this (cursor pagination, newest first). */
  beforeId?: number;
  /** Only prebuilds of these installations (a scoped API token's view). */
  installationIds?: number[];
  /** Only prebuilds created at or after this time, epoch ms (the value report's period). */
  createdSince?: number;
  /** Default 100. */
  limit?: number;
}

/** Options of {@link PrebuildStore.updatePrebuild}. */
export interface UpdateOptions {
  /** On disk before it returns, whatever the store's durability. */
  durable?: boolean;
  /** Decisions (SPEC.md rule 10) recorded atomically with the patch, in order. */
  decisions?: readonly NewDecision[];
}

/** The prebuilds role of the store. */
export interface PrebuildStore {
  /**
   * Creates a prebuild; a second call with the same (delivery, configuration) returns the first one's record.
   * `lane`: the state of the prebuild's lane (repository, configuration, branch; SPEC.md rule 4)
   * stored in the same write (both or neither, the lane even when the prebuild existed), so
   * a trigger rule's lane update and the prebuild it asks for cost one round trip to the store.
   */
  createPrebuild(input: NewPrebuild, options?: { lane?: LaneState }): Promise<PrebuildRecord>;
  /**
   * Applies `patch`. `durable`: on disk before it returns whatever the store's durability
   * (SQLite `acknowledged` syncs it like an acknowledged write): for a write the app acts
   * on outside the store, e.g. "dispatching" before the workflow is dispatched, so that
   * no crash or power loss can make the app dispatch a prebuild twice. `decisions`:
   * recorded in the same transaction as the patch (both or neither), so a step that
   * changes a prebuild and decides about it costs one round trip to the store, and a
   * re-handled delivery never finds the decision without the state it describes.
   * @throws Error when the prebuild does not exist (nothing is written).
   */
  updatePrebuild(id: number, patch: PrebuildPatch, options?: UpdateOptions): Promise<PrebuildRecord>;
  /**
   * Applies `patch` only if the prebuild still has every value in `expected` (compare and
   * set, atomic: one statement), for a write that undoes or follows one of the app's own
   * that another path may have overtaken since (e.g. retention putting back what it expired,
   * the dispatch marker two replicas may race for). `durable` as in {@link updatePrebuild}.
   * @returns the updated record, or null when the prebuild does not exist or differs
   */
  updatePrebuildIf(id: number, expected: PrebuildCondition, patch: PrebuildPatch, options?: Pick<UpdateOptions, 'durable'>): Promise<PrebuildRecord | null>;
  getPrebuild(id: number): Promise<PrebuildRecord | null>;
  findPrebuildByRun(repo: RepoRef, workflowRunId: number): Promise<PrebuildRecord | null>;
  /** Newest first. */
  listPrebuilds(filter: PrebuildFilter): Promise<PrebuildRecord[]>;
  /** The installation of a repository's newest prebuild, or null when it has none. */
  repositoryInstallation(repo: RepoRef): Promise<number | null>;
}
