/**
 * The benchmark's request counts, read from the GitHub stand-in's exchange log:
 * requests by kind (the operation's path template) and by the pushed commit they
 * serve (`owner/repo@sha`), so that "requests per dispatched prebuild" and "per
 * superseded push" can be told apart. A run's result report goes to the app
 * (`POST /api/prebuilds/{id}/result`), not to GitHub: it is no request here, and the
 * `run jobs` read it saves is missing from the counts.
 */
import type { RecordedExchange, StandIn } from '../demo/github/index.js';

/** Request kinds counted. */
export type RequestKind =
  | 'token'
  | 'contents'
  | 'commits'
  | 'compare'
  | 'check-run create'
  | 'check-run update'
  | 'dispatch'
  | 'run jobs'
  | 'job annotations'
  | 'cancel'
  | 'cache delete'
  | 'other';

const KINDS: Record<string, RequestKind> = {
  'POST /app/installations/{installation_id}/access_tokens': 'token',
  'GET /repos/{owner}/{repo}/contents/{path}': 'contents',
  'GET /repos/{owner}/{repo}/commits': 'commits',
  'GET /repos/{owner}/{repo}/compare/{basehead}': 'compare',
  'POST /repos/{owner}/{repo}/check-runs': 'check-run create',
  'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}': 'check-run update',
  'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches': 'dispatch',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs': 'run jobs',
  'GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations': 'job annotations',
  'POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel': 'cancel',
  'DELETE /repos/{owner}/{repo}/actions/caches': 'cache delete',
};

/** Counts of a stand-in's exchanges. */
export interface GitHubCounts {
  total: number;
  byKind: Map<RequestKind, number>;
  /** Requests by the pushed commit they serve; tokens and unknowns are not attributed. */
  bySha: Map<string, number>;
  kindsBySha: Map<string, Map<RequestKind, number>>;
  /** Requests not tied to a push (tokens, unknown paths). */
  unattributed: number;
  /** `METHOD /path` of requests the stand-in does not serve (404 without a template), with counts. */
  unknown: Map<string, number>;
}

/** The commit a prebuild run builds (its `sha` input; the branch head it ran on without one). */
function prebuiltSha(gh: StandIn, runId: number | undefined): string | null {
  const run = runId === undefined ? undefined : gh.state.runs.get(runId);
  return run ? run.inputs.sha || run.headSha : null;
}

/** The commit an exchange serves, from its query, body, or the run/check run it names; `null` when none. */
function shaOf(gh: StandIn, x: RecordedExchange, kind: RequestKind): string | null {
  const query = new URLSearchParams(x.query);
  const body = (x.requestBody ?? {}) as { head_sha?: string; inputs?: { sha?: string } };
  const id = Number(/\/(\d+)(?:\/[a-z-]+)?$/.exec(x.path)?.[1]);
  switch (kind) {
    case 'contents':
      return query.get('ref');
    case 'commits':
      return query.get('sha');
    case 'compare':
      return x.path.split('...').pop() ?? null;
    case 'check-run create':
      return body.head_sha ?? null;
    case 'dispatch':
      return body.inputs?.sha ?? null;
    case 'check-run update':
      return gh.state.checkRuns.get(id)?.headSha ?? null;
    case 'job annotations':
      return prebuiltSha(gh, gh.state.jobs.get(id)?.runId);
    case 'run jobs':
    case 'cancel':
      return prebuiltSha(gh, id);
    case 'cache delete':
      return /([0-9a-f]{40})$/.exec(query.get('key') ?? '')?.[1] ?? null;
    default:
      return null;
  }
}

/** Counts every exchange of `gh` so far. */
export function countExchanges(gh: StandIn): GitHubCounts {
  const c: GitHubCounts = { total: 0, byKind: new Map(), bySha: new Map(), kindsBySha: new Map(), unattributed: 0, unknown: new Map() };
  for (const x of gh.exchanges) {
    const kind = KINDS[`${x.method} ${x.template}`] ?? 'other';
    c.total++;
    c.byKind.set(kind, (c.byKind.get(kind) ?? 0) + 1);
    if (x.template === null) {
      const what = `${x.method} ${x.path
        .replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{o}/{r}')
        .replace(/\/[0-9a-f]{40}\b/g, '/{sha}')
        .replace(/\/\d+/g, '/{n}')}`;
      c.unknown.set(what, (c.unknown.get(what) ?? 0) + 1);
    }
    const sha = shaOf(gh, x, kind);
    const repo = /^\/repos\/([^/]+\/[^/]+)\//.exec(x.path)?.[1];
    if (!sha || !repo) {
      c.unattributed++;
      continue;
    }
    const key = `${repo}@${sha}`;
    c.bySha.set(key, (c.bySha.get(key) ?? 0) + 1);
    const kinds = c.kindsBySha.get(key) ?? new Map<RequestKind, number>();
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    c.kindsBySha.set(key, kinds);
  }
  return c;
}
