/**
 * A local GitHub stand-in for the demo and end-to-end tests. It speaks GitHub's
 * REST API the way GitHub Enterprise Server does (base URL
 * `http://127.0.0.1:PORT/api/v3`), backs every repository with a real bare git
 * repository, runs dispatched workflows with a local runner (child processes),
 * and sends signed webhooks to the app.
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
import { git, resolveCommit } from './git.js';
import { iso } from './payloads/common.js';
import { installationCreated } from './payloads/webhooks.js';
import type { PullRequestFacts } from './payloads/webhooks.js';
import { createRouter, json, notFound, type Route } from './router.js';
import { actionsRoutes } from './routes/actions.js';
import { checksRoutes } from './routes/checks.js';
import { issuesRoutes } from './routes/issues.js';
import { repoRoutes } from './routes/repos.js';
import { hostEnv } from './runner/process.js';
import { WorkflowRunner } from './runner/scheduler.js';
import { simulatePullRequest, simulatePush, simulateRerequest, type PullRequestOptions, type PushOptions } from './simulate.js';
import { StandInState, type RecordedExchange } from './state.js';
import type { CacheRecord, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord } from './types.js';
import { WebhookSender, type Delivery } from './webhooks.js';

export type { Delivery, RecordedExchange, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord, PushOptions, PullRequestOptions };
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
  createRepo(name: string, options?: { defaultBranch?: string; variables?: Record<string, string>; secrets?: Record<string, string>; private?: boolean }): Promise<RepoRecord & { remote: string }>;
  /** Records the current head of `branch` as already pushed, without a webhook (history from before the app was installed). */
  recordHead(repo: string, branch: string): Promise<string>;
  /** Sends `installation.created` for every repository. */
  installationCreated(): Promise<Delivery>;
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
  const runner = new WorkflowRunner(
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
  const tokenRoute: Route = {
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    auth: 'app',
    handle: (req) => {
      if (Number(req.params.installation_id) !== state.app.installationId) return notFound();
      const { token, expiresAt } = state.issueToken();
      return json(201, { token, expires_at: iso(expiresAt), permissions: { actions: 'write', checks: 'write', contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'read' }, repository_selection: 'selected' });
    },
  };
  const routes = [tokenRoute, ...repoRoutes(state), ...actionsRoutes(state, runner), ...checksRoutes(state), ...issuesRoutes(state)];
  const server = createRouter(state, routes, onError);
  await new Promise<void>((res) => server.listen(options.port ?? 0, '127.0.0.1', res));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in did not get a TCP port');
  state.serverUrl = `http://127.0.0.1:${address.port}`;
  const prs = new Map<string, PullRequestFacts>();

  const repoNamed = (name: string): RepoRecord => {
    const r = state.repo(state.ownerLogin, name);
    if (!r) throw new Error(`no repository ${state.ownerLogin}/${name}`);
    return r;
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
    async createRepo(name, o = {}) {
      const bareDir = join(workRoot, 'repos', state.ownerLogin, `${name}.git`);
      await mkdir(bareDir, { recursive: true });
      const branch = o.defaultBranch ?? 'main';
      await git(bareDir, ['init', '--bare', '-q', `--initial-branch=${branch}`]);
      await git(bareDir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
      await git(bareDir, ['config', 'uploadpack.allowFilter', 'true']);
      const now = new Date();
      const rec: RepoRecord = {
        id: state.nextId('repo'),
        owner: state.ownerLogin,
        name,
        bareDir,
        defaultBranch: branch,
        private: o.private ?? true,
        createdAt: now,
        pushedAt: now,
        variables: { ...o.variables },
        secrets: { ...o.secrets },
        knownHeads: new Map(),
        workflowIds: new Map(),
      };
      state.repos.set(`${state.ownerLogin}/${name}`.toLowerCase(), rec);
      return Object.assign(rec, { remote: bareDir });
    },
    async recordHead(name, branch) {
      const repo = repoNamed(name);
      const sha = await resolveCommit(repo.bareDir, `refs/heads/${branch}`);
      if (!sha) throw new Error(`no branch ${branch} in ${repo.owner}/${repo.name}`);
      repo.knownHeads.set(branch, sha);
      return sha;
    },
    installationCreated: () => webhooks.send('installation', installationCreated(state, [...state.repos.values()])),
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
