/**
 * Checks endpoints: create/update/get a check run, list its annotations, list
 * the check runs of a commit. Validation follows GitHub (head_sha must exist,
 * summary ≤ 65535 characters, ≤ 50 annotations per request, only the creating
 * app may update).
 */
import { annotationObject, checkRunObject, errorBody, validationError } from '../payloads/rest.js';
import { json, notFound, type Reply, type Route, type RouteRequest } from '../router.js';
import type { StandInState } from '../state.js';
import { newCheckRun, type AnnotationRecord, type CheckRunRecord, type RepoRecord } from '../types.js';
import { paginate } from './paging.js';
import { repoApiUrl } from '../payloads/common.js';
import { repoOf } from './repos.js';

const STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CONCLUSIONS = ['action_required', 'cancelled', 'failure', 'neutral', 'success', 'skipped', 'stale', 'timed_out'];

interface CheckRunBody {
  name?: unknown;
  head_sha?: unknown;
  details_url?: unknown;
  external_id?: unknown;
  status?: unknown;
  started_at?: unknown;
  conclusion?: unknown;
  completed_at?: unknown;
  output?: { title?: unknown; summary?: unknown; text?: unknown; annotations?: unknown[] };
  actions?: unknown[];
}

function toAnnotation(a: Record<string, unknown>): AnnotationRecord | string {
  for (const k of ['path', 'start_line', 'end_line', 'annotation_level', 'message']) {
    if (a[k] === undefined) return `Invalid request.\n\n"${k}" wasn't supplied.`;
  }
  if (!['notice', 'warning', 'failure'].includes(String(a.annotation_level))) return 'Invalid request.\n\nannotation_level is not included in the list.';
  return {
    path: String(a.path),
    startLine: Number(a.start_line),
    endLine: Number(a.end_line),
    startColumn: a.start_column === undefined ? null : Number(a.start_column),
    endColumn: a.end_column === undefined ? null : Number(a.end_column),
    level: a.annotation_level as AnnotationRecord['level'],
    title: a.title === undefined ? null : String(a.title),
    message: String(a.message),
    rawDetails: a.raw_details === undefined ? null : String(a.raw_details),
  };
}

/** Applies a create/update body to `c`; returns a 422 message when invalid. */
function apply(c: CheckRunRecord, b: CheckRunBody, creating = false): string | null {
  if (b.status !== undefined && !STATUSES.includes(String(b.status)))
    return `Invalid request.\n\nFor 'properties/status', "${String(b.status)}" is not one of ${JSON.stringify(STATUSES)}.`;
  if (b.conclusion !== undefined && b.conclusion !== null && !CONCLUSIONS.includes(String(b.conclusion))) {
    return `Invalid request.\n\nFor 'properties/conclusion', "${String(b.conclusion)}" is not one of ${JSON.stringify(CONCLUSIONS)}.`;
  }
  if (b.output) {
    if (typeof b.output.summary === 'string' && b.output.summary.length > 65535)
      return 'Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied.'.replace('65536', String(b.output.summary.length));
    if (typeof b.output.text === 'string' && b.output.text.length > 65535)
      return `Invalid request.\n\nOnly 65535 characters are allowed; ${b.output.text.length} were supplied.`;
    if ((b.output.annotations?.length ?? 0) > 50) return 'Invalid request.\n\nOnly 50 annotations are allowed per request.';
    if (typeof b.output.summary !== 'string') return 'Invalid request.\n\n"summary" wasn\'t supplied.';
    if (creating && typeof b.output.title !== 'string') return 'Invalid request.\n\n"title" wasn\'t supplied.';
  }
  const annotations: AnnotationRecord[] = [];
  for (const a of b.output?.annotations ?? []) {
    const parsed = toAnnotation(a as Record<string, unknown>);
    if (typeof parsed === 'string') return parsed;
    annotations.push(parsed);
  }
  const now = new Date();
  if (typeof b.name === 'string') c.name = b.name;
  if (b.details_url !== undefined) c.detailsUrl = b.details_url === null ? null : String(b.details_url);
  if (b.external_id !== undefined) c.externalId = b.external_id === null ? null : String(b.external_id);
  if (b.started_at !== undefined) c.startedAt = new Date(String(b.started_at));
  if (b.status !== undefined) c.status = b.status as CheckRunRecord['status'];
  if (b.conclusion !== undefined && b.conclusion !== null) {
    c.conclusion = String(b.conclusion);
    c.status = 'completed';
  }
  if (b.completed_at !== undefined) c.completedAt = new Date(String(b.completed_at));
  if (c.status === 'completed') {
    if (!c.conclusion) return 'Invalid request.\n\n"conclusion" wasn\'t supplied.';
    c.completedAt ??= now;
  } else {
    c.conclusion = null;
    c.completedAt = null;
  }
  if (c.status === 'in_progress' && !c.startedAt) c.startedAt = now;
  if (b.output) {
    c.output = {
      title: b.output.title === undefined ? c.output.title : (b.output.title as string | null),
      summary: b.output.summary === undefined ? c.output.summary : (b.output.summary as string | null),
      text: b.output.text === undefined ? c.output.text : (b.output.text as string | null),
    };
  }
  c.annotations.push(...annotations);
  if (b.actions !== undefined) c.actions = b.actions;
  c.updatedAt = now;
  return null;
}

async function create(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const b = req.body as CheckRunBody;
  if (typeof b.name !== 'string' || b.name === '') return json(422, validationError('Invalid request.\n\n"name" wasn\'t supplied.'));
  if (typeof b.head_sha !== 'string') return json(422, validationError('Invalid request.\n\n"head_sha" wasn\'t supplied.'));
  const sha = await repo.content.resolveCommit(b.head_sha);
  if (!sha || !sha.startsWith(b.head_sha.toLowerCase()) || b.head_sha.length !== 40)
    return json(422, validationError(`No commit found for SHA: ${b.head_sha}`));
  const c = newCheckRun(state.nextId('check'), {
    repoId: repo.id,
    headSha: sha,
    name: b.name,
    checkSuiteId: suiteFor(state, repo, sha),
    owner: { kind: 'app' },
    startedAt: new Date(),
  });
  const problem = apply(c, b, true);
  if (problem) return json(422, validationError(problem));
  state.checkRuns.set(c.id, c);
  return json(201, checkRunObject(state, repo, c));
}

/** The app's check suite on a commit (one per app and sha, as on GitHub). */
function suiteFor(state: StandInState, repo: RepoRecord, sha: string): number {
  const key = `${repo.id}:${sha}`;
  let suite = state.appCheckSuites.get(key);
  if (suite === undefined) {
    suite = state.nextId('suite');
    state.appCheckSuites.set(key, suite);
  }
  return suite;
}

function checkOf(state: StandInState, repo: RepoRecord, req: RouteRequest): CheckRunRecord | null {
  const c = state.checkRuns.get(Number(req.params.check_run_id));
  return c && c.repoId === repo.id ? c : null;
}

async function listForRef(state: StandInState, repo: RepoRecord, req: RouteRequest): Promise<Reply> {
  const ref = req.params.ref ?? '';
  const sha = await repo.content.resolveCommit(ref);
  if (!sha) return json(422, validationError(`No commit found for SHA: ${ref}`));
  const q = req.query;
  let runs = state
    .checkRunsOn(repo.id, sha)
    .filter((c) => !q.get('check_name') || c.name === q.get('check_name'))
    .filter((c) => !q.get('status') || c.status === q.get('status'))
    .filter((c) => !q.get('app_id') || String(c.owner.kind === 'app' ? state.app.id : 15368) === q.get('app_id'));
  if ((q.get('filter') ?? 'latest') === 'latest') {
    const seen = new Set<string>();
    runs = runs.filter((c) => {
      const k = `${c.owner.kind}/${c.name}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  const { page, headers } = paginate(runs, q, `${repoApiUrl(state, repo)}/commits/${encodeURIComponent(ref)}/check-runs`);
  return json(200, { total_count: runs.length, check_runs: page.map((c) => checkRunObject(state, repo, c)) }, headers);
}

/** The checks routes. */
export function checksRoutes(state: StandInState): Route[] {
  const withRepo =
    (fn: (repo: RepoRecord, req: RouteRequest) => Promise<Reply> | Reply) =>
    async (req: RouteRequest): Promise<Reply> => {
      const repo = repoOf(state, req);
      return repo ? fn(repo, req) : notFound();
    };
  const withCheck = (fn: (repo: RepoRecord, c: CheckRunRecord, req: RouteRequest) => Reply) =>
    withRepo((repo, req) => {
      const c = checkOf(state, repo, req);
      return c ? fn(repo, c, req) : notFound();
    });
  return [
    { method: 'POST', template: '/repos/{owner}/{repo}/check-runs', auth: 'installation', handle: withRepo((repo, req) => create(state, repo, req)) },
    {
      method: 'PATCH',
      template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      auth: 'installation',
      handle: withCheck((repo, c, req) => {
        if (c.owner.kind !== 'app') return json(403, errorBody('Resource not accessible by integration', 403));
        const problem = apply(c, req.body as CheckRunBody);
        return problem ? json(422, validationError(problem)) : json(200, checkRunObject(state, repo, c));
      }),
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
      auth: 'installation',
      handle: withCheck((repo, c) => json(200, checkRunObject(state, repo, c))),
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations',
      auth: 'installation',
      handle: withCheck((repo, c, req) => {
        const { page, headers } = paginate(c.annotations, req.query, `${repoApiUrl(state, repo)}/check-runs/${c.id}/annotations`);
        return json(
          200,
          page.map((a) => annotationObject(state, repo, c, a)),
          headers,
        );
      }),
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
      auth: 'installation',
      handle: withRepo((repo, req) => listForRef(state, repo, req)),
    },
  ];
}
