import type { PrebuildSettings } from '../config/model.js';

/**
 * The store: where the app keeps webhook deliveries, prebuilds, decisions and
 * per-configuration state. One narrow async interface with a SQLite implementation
 * (better-sqlite3, the default) and room for PostgreSQL (several replicas). All
 * times are epoch milliseconds; sizes are bytes.
 */

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

/** A repository as the store keys it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

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

/** Fields given when a prebuild is created; the rest start null. */
export type NewPrebuild = Pick<
  PrebuildRecord,
  'owner' | 'repo' | 'installationId' | 'configuration' | 'identity' | 'branch' | 'sha' | 'prNumber' | 'trigger' | 'workflow' | 'timeoutMinutes'
> &
  Partial<Pick<PrebuildRecord, 'deliveryId' | 'state' | 'baseKey' | 'baseSha' | 'baseReason' | 'settings'>>;

/** Fields that may change after creation. */
export type PrebuildPatch = Partial<
  Omit<PrebuildRecord, 'id' | 'owner' | 'repo' | 'installationId' | 'configuration' | 'branch' | 'sha' | 'createdAt'>
>;

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

/** A webhook delivery as recorded before it is acknowledged. */
export interface DeliveryRecord {
  /** Arrival order (increasing). */
  seq: number;
  id: string;
  event: string;
  action: string | null;
  installationId: number | null;
  payload: unknown;
  receivedAt: number;
  attempts: number;
}

/** One (event, configuration) decision with its reason (SPEC.md rule 10). */
export interface DecisionRecord extends RepoRef {
  id: number;
  deliveryId: string | null;
  sha: string;
  event: string;
  configuration: string;
  /** `started`, `queued`, `superseded`, `skipped`, `cancelled`, `failed` … */
  decision: string;
  reason: string;
  prebuildId: number | null;
  createdAt: number;
}

/** Per (repository, configuration, branch) trigger state (rule 4). */
export interface LaneState {
  /** Commits seen since the last prebuild this lane triggered. */
  commitsSinceTrigger: number;
  /** Identity of the last prebuild triggered in this lane. */
  lastIdentity: string | null;
  /** Inbox sequence of the last push applied to the lane (retries and late older pushes are recognised by it). */
  lastSeq?: number;
  /** Whether that push triggered a prebuild. */
  lastRun?: boolean;
}

/** A configuration and branch prebuilt on a cron schedule (the `schedule` key). */
export interface ScheduleRecord extends RepoRef {
  configuration: string;
  branch: string;
  /** Five-field cron expression, UTC. */
  cron: string;
  installationId: number;
  updatedAt: number;
  lastFiredAt: number | null;
}

/** Per (repository, configuration) settings the app keeps (pause, overrides). */
export interface ConfigurationState {
  paused: boolean;
}

/**
 * Values a person set through the API or the CLI (`prebuilds update`) that take
 * precedence over the configuration file's; an absent key means "the file's value".
 * Pause is kept in {@link ConfigurationState}.
 */
export interface ConfigurationOverrides {
  commitInterval?: number;
  triggerFiles?: string[];
  retention?: number;
}

/** Who may use a bearer token: installation ids, or `*` for every installation (admins). */
export type TokenScope = number | '*';

/** A management API token as stored: only the sha256 of the secret is kept. */
export interface ApiTokenRecord {
  id: number;
  name: string;
  /** Hex sha256 of the token. */
  tokenHash: string;
  scopes: TokenScope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/**
 * The app's persistence. Implementations must make every method atomic on its own;
 * callers serialise work per repository.
 */
export interface Store {
  /** Applies pending schema migrations. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Records a delivery before it is acknowledged to GitHub.
   * @returns false when a delivery with this id was already recorded (a redelivery).
   */
  recordDelivery(delivery: Omit<DeliveryRecord, 'seq' | 'receivedAt' | 'attempts'>): Promise<boolean>;
  /** Unprocessed deliveries in arrival order, only those after sequence `afterSeq` (default 0: all). */
  pendingDeliveries(limit: number, afterSeq?: number): Promise<DeliveryRecord[]>;
  /** Marks a delivery processed (error text when its handler failed for good). */
  finishDelivery(id: string, error: string | null): Promise<void>;
  /** Counts one more processing attempt; returns the new count. */
  countAttempt(id: string): Promise<number>;

  createPrebuild(input: NewPrebuild): Promise<PrebuildRecord>;
  /** @throws Error when the prebuild does not exist. */
  updatePrebuild(id: number, patch: PrebuildPatch): Promise<PrebuildRecord>;
  getPrebuild(id: number): Promise<PrebuildRecord | null>;
  findPrebuildByRun(repo: RepoRef, workflowRunId: number): Promise<PrebuildRecord | null>;
  /** Newest first. */
  listPrebuilds(filter: PrebuildFilter): Promise<PrebuildRecord[]>;

  recordDecision(decision: Omit<DecisionRecord, 'id' | 'createdAt'>): Promise<void>;
  listDecisions(repo: RepoRef, sha: string): Promise<DecisionRecord[]>;

  getLane(repo: RepoRef, configuration: string, branch: string): Promise<LaneState>;
  /** A deleted branch: drops its lanes (commit counters, last identity) and schedules. */
  forgetBranch(repo: RepoRef, branch: string): Promise<void>;
  setLane(repo: RepoRef, configuration: string, branch: string, state: LaneState): Promise<void>;

  /** Records (cron) or removes (null) the schedule of a configuration on a branch. */
  setSchedule(repo: RepoRef, configuration: string, branch: string, schedule: { cron: string; installationId: number } | null): Promise<void>;
  listSchedules(): Promise<ScheduleRecord[]>;
  markScheduleFired(repo: RepoRef, configuration: string, branch: string, at: number): Promise<void>;

  getConfigurationState(repo: RepoRef, configuration: string): Promise<ConfigurationState>;
  setConfigurationState(repo: RepoRef, configuration: string, state: ConfigurationState): Promise<void>;

  /** Names of the configurations the app knows for a repository (prebuilt, paused or overridden), sorted. */
  listConfigurations(repo: RepoRef): Promise<string[]>;
  /** The installation of a repository's newest prebuild, or null when it has none. */
  repositoryInstallation(repo: RepoRef): Promise<number | null>;
  /** A configuration's overrides; `{}` when none were set. */
  getOverrides(repo: RepoRef, configuration: string): Promise<ConfigurationOverrides>;
  /** Replaces a configuration's overrides; `null` or `{}` deletes them. */
  setOverrides(repo: RepoRef, configuration: string, overrides: ConfigurationOverrides | null): Promise<void>;

  /** Stores a new token (its hash, never the secret). */
  createToken(token: Pick<ApiTokenRecord, 'name' | 'tokenHash' | 'scopes'>): Promise<ApiTokenRecord>;
  /** The unrevoked token with this hash, or null; records the time of use. */
  useToken(tokenHash: string): Promise<ApiTokenRecord | null>;
  /** Every token, revoked ones included, oldest first. */
  listTokens(): Promise<ApiTokenRecord[]>;
  /** @returns false when no unrevoked token has this id */
  revokeToken(id: number): Promise<boolean>;

  /**
   * Keeps the GitHub headers of recorded deliveries (`X-GitHub-Hook-ID`, `User-Agent` …,
   * lower-case names), all in one transaction; the first recording wins, a redelivery
   * changes nothing.
   */
  recordDeliveryHeaders(entries: Array<{ id: string; headers: Record<string, string> }>): Promise<void>;
  /**
   * Drops the payloads of deliveries processed before `processedBefore` (epoch ms): the
   * payload becomes `null`; id, event, action, installation, headers, times and error stay.
   * @returns how many payloads were dropped
   */
  pruneDeliveryPayloads(processedBefore: number): Promise<number>;

  /** Starts a Prebuilds page session for a token; `idHash` is the hex sha256 of the cookie's random id. */
  createSession(session: PageSession): Promise<void>;
  /** The unrevoked token behind an unexpired session, or null; records the token's time of use. */
  useSession(idHash: string, now: number): Promise<ApiTokenRecord | null>;
  /** Ends a session (sign-out); @returns false when there was none. */
  revokeSession(idHash: string): Promise<boolean>;
}

/** A Prebuilds page session as stored: never the cookie's id itself, only its sha256. */
export interface PageSession {
  idHash: string;
  tokenId: number;
  createdAt: number;
  /** Epoch ms after which the session is refused. */
  expiresAt: number;
}
