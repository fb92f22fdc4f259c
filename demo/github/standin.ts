/**
 * What the GitHub stand-in offers its users (the demo, the tests, the benchmark):
 * its options and the handle `startStandIn` returns (see index.ts).
 */
import type { LocalActionsIssuer } from './oidc-issuer.js';
import type { MemoryRepoContent } from './content/memory.js';
import type { Fault, FaultPlan } from './faults.js';
import type { OverrideReply } from './overrides.js';
import type { NewRepo } from './repos.js';
import type { RunAnnotation } from './runner/recorded.js';
import type { PullRequestOptions, PushOptions } from './simulate.js';
import type { RecordedExchange, StandInState } from './state.js';
import type { CacheRecord, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord } from './types.js';
import type { Delivery, DeliveryOptions } from './webhooks.js';

/** Options of {@link startStandIn}. */
export interface StandInOptions {
  appId: number | string;
  /** PEM public key of the app (JWTs are verified with it). */
  publicKey: string;
  webhookSecret: string;
  /** Default `prebuilds`; the bot user is `<slug>[bot]`. */
  appSlug?: string;
  /** Default 1. */
  installationId?: number;
  /** Owner (a user) of every repository; default `octo-demo`. */
  owner?: string;
  /** Who pushes and opens pull requests; default `dev-demo`. */
  sender?: string;
  /** The product's action directory (with `action.yml`); default `<repo root>/action`. */
  actionDir?: string;
  /** Where bare repositories and job workspaces go; default a new temp dir (removed by `stop()`). */
  workRoot?: string;
  keepWorkspaces?: boolean;
  /** Extra environment for job processes. */
  runnerEnv?: Record<string, string>;
  /** The OIDC issuer of jobs granted `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN); none: no job gets a token. */
  oidcIssuer?: LocalActionsIssuer;
  /** Receives each job log line and internal errors (e.g. `--verbose`). */
  echo?: (line: string) => void;
  /** The app's webhook URL (can be set later with `setWebhookUrl`). */
  webhookUrl?: string;
  port?: number;
  /** The address to listen on; default 127.0.0.1 (containers reach the host at their bridge's gateway address instead). */
  host?: string;
  /** `local` (default): dispatched workflows run as child processes; `none`: runs are only recorded and end with `finishRun`. */
  runner?: 'local' | 'none';
  /** How long a webhook delivery may take before it counts as failed, ms (GitHub: 10 s, the default). */
  webhookTimeoutMs?: number;
  /** How long a new workflow run stays out of its workflow's run listing, ms (GitHub's listing lags; default 0, see `setRunListingLag`). */
  runListingLagMs?: number;
  /** Keep response bodies in the exchange log (default true; the benchmark turns it off to save memory). */
  recordResponses?: boolean;
}

/** A running stand-in. */
export interface StandIn {
  /** `http://127.0.0.1:PORT` (html_url base). */
  serverUrl: string;
  /** `http://127.0.0.1:PORT/api/v3` — the app's `baseUrl`. */
  apiUrl: string;
  state: StandInState;
  /** Every webhook delivery, in order. */
  deliveries: Delivery[];
  /** Every REST exchange, in order. */
  exchanges: RecordedExchange[];
  /** Handler exceptions (500s) and run failures inside the stand-in itself. */
  errors: unknown[];
  setWebhookUrl(url: string): void;
  /** Sets how long a new workflow run stays out of GET …/actions/workflows/{workflow_id}/runs, ms (GitHub's listing is eventually consistent). */
  setRunListingLag(ms: number): void;
  /**
   * Creates an empty repository backed by a bare git repository.
   * @returns the record; `remote` is the path to `git push` to
   */
  createRepo(name: string, options?: NewRepo): Promise<RepoRecord & { remote: string }>;
  /** Creates an empty repository kept in memory; add commits with `content.commit({files, sha?, parents?, branch?})`. */
  createMemoryRepo(name: string, options?: NewRepo): RepoRecord & { content: MemoryRepoContent };
  /**
   * Makes one operation (method + GitHub path template, e.g. `POST /repos/{owner}/{repo}/check-runs`)
   * answer `reply` for the next `times` requests (default: until removed or `clearOverrides()`).
   * @returns a function that removes the override
   */
  override(method: string, template: string, reply: OverrideReply, times?: number): () => void;
  clearOverrides(): void;
  /**
   * Puts a fault plan in force (demo/github/faults.ts): the n-th request of each operation
   * (`METHOD template`) from now on gets the n-th fault — 5xx, GitHub's rate-limit answers,
   * a dropped connection, or held open until a promise resolves; later ones are served.
   */
  faults(plan: Record<string, Fault[]>): FaultPlan;
  /** Sends a webhook signed with the app's secret (GitHub's headers), in order with the others. */
  send(event: string, payload: { action?: string } & object, options?: DeliveryOptions): Promise<Delivery>;
  /** The `pull_request` payload `pullRequest()` would send, without sending it (the pull request is remembered). */
  pullRequestPayload(repo: string, options: PullRequestOptions): Promise<{ payload: Record<string, any>; number: number }>;
  /** The `push` payload `push()` would send, without sending it (it does remember the head). */
  pushPayload(repo: string, options: PushOptions): Promise<Record<string, any>>;
  /** With `runner: 'none'`: marks a run in progress. */
  startRun(runId: number): RunRecord;
  /** With `runner: 'none'`: completes a run, leaving `annotations`, `log` lines and completed `steps` (their names as GitHub evaluated them) on the job that decided it (`jobKey`, default the first; as the action and the workflow would). */
  finishRun(
    runId: number,
    conclusion: 'success' | 'failure' | 'cancelled',
    annotations?: RunAnnotation[],
    log?: string[],
    jobKey?: string,
    steps?: string[],
  ): RunRecord;
  /** With `runner: 'none'`: the runs the app dispatched, in order. */
  dispatched(): RunRecord[];
  /**
   * With `runner: 'none'`: a run of `workflow` (default `prebuild.yml`) on `ref` that a person started
   * (the Actions tab), not the app; inputs get the workflow's defaults.
   * @throws Error when the ref or the workflow file is not in the repository
   */
  recordRun(repo: string, o: { ref: string; workflow?: string; inputs?: Record<string, string>; actor?: string }): Promise<RunRecord>;
  /** The `workflow_run` payload with `action` for a run as it is now. */
  workflowRunPayload(runId: number, action: 'requested' | 'in_progress' | 'completed'): Promise<Record<string, any>>;
  /** Sends `workflow_run` with `action` for a run as it is now. */
  sendWorkflowRun(runId: number, action: 'requested' | 'in_progress' | 'completed'): Promise<Delivery>;
  /** With `runner: 'none'`: called with each dispatched run (after the dispatch was answered). */
  onDispatch(listener: ((run: RunRecord) => void) | null): void;
  /**
   * A GitHub Actions OIDC token of a job of the run, signed by the stand-in's issuer
   * (`oidcIssuer`), with the claims the runner gives its jobs: what a job granted
   * `id-token: write` gets from `core.getIDToken(audience)`. For runs nothing executes
   * (`runner: 'none'`), whose "action" the caller plays.
   * @throws Error without an issuer, or for an unknown run
   */
  jobIdToken(runId: number, audience: string): Promise<string>;
  /** Records the current head of `branch` as already pushed, without a webhook (history from before the app was installed). */
  recordHead(repo: string, branch: string): Promise<string>;
  /** Sends `installation.created` for every repository of an installation (default: the app's). */
  installationCreated(installationId?: number): Promise<Delivery>;
  /** Sends the `push` webhook for what was `git push`ed to `branch` (see `simulatePush`). */
  push(repo: string, options: PushOptions): Promise<Delivery>;
  /** Sends a `pull_request` webhook (see `simulatePullRequest`). */
  pullRequest(repo: string, options: PullRequestOptions): Promise<{ delivery: Delivery; number: number }>;
  /** Sends `check_run.rerequested` for one of the app's check runs. */
  rerequestCheckRun(repo: string, checkRunId: number): Promise<Delivery>;
  /** Records an Actions cache entry (listed by GET …/actions/caches). */
  recordCache(repo: string, entry: { key: string; ref?: string; sizeInBytes?: number; version?: string }): CacheRecord;
  /** Check runs of a repository (optionally on one sha), newest first; `app: true` for the app's only. */
  checkRuns(repo: string, filter?: { sha?: string; app?: boolean }): CheckRunRecord[];
  /** Workflow runs of a repository, newest first. */
  runs(repo: string): RunRecord[];
  /** Jobs of a run. */
  jobs(runId: number): JobRecord[];
  issues(repo: string): IssueRecord[];
  /** Resolves when no run is queued or running and every webhook was delivered. */
  idle(): Promise<void>;
  /** Cancels running jobs, closes the server, removes the temp dir it created. */
  stop(): Promise<void>;
}
