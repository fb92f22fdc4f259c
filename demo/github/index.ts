/**
 * The one GitHub stand-in, for the demo, the tests and the benchmark. It speaks
 * GitHub's REST API the way GitHub Enterprise Server does (base URL
 * `http://127.0.0.1:PORT/api/v3`), keeps each repository in a real bare git
 * repository or in memory, runs dispatched workflows with a local runner (child
 * processes) or only records them (`runner: 'none'`), answers per-test overrides,
 * logs every exchange, and sends signed webhooks to the app.
 *
 * ```ts
 * const gh = await startStandIn({ appId: 1, publicKey, webhookSecret: 's' });
 * const repo = await gh.createRepo('demo', { variables: { PREBUILDS_STORE: 'dir:/tmp/s' } });
 * // git push <repo.remote> main …
 * gh.setWebhookUrl(app.webhookUrl);
 * await gh.push('demo', { branch: 'main' });
 * await gh.idle();
 * ```
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MemoryRepoContent } from './content/memory.js';
import { Overrides, type OverrideReply } from './overrides.js';
import { installationCreated, workflowRunPayload } from './payloads/webhooks.js';
import type { PullRequestFacts } from './payloads/webhooks.js';
import { createGitRepo, createMemoryRepo, type NewRepo } from './repos.js';
import { createRouter } from './router.js';
import { actionsRoutes, workflowIdOf } from './routes/actions.js';
import { appRoutes } from './routes/apps.js';
import { checksRoutes } from './routes/checks.js';
import { issuesRoutes } from './routes/issues.js';
import { repoRoutes } from './routes/repos.js';
import { hostEnv } from './runner/process.js';
import { RecordedRuns, type RunAnnotation } from './runner/recorded.js';
import type { Runs } from './runner/runs.js';
import { WorkflowRunner } from './runner/scheduler.js';
import { checkInputs, loadWorkflow } from './runner/workflow.js';
import { buildPullRequest, buildPush, simulatePullRequest, simulatePush, simulateRerequest, type PullRequestOptions, type PushOptions } from './simulate.js';
import { StandInState, type RecordedExchange } from './state.js';
import type { CacheRecord, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord } from './types.js';
import { WebhookSender, type Delivery, type DeliveryOptions } from './webhooks.js';

export type { Delivery, DeliveryOptions, RecordedExchange, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord, PushOptions, PullRequestOptions, NewRepo, OverrideReply, RunAnnotation, MemoryRepoContent };
export type { Reply } from './router.js';
export { errorBody } from './payloads/rest.js';
export { WebhookSender } from './webhooks.js';
export { ZERO_SHA } from './simulate.js';

/** The repository root: the nearest directory above this module with a `package.json` and an `action/` directory. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'action')))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

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
  /** Receives each job log line and internal errors (e.g. `--verbose`). */
  echo?: (line: string) => void;
  /** The app's webhook URL (can be set later with `setWebhookUrl`). */
  webhookUrl?: string;
  port?: number;
  /** `local` (default): dispatched workflows run as child processes; `none`: runs are only recorded and end with `finishRun`. */
  runner?: 'local' | 'none';
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
  /** Sends a webhook signed with the app's secret (GitHub's headers), in order with the others. */
  send(event: string, payload: { action?: string } & object, options?: DeliveryOptions): Promise<Delivery>;
  /** The `pull_request` payload `pullRequest()` would send, without sending it (the pull request is remembered). */
  pullRequestPayload(repo: string, options: PullRequestOptions): Promise<{ payload: Record<string, any>; number: number }>;
  /** The `push` payload `push()` would send, without sending it (it does remember the head). */
  pushPayload(repo: string, options: PushOptions): Promise<Record<string, any>>;
  /** With `runner: 'none'`: marks a run in progress. */
  startRun(runId: number): RunRecord;
  /** With `runner: 'none'`: completes a run, leaving `annotations` and `log` lines on the job that decided it (`jobKey`, default the first; as the action would). */
  finishRun(runId: number, conclusion: 'success' | 'failure' | 'cancelled', annotations?: RunAnnotation[], log?: string[], jobKey?: string): RunRecord;
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

/** Starts a stand-in on 127.0.0.1 (random port unless `port`). */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const ownWorkRoot = !options.workRoot;
  const workRoot = options.workRoot ?? (await mkdtemp(join(tmpdir(), 'gh-standin-')));
  await mkdir(join(workRoot, 'runner'), { recursive: true });
  const state = new StandInState(
    { id: Number(options.appId), slug: options.appSlug ?? 'prebuilds', name: 'Prebuilds', publicKey: options.publicKey, installationId: options.installationId ?? 1 },
    options.owner ?? 'octo-demo',
    options.sender ?? 'dev-demo',
  );
  const errors: unknown[] = [];
  const onError = (err: unknown) => {
    errors.push(err);
    options.echo?.(`[stand-in] error: ${(err as Error)?.stack ?? String(err)}`);
  };
  const webhooks = new WebhookSender(options.webhookSecret, state.app.id);
  webhooks.url = options.webhookUrl ?? null;
  const recorded = options.runner === 'none' ? new RecordedRuns(state) : null;
  const runner: Runs = recorded ?? new WorkflowRunner(
    state,
    webhooks,
    {
      actionDir: options.actionDir ?? join(repoRoot(), 'action'),
      workRoot: join(workRoot, 'runner'),
      keepWorkspaces: options.keepWorkspaces ?? false,
      hostEnv: hostEnv(options.runnerEnv),
      runnerName: 'stand-in-runner 1',
      ...(options.echo ? { echo: options.echo } : {}),
    },
    onError,
  );
  const overrides = new Overrides();
  const routes = [...appRoutes(state), ...repoRoutes(state), ...actionsRoutes(state, runner), ...checksRoutes(state), ...issuesRoutes(state)];
  const server = createRouter(state, routes, onError, overrides, options.recordResponses ?? true);
  await new Promise<void>((res) => server.listen(options.port ?? 0, '127.0.0.1', res));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in did not get a TCP port');
  state.serverUrl = `http://127.0.0.1:${address.port}`;
  const prs = new Map<string, PullRequestFacts>();

  /** A repository by `name` (the stand-in's owner) or `owner/name`. */
  const repoNamed = (name: string): RepoRecord => {
    const [owner, repo] = name.includes('/') ? (name.split('/') as [string, string]) : [state.ownerLogin, name];
    const r = state.repo(owner, repo);
    if (!r) throw new Error(`no repository ${owner}/${repo}`);
    return r;
  };
  const buildWorkflowRun = async (runId: number, action: 'requested' | 'in_progress' | 'completed') => {
    const run = state.runs.get(runId);
    if (!run) throw new Error(`no workflow run ${runId}`);
    const repo = state.repoById(run.repoId);
    return workflowRunPayload(state, repo, { ...run }, await repo.content.readCommit(run.headSha), action, await repo.content.sizeKiB());
  };
  const needRecorded = (): RecordedRuns => {
    if (!recorded) throw new Error("runs are recorded only with runner: 'none'");
    return recorded;
  };

  return {
    serverUrl: state.serverUrl,
    apiUrl: state.apiUrl,
    state,
    deliveries: webhooks.deliveries,
    exchanges: state.exchanges,
    errors,
    setWebhookUrl: (url) => {
      webhooks.url = url;
    },
    createRepo: (name, o = {}) => createGitRepo(state, workRoot, name, o),
    createMemoryRepo: (name, o = {}) => createMemoryRepo(state, name, o),
    override: (method, template, reply, times) => overrides.add(method, template, reply, times),
    clearOverrides: () => overrides.clear(),
    send: (event, payload, o) => webhooks.send(event, payload, o),
    pushPayload: (name, o) => buildPush(state, repoNamed(name), o),
    pullRequestPayload: (name, o) => buildPullRequest(state, repoNamed(name), prs, o),
    startRun: (runId) => needRecorded().start(runId),
    finishRun: (runId, conclusion, annotations, log, jobKey) => needRecorded().finish(runId, conclusion, annotations, log, jobKey),
    dispatched: () => [...needRecorded().dispatched],
    async recordRun(name, o) {
      const repo = repoNamed(name);
      const path = `.github/workflows/${o.workflow ?? 'prebuild.yml'}`;
      const target = await repo.content.resolveBranchOrTag(o.ref);
      const wf = target ? await loadWorkflow(repo.content, target.sha, path) : null;
      if (!target || !wf || 'error' in wf) throw new Error(`no runnable ${path} on ${o.ref} in ${repo.owner}/${repo.name}`);
      const checked = checkInputs(wf, o.inputs ?? {});
      if ('error' in checked) throw new Error(checked.error);
      return needRecorded().record({ repo, wf, workflowId: workflowIdOf(state, repo, path), ref: target.ref, sha: target.sha, inputs: checked.inputs, actor: o.actor ?? state.senderLogin });
    },
    workflowRunPayload: (runId, action) => buildWorkflowRun(runId, action),
    sendWorkflowRun: async (runId, action) => webhooks.send('workflow_run', await buildWorkflowRun(runId, action)),
    onDispatch(listener) {
      needRecorded().onDispatch = listener;
    },
    async recordHead(name, branch) {
      const repo = repoNamed(name);
      const sha = await repo.content.resolveCommit(`refs/heads/${branch}`);
      if (!sha) throw new Error(`no branch ${branch} in ${repo.owner}/${repo.name}`);
      repo.knownHeads.set(branch, sha);
      return sha;
    },
    installationCreated: (id = state.app.installationId) => webhooks.send('installation', installationCreated(state, [...state.repos.values()].filter((r) => r.installationId === id))),
    push: (name, o) => simulatePush(state, webhooks, repoNamed(name), o),
    pullRequest: (name, o) => simulatePullRequest(state, webhooks, repoNamed(name), prs, o),
    rerequestCheckRun: (name, id) => simulateRerequest(state, webhooks, repoNamed(name), id),
    recordCache(name, e) {
      const repo = repoNamed(name);
      const now = new Date();
      const rec: CacheRecord = { id: state.nextId('cache'), repoId: repo.id, key: e.key, ref: e.ref ?? `refs/heads/${repo.defaultBranch}`, version: e.version ?? 'standin', sizeInBytes: e.sizeInBytes ?? 0, createdAt: now, lastAccessedAt: now };
      state.caches.push(rec);
      return rec;
    },
    checkRuns(name, filter = {}) {
      const repo = repoNamed(name);
      return [...state.checkRuns.values()]
        .filter((c) => c.repoId === repo.id && (!filter.sha || c.headSha === filter.sha) && (filter.app === undefined || (c.owner.kind === 'app') === filter.app))
        .sort((a, b) => b.id - a.id);
    },
    runs: (name) => state.runsOf(repoNamed(name).id),
    jobs: (runId) => (state.runs.get(runId)?.jobIds ?? []).map((id) => state.jobs.get(id)!),
    issues: (name) => state.issues.filter((i) => i.repoId === repoNamed(name).id),
    idle: () => runner.idle(),
    async stop() {
      for (const run of state.runs.values()) runner.cancel(run);
      await runner.idle().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
      if (ownWorkRoot) await rm(workRoot, { recursive: true, force: true });
    },
  };
}
