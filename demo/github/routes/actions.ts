/**
 * GitHub Actions endpoints: workflow dispatch, runs, jobs, cancellation, job logs
 * (a 302 to a signed URL on the stand-in) and the cache list (the stand-in has no
 * cache service: it lists what was recorded with `StandIn.recordCache`).
 */
import { randomBytes } from 'node:crypto';
import { botLogin, repoApiUrl, repoHtmlUrl } from '../payloads/common.js';
import { cacheObject, errorBody, jobObject, validationError, workflowRunObject } from '../payloads/rest.js';
import { json, notFound, type Reply, type Route, type RouteRequest } from '../router.js';
import { TemplateError } from '../runner/template.js';
import type { Runs } from '../runner/runs.js';
import { checkInputs, loadWorkflow } from '../runner/workflow.js';
import type { StandInState } from '../state.js';
import type { RepoRecord, RunRecord } from '../types.js';
import { paginate } from './paging.js';
import { repoOf } from './repos.js';

/** Path of a workflow given by file name or numeric id; `null` for an unknown id. */
function workflowPath(repo: RepoRecord, workflowId: string): string | null {
  if (/^\d+$/.test(workflowId)) {
    for (const [path, id] of repo.workflowIds) if (String(id) === workflowId) return path;
    return null;
  }
  return `.github/workflows/${workflowId}`;
}

/** Numeric id of a workflow file, assigned on first use. */
export function workflowIdOf(state: StandInState, repo: RepoRecord, path: string): number {
  let id = repo.workflowIds.get(path);
  if (id === undefined) {
    id = state.nextId('workflow');
    repo.workflowIds.set(path, id);
  }
  return id;
}

async function dispatch(state: StandInState, runner: Runs, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const body = req.body as { ref?: unknown; inputs?: unknown; return_run_details?: unknown };
  if (typeof body.ref !== 'string' || body.ref === '') return json(422, validationError('Invalid request.\n\n"ref" wasn\'t supplied.'));
  const path = workflowPath(repo, req.params.workflow_id ?? '');
  if (!path) return notFound();
  const target = await repo.content.resolveBranchOrTag(body.ref);
  if (!target) return json(422, validationError(`No ref found for: ${body.ref}`));
  const wf = await loadWorkflow(repo.content, target.sha, path);
  if (!wf) return notFound();
  if ('error' in wf) return json(422, validationError(wf.error));
  if (!wf.dispatchInputs) return json(422, validationError("Workflow does not have 'workflow_dispatch' trigger"));
  const checked = checkInputs(wf, body.inputs);
  if ('error' in checked) return json(422, validationError(checked.error));
  let run: RunRecord;
  try {
    run = runner.dispatch({
      repo,
      wf,
      workflowId: workflowIdOf(state, repo, path),
      ref: target.ref,
      sha: target.sha,
      inputs: checked.inputs,
      actor: botLogin(state),
    });
  } catch (err) {
    if (err instanceof TemplateError) return json(422, validationError(`The workflow run name is not valid. ${err.message}`));
    throw err;
  }
  if (body.return_run_details !== true) return { status: 204 };
  return json(200, {
    workflow_run_id: run.id,
    run_url: `${repoApiUrl(state, repo)}/actions/runs/${run.id}`,
    html_url: `${repoHtmlUrl(state, repo)}/actions/runs/${run.id}`,
  });
}

function runOf(state: StandInState, repo: RepoRecord, req: RouteRequest): RunRecord | null {
  const run = state.runs.get(Number(req.params.run_id));
  return run && run.repoId === repo.id ? run : null;
}

async function runBody(state: StandInState, repo: RepoRecord, run: RunRecord) {
  return workflowRunObject(state, repo, run, await repo.content.readCommit(run.headSha));
}

async function listRuns(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const path = workflowPath(repo, req.params.workflow_id ?? '');
  if (!path || !repo.workflowIds.has(path)) {
    if (path && /^\d+$/.test(req.params.workflow_id ?? '') === false) {
      // A file that exists but was never dispatched has no runs yet.
      return json(200, { total_count: 0, workflow_runs: [] });
    }
    return notFound();
  }
  const q = req.query;
  const runs = state
    .runsOf(repo.id)
    .filter((r) => r.workflowPath === path)
    .filter((r) => r.createdAt.getTime() + state.runListingLagMs <= Date.now())
    .filter((r) => !q.get('branch') || r.headBranch === q.get('branch'))
    .filter((r) => !q.get('event') || r.event === q.get('event'))
    .filter((r) => !q.get('head_sha') || r.headSha === q.get('head_sha'))
    .filter((r) => !q.get('status') || r.status === q.get('status') || r.conclusion === q.get('status'));
  const { page, headers } = paginate(runs, q, `${repoApiUrl(state, repo)}/actions/workflows/${req.params.workflow_id}/runs`);
  return json(200, { total_count: runs.length, workflow_runs: await Promise.all(page.map((r) => runBody(state, repo, r))) }, headers);
}

function listJobs(state: StandInState, repo: RepoRecord, run: RunRecord, req: RouteRequest): Reply {
  const jobs = run.jobIds.map((id) => state.jobs.get(id)!).filter(Boolean);
  const { page, headers } = paginate(jobs, req.query, `${repoApiUrl(state, repo)}/actions/runs/${run.id}/jobs`);
  return json(200, { total_count: jobs.length, jobs: page.map((j) => jobObject(state, repo, run, j)) }, headers);
}

function listCaches(state: StandInState, repo: RepoRecord, req: RouteRequest): Reply {
  const key = req.query.get('key');
  const ref = req.query.get('ref');
  const direction = req.query.get('direction') ?? 'desc';
  const caches = state.caches
    .filter((c) => c.repoId === repo.id && (!key || c.key.startsWith(key)) && (!ref || c.ref === ref))
    .sort((a, b) => (direction === 'asc' ? 1 : -1) * (a.lastAccessedAt.getTime() - b.lastAccessedAt.getTime()));
  const { page, headers } = paginate(caches, req.query, `${repoApiUrl(state, repo)}/actions/caches`);
  return json(200, { total_count: caches.length, actions_caches: page.map(cacheObject) }, headers);
}

function deleteCaches(state: StandInState, repo: RepoRecord, req: RouteRequest): Reply {
  const key = req.query.get('key');
  if (!key) return json(422, validationError('Invalid request.\n\n"key" wasn\'t supplied.'));
  const ref = req.query.get('ref');
  const hits = state.caches.filter((c) => c.repoId === repo.id && c.key === key && (!ref || c.ref === ref));
  if (hits.length === 0) return notFound();
  for (const h of hits) state.caches.splice(state.caches.indexOf(h), 1);
  return json(200, { total_count: hits.length, actions_caches: hits.map(cacheObject) });
}

/** The Actions routes. */
export function actionsRoutes(state: StandInState, runner: Runs): Route[] {
  const withRepo =
    (fn: (repo: RepoRecord, req: RouteRequest) => Promise<Reply> | Reply) =>
    async (req: RouteRequest): Promise<Reply> => {
      const repo = repoOf(state, req);
      return repo ? fn(repo, req) : notFound();
    };
  const withRun = (fn: (repo: RepoRecord, run: RunRecord, req: RouteRequest) => Promise<Reply> | Reply) =>
    withRepo((repo, req) => {
      const run = runOf(state, repo, req);
      return run ? fn(repo, run, req) : notFound();
    });
  const base = '/repos/{owner}/{repo}/actions';
  return [
    {
      method: 'POST',
      template: `${base}/workflows/{workflow_id}/dispatches`,
      auth: 'installation',
      handle: withRepo((repo, req) => dispatch(state, runner, repo, req)),
    },
    { method: 'GET', template: `${base}/workflows/{workflow_id}/runs`, auth: 'installation', handle: withRepo((repo, req) => listRuns(state, repo, req)) },
    {
      method: 'GET',
      template: `${base}/runs/{run_id}`,
      auth: 'installation',
      handle: withRun(async (repo, run) => json(200, await runBody(state, repo, run))),
    },
    { method: 'GET', template: `${base}/runs/{run_id}/jobs`, auth: 'installation', handle: withRun((repo, run, req) => listJobs(state, repo, run, req)) },
    {
      method: 'POST',
      template: `${base}/runs/{run_id}/cancel`,
      auth: 'installation',
      handle: withRun((_repo, run) => (runner.cancel(run) ? json(202, {}) : json(409, errorBody('Cannot cancel a workflow run that is completed.', 409)))),
    },
    {
      method: 'GET',
      template: `${base}/jobs/{job_id}/logs`,
      auth: 'installation',
      handle: withRepo((repo, req) => {
        const job = state.jobs.get(Number(req.params.job_id));
        if (!job || job.repoId !== repo.id) return notFound();
        let token = state.logTokens.get(job.id);
        if (!token) {
          token = randomBytes(16).toString('hex');
          state.logTokens.set(job.id, token);
        }
        return {
          status: 302,
          headers: { location: `${state.serverUrl}/_standin/logs/${job.id}?sig=${token}` },
          text: '',
          contentType: 'text/html; charset=utf-8',
        };
      }),
    },
    {
      method: 'GET',
      template: '/_standin/logs/{job_id}',
      auth: 'none',
      api: false,
      handle: (req) => {
        const id = Number(req.params.job_id);
        const job = state.jobs.get(id);
        if (!job || state.logTokens.get(id) !== req.query.get('sig')) return { status: 403, text: 'AuthenticationFailed', contentType: 'text/plain' };
        return { status: 200, text: job.log.join('\n') + (job.log.length ? '\n' : ''), contentType: 'text/plain; charset=utf-8' };
      },
    },
    { method: 'GET', template: `${base}/caches`, auth: 'installation', handle: withRepo((repo, req) => listCaches(state, repo, req)) },
    { method: 'DELETE', template: `${base}/caches`, auth: 'installation', handle: withRepo((repo, req) => deleteCaches(state, repo, req)) },
  ];
}
