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
import { applyFaultPlan, type Fault, type FaultHit, type FaultPlan } from './faults.js';
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
import { runGithubContext, type Runs } from './runner/runs.js';
import { jobClaimsOf } from './runner/job-env.js';
import { WorkflowRunner } from './runner/scheduler.js';
import { checkInputs, loadWorkflow } from './runner/workflow.js';
import { buildPullRequest, buildPush, simulatePullRequest, simulatePush, simulateRerequest, type PullRequestOptions, type PushOptions } from './simulate.js';
import type { StandIn, StandInOptions } from './standin.js';
import { StandInState, type RecordedExchange } from './state.js';
import type { CacheRecord, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord } from './types.js';
import { WebhookSender, type Delivery, type DeliveryOptions } from './webhooks.js';

export type { StandIn, StandInOptions } from './standin.js';
export type {
  Delivery,
  DeliveryOptions,
  RecordedExchange,
  CheckRunRecord,
  IssueRecord,
  JobRecord,
  RepoRecord,
  RunRecord,
  PushOptions,
  PullRequestOptions,
  NewRepo,
  OverrideReply,
  Fault,
  FaultHit,
  FaultPlan,
  RunAnnotation,
  MemoryRepoContent,
};
export type { Reply } from './router.js';
export { errorBody } from './payloads/rest.js';
export { secondaryRateLimitBody, RATE_LIMITS_DOCS } from './faults.js';
export { appKeyPair } from './auth.js';
export { WebhookSender, webhookHeaders } from './webhooks.js';
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

/** Starts a stand-in on 127.0.0.1 or `host` (random port unless `port`). */
export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const ownWorkRoot = !options.workRoot;
  const workRoot = options.workRoot ?? (await mkdtemp(join(tmpdir(), 'gh-standin-')));
  await mkdir(join(workRoot, 'runner'), { recursive: true });
  const state = new StandInState(
    {
      id: Number(options.appId),
      slug: options.appSlug ?? 'prebuilds',
      name: 'Prebuilds',
      publicKey: options.publicKey,
      installationId: options.installationId ?? 1,
    },
    options.owner ?? 'octo-demo',
    options.sender ?? 'dev-demo',
  );
  state.runListingLagMs = options.runListingLagMs ?? 0;
  const errors: unknown[] = [];
  const onError = (err: unknown) => {
    errors.push(err);
    options.echo?.(`[stand-in] error: ${(err as Error)?.stack ?? String(err)}`);
  };
  const webhooks = new WebhookSender(options.webhookSecret, state.app.id, options.webhookTimeoutMs);
  webhooks.url = options.webhookUrl ?? null;
  const recorded = options.runner === 'none' ? new RecordedRuns(state) : null;
  const runner: Runs =
    recorded ??
    new WorkflowRunner(
      state,
      webhooks,
      {
        actionDir: options.actionDir ?? join(repoRoot(), 'action'),
        workRoot: join(workRoot, 'runner'),
        keepWorkspaces: options.keepWorkspaces ?? false,
        hostEnv: hostEnv(options.runnerEnv),
        runnerName: 'stand-in-runner 1',
        ...(options.oidcIssuer ? { oidcIssuer: options.oidcIssuer } : {}),
        ...(options.echo ? { echo: options.echo } : {}),
      },
      onError,
    );
  const overrides = new Overrides();
  const routes = [...appRoutes(state), ...repoRoutes(state), ...actionsRoutes(state, runner), ...checksRoutes(state), ...issuesRoutes(state)];
  const server = createRouter(state, routes, onError, overrides, options.recordResponses ?? true);
  await new Promise<void>((res) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', res));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in did not get a TCP port');
  state.serverUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
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
    setRunListingLag: (ms) => {
      state.runListingLagMs = ms;
    },
    createRepo: (name, o = {}) => createGitRepo(state, workRoot, name, o),
    createMemoryRepo: (name, o = {}) => createMemoryRepo(state, name, o),
    override: (method, template, reply, times) => overrides.add(method, template, reply, times),
    clearOverrides: () => overrides.clear(),
    faults: (plan) => applyFaultPlan(overrides, plan),
    send: (event, payload, o) => webhooks.send(event, payload, o),
    pushPayload: (name, o) => buildPush(state, repoNamed(name), o),
    pullRequestPayload: (name, o) => buildPullRequest(state, repoNamed(name), prs, o),
    startRun: (runId) => needRecorded().start(runId),
    finishRun: (runId, conclusion, annotations, log, jobKey, steps) => needRecorded().finish(runId, conclusion, annotations, log, jobKey, steps),
    dispatched: () => [...needRecorded().dispatched],
    async recordRun(name, o) {
      const repo = repoNamed(name);
      const path = `.github/workflows/${o.workflow ?? 'prebuild.yml'}`;
      const target = await repo.content.resolveBranchOrTag(o.ref);
      const wf = target ? await loadWorkflow(repo.content, target.sha, path) : null;
      if (!target || !wf || 'error' in wf) throw new Error(`no runnable ${path} on ${o.ref} in ${repo.owner}/${repo.name}`);
      const checked = checkInputs(wf, o.inputs ?? {});
      if ('error' in checked) throw new Error(checked.error);
      return needRecorded().record({
        repo,
        wf,
        workflowId: workflowIdOf(state, repo, path),
        ref: target.ref,
        sha: target.sha,
        inputs: checked.inputs,
        actor: o.actor ?? state.senderLogin,
      });
    },
    workflowRunPayload: (runId, action) => buildWorkflowRun(runId, action),
    sendWorkflowRun: async (runId, action) => webhooks.send('workflow_run', await buildWorkflowRun(runId, action)),
    async jobIdToken(runId, audience) {
      const run = state.runs.get(runId);
      if (!run) throw new Error(`no workflow run ${runId}`);
      if (!options.oidcIssuer) throw new Error('the stand-in has no OIDC issuer (oidcIssuer)');
      return options.oidcIssuer.mint(jobClaimsOf(runGithubContext(state, run)), audience);
    },
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
    installationCreated: (id = state.app.installationId) =>
      webhooks.send(
        'installation',
        installationCreated(
          state,
          [...state.repos.values()].filter((r) => r.installationId === id),
        ),
      ),
    push: (name, o) => simulatePush(state, webhooks, repoNamed(name), o),
    pullRequest: (name, o) => simulatePullRequest(state, webhooks, repoNamed(name), prs, o),
    rerequestCheckRun: (name, id) => simulateRerequest(state, webhooks, repoNamed(name), id),
    recordCache(name, e) {
      const repo = repoNamed(name);
      const now = new Date();
      const rec: CacheRecord = {
        id: state.nextId('cache'),
        repoId: repo.id,
        key: e.key,
        ref: e.ref ?? `refs/heads/${repo.defaultBranch}`,
        version: e.version ?? 'standin',
        sizeInBytes: e.sizeInBytes ?? 0,
        createdAt: now,
        lastAccessedAt: now,
      };
      state.caches.push(rec);
      return rec;
    },
    checkRuns(name, filter = {}) {
      const repo = repoNamed(name);
      return [...state.checkRuns.values()]
        .filter(
          (c) => c.repoId === repo.id && (!filter.sha || c.headSha === filter.sha) && (filter.app === undefined || (c.owner.kind === 'app') === filter.app),
        )
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
