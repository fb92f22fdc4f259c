/**
 * Issues endpoints: list, create, update, comment. Issues the app opens are
 * authored by its bot user.
 */
import { botLogin, repoApiUrl } from '../payloads/common.js';
import { commentObject, issueObject, validationError } from '../payloads/rest.js';
import { json, notFound, type Reply, type Route, type RouteRequest } from '../router.js';
import type { StandInState } from '../state.js';
import type { IssueRecord, RepoRecord } from '../types.js';
import { paginate } from './paging.js';
import { repoOf } from './repos.js';

function labelNames(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((l) => (typeof l === 'object' && l !== null ? String((l as { name?: unknown }).name ?? '') : String(l))).filter(Boolean);
}

function list(state: StandInState, repo: RepoRecord, req: RouteRequest): Reply {
  const q = req.query;
  const st = q.get('state') ?? 'open';
  const labels = (q.get('labels') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const sort = q.get('sort') ?? 'created';
  const dir = q.get('direction') === 'asc' ? 1 : -1;
  const issues = state.issues
    .filter((i) => i.repoId === repo.id)
    .filter((i) => st === 'all' || i.state === st)
    .filter((i) => labels.every((l) => i.labels.includes(l)))
    .filter((i) => !q.get('creator') || i.user === q.get('creator'))
    .sort((a, b) => dir * ((sort === 'updated' ? a.updatedAt.getTime() - b.updatedAt.getTime() : a.number - b.number) || a.number - b.number));
  const { page, headers } = paginate(issues, q, `${repoApiUrl(state, repo)}/issues`);
  return json(
    200,
    page.map((i) => issueObject(state, repo, i)),
    headers,
  );
}

function create(state: StandInState, repo: RepoRecord, req: RouteRequest): Reply {
  const b = req.body as { title?: unknown; body?: unknown; labels?: unknown; assignees?: unknown; assignee?: unknown };
  if (typeof b.title !== 'string' && typeof b.title !== 'number') return json(422, validationError('Invalid request.\n\n"title" wasn\'t supplied.'));
  const now = new Date();
  const number = state.issues.filter((i) => i.repoId === repo.id).length + 1;
  const issue: IssueRecord = {
    id: state.nextId('issue'),
    repoId: repo.id,
    number,
    title: String(b.title),
    body: typeof b.body === 'string' ? b.body : null,
    state: 'open',
    stateReason: null,
    labels: labelNames(b.labels),
    assignees: Array.isArray(b.assignees) ? b.assignees.map(String) : typeof b.assignee === 'string' ? [b.assignee] : [],
    user: botLogin(state),
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    comments: [],
  };
  state.issues.push(issue);
  return json(201, issueObject(state, repo, issue), { location: `${repoApiUrl(state, repo)}/issues/${number}` });
}

function update(state: StandInState, repo: RepoRecord, issue: IssueRecord, req: RouteRequest): Reply {
  const b = req.body as { title?: unknown; body?: unknown; state?: unknown; state_reason?: unknown; labels?: unknown; assignees?: unknown };
  if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed')
    return json(422, validationError('Invalid request.\n\nstate is not included in the list.'));
  const now = new Date();
  if (b.title !== undefined) issue.title = String(b.title);
  if (b.body !== undefined) issue.body = b.body === null ? null : String(b.body);
  if (b.labels !== undefined) issue.labels = labelNames(b.labels);
  if (Array.isArray(b.assignees)) issue.assignees = b.assignees.map(String);
  if (b.state === 'closed' && issue.state === 'open') {
    issue.state = 'closed';
    issue.closedAt = now;
    issue.stateReason = b.state_reason === 'not_planned' ? 'not_planned' : 'completed';
  } else if (b.state === 'open' && issue.state === 'closed') {
    issue.state = 'open';
    issue.closedAt = null;
    issue.stateReason = 'reopened';
  }
  issue.updatedAt = now;
  return json(200, issueObject(state, repo, issue));
}

function comment(state: StandInState, repo: RepoRecord, issue: IssueRecord, req: RouteRequest): Reply {
  const b = req.body as { body?: unknown };
  if (typeof b.body !== 'string') return json(422, validationError('Invalid request.\n\n"body" wasn\'t supplied.'));
  const c = { id: state.nextId('comment'), body: b.body, user: botLogin(state), createdAt: new Date() };
  issue.comments.push(c);
  issue.updatedAt = c.createdAt;
  return json(201, commentObject(state, repo, issue, c));
}

/** The issues routes. */
export function issuesRoutes(state: StandInState): Route[] {
  const withRepo =
    (fn: (repo: RepoRecord, req: RouteRequest) => Reply) =>
    (req: RouteRequest): Reply => {
      const repo = repoOf(state, req);
      return repo ? fn(repo, req) : notFound();
    };
  const withIssue = (fn: (repo: RepoRecord, issue: IssueRecord, req: RouteRequest) => Reply) =>
    withRepo((repo, req) => {
      const issue = state.issues.find((i) => i.repoId === repo.id && String(i.number) === req.params.issue_number);
      return issue ? fn(repo, issue, req) : notFound();
    });
  return [
    { method: 'GET', template: '/repos/{owner}/{repo}/issues', auth: 'installation', handle: withRepo((repo, req) => list(state, repo, req)) },
    { method: 'POST', template: '/repos/{owner}/{repo}/issues', auth: 'installation', handle: withRepo((repo, req) => create(state, repo, req)) },
    {
      method: 'PATCH',
      template: '/repos/{owner}/{repo}/issues/{issue_number}',
      auth: 'installation',
      handle: withIssue((repo, i, req) => update(state, repo, i, req)),
    },
    {
      method: 'POST',
      template: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      auth: 'installation',
      handle: withIssue((repo, i, req) => comment(state, repo, i, req)),
    },
  ];
}
