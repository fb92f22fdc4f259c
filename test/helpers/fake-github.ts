import nock from 'nock';
import { documentedExample, matchOperation, validateResponse } from './openapi.js';

/**
 * GitHub's own documented example for a response (@octokit/openapi), deep-copied,
 * so replies start from GitHub's shapes and tests override only what matters.
 */
export function example<T = Record<string, unknown>>(template: string, method: string, status: number): T {
  return documentedExample(method, template, status) as T;
}

/** One request the fake answered. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  status: number;
  problem: string | null;
}

/** A check run as the fake keeps it (the fields the app sets). */
export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  output: { title?: string; summary?: string; text?: string } | null;
}

/** A job's annotation as the action's workflow commands leave it. */
export interface FakeAnnotation {
  level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

const ORIGIN = 'https://api.github.com';
const LOGS_ORIGIN = 'https://pipelines.actions.githubusercontent.example';
const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

/**
 * A nock stand-in for api.github.com in app tests, with state: files per commit,
 * commit history, branches, check runs, dispatched runs and their annotations.
 * Replies start from GitHub's documented examples; every request is recorded with
 * a problem when it is not a documented operation or the reply does not validate.
 */
export class FakeGitHub {
  readonly calls: Call[] = [];
  readonly checkRuns = new Map<number, FakeCheckRun>();
  readonly dispatches: Array<{ workflow: string; ref: string; inputs: Record<string, string>; runId: number }> = [];
  readonly annotations = new Map<number, FakeAnnotation[]>();
  readonly runs = new Map<number, { id: number; conclusion: string | null; status: string; displayTitle: string; headSha: string; headBranch: string }>();
  readonly deletedCaches: string[] = [];
  readonly cancelled: number[] = [];
  /** Repository files per commit sha. */
  readonly files = new Map<string, Record<string, string>>();
  /** Parents per commit sha (for the commits listing and compare). */
  readonly parents = new Map<string, string[]>();
  readonly branches = new Map<string, string>();
  /** When true, dispatch answers 204 (GitHub Enterprise Server without run details). */
  noRunDetails = false;
  /** How long a dispatched run stays out of the workflow's run listing, ms (GitHub's listing lags). */
  runListingLagMs = 0;
  /** When each run was dispatched (epoch ms). */
  private readonly dispatchedAt = new Map<number, number>();
  /** Check run creations to refuse with 503 before accepting again (a GitHub outage). */
  refuseCheckRuns = 0;
  private nextId = 1000;

  constructor(
    readonly owner = 'octo',
    readonly repo = 'app',
    readonly defaultBranch = 'main',
  ) {}

  /** Adds a commit with its full tree; returns its sha. */
  commit(sha: string, files: Record<string, string>, parents: string[] = []): string {
    this.files.set(sha, files);
    this.parents.set(sha, parents);
    return sha;
  }

  /** Shas reachable from `sha`, nearest first (breadth-first over parents). */
  history(sha: string): string[] {
    const out: string[] = [];
    const queue = [sha];
    const seen = new Set<string>();
    while (queue.length) {
      const s = queue.shift()!;
      if (seen.has(s) || !this.files.has(s)) continue;
      seen.add(s);
      out.push(s);
      queue.push(...(this.parents.get(s) ?? []));
    }
    return out;
  }

  /** Check runs on a sha, oldest first. */
  checkRunsFor(sha: string): FakeCheckRun[] {
    return [...this.checkRuns.values()].filter((c) => c.head_sha === sha);
  }

  /** Installs the interceptors (persisting until `nock.cleanAll()`). */
  install(): this {
    const base = `/repos/${this.owner}/${this.repo}`;
    const scope = nock(ORIGIN).persist();
    const on = (method: 'get' | 'post' | 'patch' | 'delete', pattern: RegExp, handler: (m: RegExpExecArray, q: URLSearchParams, body: Record<string, unknown> | null) => [number, unknown, Record<string, string>?]) => {
      const withQuery = new RegExp(pattern.source.replace(/\$$/, '(?:\\?.*)?$'));
      scope.intercept(withQuery, method.toUpperCase()).reply((uri, body) => {
        const [path, query = ''] = uri.split('?');
        const m = pattern.exec(path!)!;
        const parsed = typeof body === 'string' && body ? (JSON.parse(body) as Record<string, unknown>) : ((body as Record<string, unknown>) ?? null);
        const [status, reply, headers] = handler(m, new URLSearchParams(query), parsed);
        this.record(method, path!, new URLSearchParams(query), parsed, status, reply);
        return [status, reply as nock.Body, headers ?? {}];
      });
    };
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const repo = esc(base);

    on('post', /^\/app\/installations\/(\d+)\/access_tokens$/, () => {
      const t = example('/app/installations/{installation_id}/access_tokens', 'post', 201);
      return [201, { ...t, token: 'ghs_fake', expires_at: new Date(Date.now() + 3600_000).toISOString() }];
    });
    on('get', new RegExp(`^${repo}/contents/([^?]+)`), (m, q) => this.contents(decodeURIComponent(m[1]!), q.get('ref') ?? this.branches.get(this.defaultBranch) ?? ''));
    on('get', new RegExp(`^${repo}/branches/([^?]+)$`), (m) => {
      const sha = this.branches.get(decodeURIComponent(m[1]!));
      if (!sha) return [404, notFound];
      const b = example<Record<string, any>>('/repos/{owner}/{repo}/branches/{branch}', 'get', 200);
      b.name = decodeURIComponent(m[1]!);
      b.commit.sha = sha;
      return [200, b];
    });
    on('get', new RegExp(`^${repo}/commits$`), (_m, q) => {
      const shas = this.history(q.get('sha') ?? '').slice(0, Number(q.get('per_page') ?? 30));
      const template = example<Array<Record<string, unknown>>>('/repos/{owner}/{repo}/commits', 'get', 200)[0]!;
      return [200, shas.map((sha) => ({ ...structuredClone(template), sha, parents: (this.parents.get(sha) ?? []).map((p) => ({ sha: p, url: `${ORIGIN}${base}/commits/${p}`, html_url: `https://github.com/${this.owner}/${this.repo}/commit/${p}` })) }))];
    });
    on('get', new RegExp(`^${repo}/compare/([0-9a-f]+)\\.\\.\\.([0-9a-f]+)$`), (m) => this.compare(m[1]!, m[2]!));
    on('post', new RegExp(`^${repo}/actions/workflows/([^/]+)/dispatches$`), (m, _q, body) => {
      const runId = this.nextId++;
      const inputs = (body?.inputs ?? {}) as Record<string, string>;
      const ref = String(body?.ref);
      this.dispatches.push({ workflow: decodeURIComponent(m[1]!), ref, inputs, runId });
      this.dispatchedAt.set(runId, Date.now());
      this.runs.set(runId, { id: runId, status: 'queued', conclusion: null, displayTitle: `Prebuild #${inputs['prebuild-id'] ?? ''} (${inputs.configuration ?? ''}) ${inputs.sha ?? ''}`, headSha: this.branches.get(ref) ?? '', headBranch: ref });
      if (this.noRunDetails) return [204, ''];
      return [200, { workflow_run_id: runId, run_url: `${ORIGIN}${base}/actions/runs/${runId}`, html_url: `https://github.com/${this.owner}/${this.repo}/actions/runs/${runId}` }];
    });
    on('post', new RegExp(`^${repo}/check-runs$`), (_m, _q, body) => {
      if (this.refuseCheckRuns > 0) {
        this.refuseCheckRuns--;
        return [503, { message: 'Service Unavailable', documentation_url: 'https://docs.github.com/rest', status: '503' }];
      }
      const id = this.nextId++;
      const c: FakeCheckRun = {
        id,
        name: String(body?.name),
        head_sha: String(body?.head_sha),
        status: String(body?.status ?? 'queued'),
        conclusion: (body?.conclusion as string) ?? null,
        external_id: (body?.external_id as string) ?? null,
        details_url: (body?.details_url as string) ?? null,
        output: (body?.output as FakeCheckRun['output']) ?? null,
      };
      if (c.conclusion) c.status = 'completed';
      this.checkRuns.set(id, c);
      return [201, this.checkRunBody(c)];
    });
    on('get', new RegExp(`^${repo}/commits/([0-9a-f]+)/check-runs$`), (m, q) => {
      const runs = this.checkRunsFor(m[1]!).filter((c) => !q.get('check_name') || c.name === q.get('check_name'));
      return [200, { total_count: runs.length, check_runs: runs.map((c) => this.checkRunBody(c)) }];
    });
    on('patch', new RegExp(`^${repo}/check-runs/(\\d+)$`), (m, _q, body) => {
      const c = this.checkRuns.get(Number(m[1]));
      if (!c) return [404, notFound];
      for (const k of ['status', 'conclusion', 'details_url', 'output', 'name'] as const) if (body && k in body) (c as unknown as Record<string, unknown>)[k] = body[k];
      if (c.conclusion) c.status = 'completed';
      return [200, this.checkRunBody(c)];
    });
    on('get', new RegExp(`^${repo}/actions/runs/(\\d+)/jobs$`), (m) => {
      const run = this.runs.get(Number(m[1]));
      if (!run) return [404, notFound];
      const page = example<Record<string, any>>('/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', 'get', 200);
      const job = page.jobs[0];
      Object.assign(job, { created_at: new Date().toISOString(), id: run.id + 1, run_id: run.id, check_run_url: `${ORIGIN}${base}/check-runs/${run.id + 1}`, conclusion: run.conclusion, status: run.status, head_sha: run.headSha });
      return [200, { total_count: 1, jobs: [job] }];
    });
    on('get', new RegExp(`^${repo}/check-runs/(\\d+)/annotations$`), (m) => {
      const template = example<Array<Record<string, unknown>>>('/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations', 'get', 200)[0]!;
      const list = this.annotations.get(Number(m[1]) - 1) ?? [];
      return [200, list.map((a) => ({ ...template, path: '.github', annotation_level: a.level, title: a.title, message: a.message, raw_details: null }))];
    });
    on('get', new RegExp(`^${repo}/actions/jobs/(\\d+)/logs$`), (m) => [302, '', { Location: `${LOGS_ORIGIN}/logs/${m[1]}` }]);
    on('get', new RegExp(`^${repo}/actions/runs/(\\d+)$`), (m) => {
      const run = this.runs.get(Number(m[1]));
      return run ? [200, this.runBody(run)] : [404, notFound];
    });
    on('get', new RegExp(`^${repo}/actions/workflows/([^/]+)/runs$`), () => {
      const listed = [...this.runs.values()].filter((r) => (this.dispatchedAt.get(r.id) ?? 0) + this.runListingLagMs <= Date.now());
      const runs = listed.reverse().map((r) => this.runBody(r));
      return [200, { total_count: runs.length, workflow_runs: runs }];
    });
    on('post', new RegExp(`^${repo}/actions/runs/(\\d+)/cancel$`), (m) => {
      this.cancelled.push(Number(m[1]));
      return [202, {}];
    });
    on('delete', new RegExp(`^${repo}/actions/caches$`), (_m, q) => {
      const key = q.get('key') ?? '';
      this.deletedCaches.push(key);
      const list = example<Record<string, any>>('/repos/{owner}/{repo}/actions/caches', 'delete', 200);
      list.actions_caches = list.actions_caches.slice(0, 1).map((c: Record<string, unknown>) => ({ ...c, key }));
      list.total_count = list.actions_caches.length;
      return [200, list];
    });
    on('get', new RegExp(`^${repo}$`), () => {
      const r = example<Record<string, any>>('/repos/{owner}/{repo}', 'get', 200);
      Object.assign(r, { name: this.repo, full_name: `${this.owner}/${this.repo}`, default_branch: this.defaultBranch, language: 'TypeScript' });
      for (const nested of [r.source, r.parent]) if (nested) nested.language = 'TypeScript';
      r.owner.login = this.owner;
      return [200, r];
    });
    nock(LOGS_ORIGIN).persist().get(/^\/logs\/\d+$/).reply(200, 'step 1\nstep 2\nnpm ERR! missing script: build\n', { 'content-type': 'text/plain' });
    return this;
  }

  /** Finishes a dispatched run the way the action would leave it: annotations, conclusion. */
  finishRun(runId: number, conclusion: 'success' | 'failure' | 'cancelled', annotations: FakeAnnotation[]): void {
    const run = this.runs.get(runId)!;
    run.status = 'completed';
    run.conclusion = conclusion;
    this.annotations.set(runId, annotations);
  }

  /** A documented `workflow_run` object for a run (also the REST run body). */
  runBody(run: { id: number; status: string; conclusion: string | null; displayTitle: string; headSha: string; headBranch: string }): Record<string, any> {
    const r = example<Record<string, any>>('/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', 200);
    const now = new Date().toISOString();
    Object.assign(r, {
      id: run.id,
      name: 'Prebuild',
      display_title: run.displayTitle,
      path: '.github/workflows/prebuild.yml',
      event: 'workflow_dispatch',
      status: run.status,
      conclusion: run.conclusion,
      head_sha: run.headSha,
      head_branch: run.headBranch,
      head_repository: { ...r.head_repository, name: this.repo, full_name: `${this.owner}/${this.repo}`, owner: { ...r.head_repository?.owner, login: this.owner } },
      html_url: `https://github.com/${this.owner}/${this.repo}/actions/runs/${run.id}`,
      created_at: new Date(Date.now() - 65_000).toISOString(),
      run_started_at: new Date(Date.now() - 60_000).toISOString(),
      updated_at: now,
    });
    return r;
  }

  private contents(path: string, ref: string): [number, unknown] {
    const tree = this.files.get(ref) ?? this.files.get(this.branches.get(ref) ?? '');
    if (!tree) return [404, notFound];
    const clean = path.replace(/\/+$/, '');
    if (clean in tree) {
      const f = example<Record<string, unknown>>('/repos/{owner}/{repo}/contents/{path}', 'get', 200);
      const content = Buffer.from(tree[clean]!).toString('base64');
      return [200, { ...f, name: clean.split('/').pop(), path: clean, size: tree[clean]!.length, content, encoding: 'base64' }];
    }
    const children = new Set(Object.keys(tree).filter((p) => p.startsWith(`${clean}/`)).map((p) => p.slice(clean.length + 1).split('/')[0]!));
    if (children.size === 0) return [404, notFound];
    return [200, [...children].map((name) => {
      const isDir = !(`${clean}/${name}` in tree);
      return { type: isDir ? 'dir' : 'file', size: 0, name, path: `${clean}/${name}`, sha: 'f'.repeat(40), url: '', git_url: null, html_url: null, download_url: null, _links: { self: '', git: null, html: null } };
    })];
  }

  private compare(baseSha: string, headSha: string): [number, unknown] {
    const history = this.history(headSha);
    const idx = history.indexOf(baseSha);
    if (idx < 0) return [404, notFound];
    const c = example<Record<string, any>>('/repos/{owner}/{repo}/compare/{basehead}', 'get', 200);
    const changed = new Set<string>();
    for (const sha of history.slice(0, idx)) {
      const parent = this.files.get(this.parents.get(sha)?.[0] ?? '') ?? {};
      const tree = this.files.get(sha)!;
      for (const f of new Set([...Object.keys(parent), ...Object.keys(tree)])) if (parent[f] !== tree[f]) changed.add(f);
    }
    const fileTemplate = c.files[0];
    Object.assign(c, { status: idx === 0 ? 'identical' : 'ahead', ahead_by: idx, behind_by: 0, total_commits: idx, commits: c.commits.slice(0, 1), files: [...changed].map((filename) => ({ ...fileTemplate, filename })) });
    return [200, c];
  }

  private checkRunBody(c: FakeCheckRun): Record<string, unknown> {
    const r = example<Record<string, any>>('/repos/{owner}/{repo}/check-runs/{check_run_id}', 'patch', 200);
    Object.assign(r, { id: c.id, name: c.name, head_sha: c.head_sha, status: c.status, conclusion: c.conclusion, external_id: c.external_id, details_url: c.details_url });
    r.output = { ...r.output, title: c.output?.title ?? null, summary: c.output?.summary ?? null, text: c.output?.text ?? null };
    if (c.status !== 'completed') r.completed_at = null;
    return r;
  }

  private record(method: string, path: string, query: URLSearchParams, body: Record<string, unknown> | null, status: number, reply: unknown): void {
    let problem: string | null = null;
    if (!matchOperation(method, path)) problem = `undocumented endpoint ${method.toUpperCase()} ${path}`;
    // Outages: any endpoint may answer 5xx with GitHub's basic error body, documented or not.
    else if (status >= 500 && typeof (reply as { message?: unknown }).message === 'string') problem = null;
    else if (status !== 302 && status !== 204) {
      const errors = validateResponse(method, path, status, reply);
      if (errors) problem = `${method.toUpperCase()} ${path} ${status}: ${errors}`;
    }
    this.calls.push({ method: method.toUpperCase(), path, query, body, status, problem });
  }
}
