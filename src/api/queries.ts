import { jobLog, runJobs } from '../github/logs.js';
import type { PrebuildRecord, PrebuildState, RepoRef } from '../store/types.js';
import { isAdmin, type Principal } from './auth.js';
import { githubFailure, prebuildAccess, repoAccess, type ManagementDeps } from './deps.js';
import { ApiError, notFound } from './http.js';
import { buildReport, configurationReport, configurationSeries, type ConfigurationSeries, type ValueReport } from './report.js';
import { configurationView, decisionView, deliveryDecisionView, prebuildView, type ConfigurationView, type DecisionView, type PrebuildView } from './views.js';

/**
 * The read side of the management API and the Prebuilds page. Every function
 * checks the token's scope first and throws `ApiError` (404 also outside its scope, 502).
 */

const fullName = (r: RepoRef) => `${r.owner}/${r.repo}`;

/** One configuration's view (file values, overrides, newest and last successful prebuild). */
async function viewOf(m: ManagementDeps, repo: RepoRef, name: string): Promise<ConfigurationView> {
  const { store } = m.app;
  const [newest, success, withSettings, state, overrides] = await Promise.all([
    store.listPrebuilds({ ...repo, configuration: name, limit: 1 }),
    store.listPrebuilds({ ...repo, configuration: name, states: ['success'], limit: 1 }),
    store.listPrebuilds({
      ...repo,
      configuration: name,
      states: ['waiting', 'dispatched', 'running', 'success', 'failure', 'timed_out', 'cancelled', 'expired'],
      limit: 20,
    }),
    store.getConfigurationState(repo, name),
    store.getOverrides(repo, name),
  ]);
  const settingsSource = withSettings.find((p) => p.settings !== null) ?? null;
  return configurationView(fullName(repo), name, { paused: state.paused, overrides }, newest[0] ?? null, success[0] ?? null, settingsSource, m.webUrl);
}

/** `GET /api/repos/{owner}/{repo}/configurations`: every configuration the app knows, with its last prebuild. */
export async function listConfigurations(m: ManagementDeps, principal: Principal, repo: RepoRef): Promise<ConfigurationView[]> {
  await repoAccess(m, principal, repo);
  const names = await m.app.store.listConfigurations(repo);
  return Promise.all(names.map((n) => viewOf(m, repo, n)));
}

/**
 * `GET /api/repos/{owner}/{repo}/configurations/{name}`.
 * @throws ApiError 404 when the app knows no such configuration
 */
export async function getConfiguration(m: ManagementDeps, principal: Principal, repo: RepoRef, name: string): Promise<ConfigurationView> {
  await repoAccess(m, principal, repo);
  await knownConfiguration(m, repo, name);
  return viewOf(m, repo, name);
}

/** @throws ApiError 404 when the app knows no configuration of that name in the repository */
export async function knownConfiguration(m: ManagementDeps, repo: RepoRef, name: string): Promise<void> {
  const names = await m.app.store.listConfigurations(repo);
  if (!names.includes(name)) throw notFound(`configuration "${name}" is not known in ${fullName(repo)}`);
}

/** Filters of `GET /api/prebuilds`. `cursor` is the last id of the previous page. */
export interface PrebuildQuery {
  repo?: RepoRef;
  configuration?: string;
  branch?: string;
  states?: PrebuildState[];
  cursor?: number;
  limit: number;
}

/** A page of prebuilds, newest first; `nextCursor` is null on the last page. */
export interface PrebuildPage {
  prebuilds: PrebuildView[];
  nextCursor: number | null;
}

/**
 * `GET /api/prebuilds`: prebuilds the token may see, newest first, with cursor
 * pagination. Without a repository, a scoped token sees its installations' prebuilds.
 */
export async function listPrebuilds(m: ManagementDeps, principal: Principal, q: PrebuildQuery): Promise<PrebuildPage> {
  if (q.repo) await repoAccess(m, principal, q.repo);
  const installationIds = q.repo || isAdmin(principal) ? undefined : principal.scopes.filter((s): s is number => s !== '*');
  const rows = await m.app.store.listPrebuilds({
    ...(q.repo ?? {}),
    configuration: q.configuration,
    branch: q.branch,
    states: q.states,
    beforeId: q.cursor,
    installationIds,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return { prebuilds: page.map((p) => prebuildView(p, m.webUrl)), nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

/** `GET /api/prebuilds/{id}`: one prebuild with timings, size, base, trigger, check run and log links. */
export async function getPrebuild(m: ManagementDeps, principal: Principal, id: number): Promise<PrebuildView> {
  return prebuildView(await prebuildAccess(m, principal, id), m.webUrl);
}

/**
 * `GET /api/repos/{owner}/{repo}/decisions/{sha}`: why each configuration did or did not
 * prebuild a commit, then the commit's deliveries still being retried or given up
 * (configuration `*`, decision `retrying` or `failed`, reason as src/deliveries/status.ts words it).
 */
export async function listDecisions(m: ManagementDeps, principal: Principal, repo: RepoRef, sha: string): Promise<DecisionView[]> {
  await repoAccess(m, principal, repo);
  const [decisions, deliveries] = await Promise.all([
    m.app.store.listDecisions(repo, sha),
    m.app.store.listDeliveries({ repository: `${repo.owner}/${repo.repo}`, sha, states: ['retrying', 'failed'] }),
  ]);
  return [...decisions.map(decisionView), ...deliveries.reverse().map(deliveryDecisionView)];
}

/** What `GET /api/prebuilds/{id}/logs` answers. */
export interface PrebuildLog {
  id: number;
  workflowRunUrl: string | null;
  jobId: number;
  jobName: string;
  log: string;
}

/**
 * The job log of a prebuild's run: the run's jobs (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`),
 * the failed one if any, else the first, then its log (`GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`).
 * @throws ApiError 404 when the prebuild has no run yet or GitHub no longer has the log
 */
export async function prebuildLog(m: ManagementDeps, principal: Principal, id: number): Promise<PrebuildLog> {
  const p = await prebuildAccess(m, principal, id);
  if (!p.workflowRunId) throw notFound(`prebuild #${id} has no workflow run (status ${p.state})`);
  const repo = { owner: p.owner, repo: p.repo };
  try {
    const octokit = await m.app.octokitFor(p.installationId);
    const jobs = await runJobs(octokit, repo, p.workflowRunId);
    const job = jobs.find((j) => j.conclusion === 'failure') ?? jobs[0];
    if (!job) throw notFound(`workflow run ${p.workflowRunId} of prebuild #${id} has no jobs`);
    const log = await jobLog(octokit, repo, job.id);
    if (log === null) throw notFound(`the log of job ${job.id} is gone (logs expire after the repository's retention period)`);
    return { id, workflowRunUrl: p.workflowRunUrl, jobId: job.id, jobName: job.name, log };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw githubFailure(m, error, `give the log of prebuild #${id}`);
  }
}

/** `GET /api/repos/{owner}/{repo}/report?period=7d`: the value report. */
export async function valueReport(m: ManagementDeps, principal: Principal, repo: RepoRef, period: { label: string; ms: number }): Promise<ValueReport> {
  await repoAccess(m, principal, repo);
  const now = (m.now ?? Date.now)();
  const { store } = m.app;
  const restores = await store.listRestores(repo, now - period.ms, 100_000);
  const names = [...new Set([...(await store.listConfigurations(repo)), ...restores.map((r) => r.configuration)])];
  const reports = await Promise.all(
    names.map(async (name) => {
      const [inPeriod, held] = await Promise.all([
        allPages((beforeId) => store.listPrebuilds({ ...repo, configuration: name, createdSince: now - period.ms, beforeId, limit: 1000 })),
        allPages((beforeId) => store.listPrebuilds({ ...repo, configuration: name, states: ['success'], beforeId, limit: 1000 })),
      ]);
      return configurationReport(
        name,
        inPeriod,
        held,
        restores.filter((r) => r.configuration === name),
      );
    }),
  );
  return buildReport(fullName(repo), period, now, reports);
}

/**
 * Per configuration, its finished prebuilds' durations and its restores' time saved over
 * a period (the Prebuilds page's chart).
 * @throws ApiError 404 when the repository is unknown or outside the caller's installations
 */
export async function valueSeries(m: ManagementDeps, principal: Principal, repo: RepoRef, periodMs: number): Promise<ConfigurationSeries[]> {
  await repoAccess(m, principal, repo);
  const since = (m.now ?? Date.now)() - periodMs;
  const { store } = m.app;
  const restores = await store.listRestores(repo, since, 100_000);
  const names = [...new Set([...(await store.listConfigurations(repo)), ...restores.map((r) => r.configuration)])];
  return Promise.all(
    names.map(async (name) => {
      const prebuilds = await allPages((beforeId) => store.listPrebuilds({ ...repo, configuration: name, createdSince: since, beforeId, limit: 1000 }));
      return configurationSeries(
        name,
        prebuilds,
        restores.filter((r) => r.configuration === name),
      );
    }),
  );
}

async function allPages(page: (beforeId: number | undefined) => Promise<PrebuildRecord[]>): Promise<PrebuildRecord[]> {
  const out: PrebuildRecord[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const rows = await page(beforeId);
    out.push(...rows);
    if (rows.length < 1000) return out;
    beforeId = rows[rows.length - 1]!.id;
  }
}
