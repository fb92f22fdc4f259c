/**
 * A minimal, fast stand-in for the GitHub REST API on 127.0.0.1, for the scheduler
 * benchmark: installation tokens, contents (a devcontainer.json whose version the
 * benchmark sets per sha), check runs, workflow dispatch (200 with the run id), a
 * run's jobs and the job's result annotation. Counts every request by kind and by
 * the pushed sha it serves.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeResult, RESULT_ANNOTATION_TITLE } from '../src/lifecycle/result.js';

/** A dispatch the app made. `at` is `performance.now()` in ms. */
export interface Dispatch {
  owner: string;
  repo: string;
  sha: string;
  prebuildId: string;
  runId: number;
  at: number;
}

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
  | 'list runs'
  | 'run'
  | 'job annotations'
  | 'cancel'
  | 'cache delete'
  | 'other';

/** A repository's linear history as the benchmark pushed it: shas oldest first and their positions. */
export interface History {
  shas: string[];
  index: Map<string, number>;
}

interface Run {
  owner: string;
  repo: string;
  createdAt: string;
  sha: string;
  jobId: number;
  prebuildId: string;
}

/** The fake. `start()` it, point the app's `baseUrl` at `url`. */
export class FakeGitHub {
  url = '';
  /** Requests by kind. */
  readonly byKind = new Map<RequestKind, number>();
  /** Requests by the sha they serve (`owner/repo@sha`); tokens and unknowns are not attributed. */
  readonly bySha = new Map<string, number>();
  /** Kinds of the requests each sha caused. */
  readonly kindsBySha = new Map<string, Map<RequestKind, number>>();
  /** Unattributed requests (tokens, unknown paths). */
  unattributed = 0;
  /** `METHOD /path` of requests the fake does not know, with counts (paths with digits folded). */
  readonly unknown = new Map<string, number>();
  private readonly server: http.Server;
  private readonly checkRuns = new Map<number, string>();
  private readonly runs = new Map<number, Run>();
  private readonly jobs = new Map<number, Run & { key: string }>();
  private nextId = 1;

  /**
   * @param devcontainer content of `.devcontainer/devcontainer.json` at `owner/repo@sha`
   * @param onDispatch called for every workflow dispatch, after it is answered
   * @param history the pushed history of `owner/repo` (ancestors for base selection)
   */
  constructor(
    private readonly devcontainer: (key: string) => string,
    private readonly onDispatch: (d: Dispatch) => void,
    private readonly history: (fullName: string) => History | undefined,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [status, body] = this.route(req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8'));
        const text = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  /** Listens on a free port of 127.0.0.1. */
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Total requests. */
  get total(): number {
    return [...this.byKind.values()].reduce((a, b) => a + b, 0);
  }

  private count(kind: RequestKind, key: string | null): void {
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (key === null) {
      this.unattributed++;
      return;
    }
    this.bySha.set(key, (this.bySha.get(key) ?? 0) + 1);
    const kinds = this.kindsBySha.get(key) ?? new Map<RequestKind, number>();
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    this.kindsBySha.set(key, kinds);
  }

  /** A workflow run as GET …/actions/runs/{run_id} answers it (in progress: the benchmark completes runs by webhook). */
  private runObject(owner: string, repo: string, id: number, r: Run) {
    return {
      id,
      name: 'Prebuild',
      display_title: `Prebuild #${r.prebuildId} (devcontainer) ${r.sha}`,
      path: '.github/workflows/prebuild.yml',
      event: 'workflow_dispatch',
      head_sha: r.sha,
      head_branch: 'main',
      status: 'in_progress',
      conclusion: null,
      html_url: `https://github.example/${owner}/${repo}/actions/runs/${id}`,
      created_at: r.createdAt,
      updated_at: r.createdAt,
      run_started_at: r.createdAt,
    };
  }

  private route(method: string, rawUrl: string, text: string): [number, unknown] {
    const url = new URL(rawUrl, 'http://x');
    const p = url.pathname.replace(/^\/api\/v3/, '');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    let m: RegExpExecArray | null;
    if (method === 'POST' && /^\/app\/installations\/\d+\/access_tokens$/.test(p)) {
      this.count('token', null);
      const permissions = { actions: 'write', checks: 'write', contents: 'read', metadata: 'read' };
      return [201, { token: 'ghs_bench', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions, repository_selection: 'all' }];
    }
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)\/(.*)$/.exec(p))) {
      this.count('other', null);
      return [404, { message: 'Not Found' }];
    }
    const [, owner, repo, rest] = m as unknown as [string, string, string, string];
    const keyOf = (sha: string) => `${owner}/${repo}@${sha}`;
    if (method === 'GET' && rest.startsWith('contents/')) {
      const key = keyOf(url.searchParams.get('ref') ?? '');
      this.count('contents', key);
      const file = decodeURIComponent(rest.slice('contents/'.length));
      if (file !== '.devcontainer/devcontainer.json') return [404, { message: 'Not Found' }];
      const content = Buffer.from(this.devcontainer(key)).toString('base64');
      return [200, { type: 'file', encoding: 'base64', name: 'devcontainer.json', path: file, sha: 'blob', size: content.length, content }];
    }
    if (method === 'GET' && rest === 'commits') {
      const sha = url.searchParams.get('sha') ?? '';
      this.count('commits', keyOf(sha));
      const h = this.history(`${owner}/${repo}`);
      const at = h?.index.get(sha);
      if (!h || at === undefined) return [404, { message: 'No commit found for SHA' }];
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const shas = h.shas.slice(Math.max(0, at + 1 - perPage), at + 1).reverse();
      return [200, shas.map((s) => ({ sha: s, commit: { message: 'bench' }, parents: [] }))];
    }
    if (method === 'GET' && (m = /^compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const [, base, head] = m as unknown as [string, string, string];
      this.count('compare', keyOf(head));
      const h = this.history(`${owner}/${repo}`);
      const b = h?.index.get(base);
      const hd = h?.index.get(head);
      if (b === undefined || hd === undefined) return [404, { message: 'Not Found' }];
      const status = hd === b ? 'identical' : hd > b ? 'ahead' : 'behind';
      return [200, { status, ahead_by: Math.max(0, hd - b), behind_by: Math.max(0, b - hd), total_commits: Math.max(0, hd - b), files: [] }];
    }
    if (method === 'POST' && rest === 'check-runs') {
      const id = this.nextId++;
      const key = keyOf(String(body.head_sha));
      this.checkRuns.set(id, key);
      this.count('check-run create', key);
      return [201, { id, head_sha: body.head_sha, status: body.status ?? 'queued' }];
    }
    if (method === 'PATCH' && (m = /^check-runs\/(\d+)$/.exec(rest))) {
      this.count('check-run update', this.checkRuns.get(Number(m[1])) ?? null);
      return [200, { id: Number(m[1]) }];
    }
    if (method === 'POST' && /^actions\/workflows\/[^/]+\/dispatches$/.test(rest)) {
      const inputs = (body.inputs ?? {}) as Record<string, string>;
      const sha = inputs.sha ?? '';
      const runId = this.nextId++;
      const jobId = this.nextId++;
      const run = { owner, repo, sha, jobId, prebuildId: inputs['prebuild-id'] ?? '', createdAt: new Date().toISOString() };
      this.runs.set(runId, run);
      this.jobs.set(jobId, { ...run, key: keyOf(sha) });
      this.count('dispatch', keyOf(sha));
      const at = performance.now();
      setImmediate(() => this.onDispatch({ owner, repo, sha, prebuildId: run.prebuildId, runId, at }));
      const html = `https://github.example/${owner}/${repo}/actions/runs/${runId}`;
      return [200, { workflow_run_id: runId, run_url: `${this.url}/repos/${owner}/${repo}/actions/runs/${runId}`, html_url: html }];
    }
    if (method === 'GET' && /^actions\/workflows\/[^/]+\/runs$/.test(rest)) {
      // A replica that died after dispatching: the one that takes its delivery over finds the run by its name.
      this.count('list runs', null);
      const runs = [...this.runs.entries()]
        .filter(([, r]) => r.owner === owner && r.repo === repo)
        .reverse()
        .slice(0, Number(url.searchParams.get('per_page') ?? 30))
        .map(([id, r]) => this.runObject(owner, repo, id, r));
      return [200, { total_count: runs.length, workflow_runs: runs }];
    }
    if (method === 'GET' && (m = /^actions\/runs\/(\d+)$/.exec(rest))) {
      const run = this.runs.get(Number(m[1]));
      this.count('run', run ? keyOf(run.sha) : null);
      return run ? [200, this.runObject(owner, repo, Number(m[1]), run)] : [404, { message: 'Not Found' }];
    }
    if (method === 'GET' && (m = /^actions\/runs\/(\d+)\/jobs$/.exec(rest))) {
      const run = this.runs.get(Number(m[1]));
      this.count('run jobs', run ? keyOf(run.sha) : null);
      if (!run) return [404, { message: 'Not Found' }];
      const job = { id: run.jobId, run_id: Number(m[1]), name: 'prebuild', status: 'completed', conclusion: 'success', check_run_url: `${this.url}/repos/${owner}/${repo}/check-runs/${run.jobId}` };
      return [200, { total_count: 1, jobs: [job] }];
    }
    if (method === 'GET' && (m = /^check-runs\/(\d+)\/annotations$/.exec(rest))) {
      const job = this.jobs.get(Number(m[1]));
      this.count('job annotations', job?.key ?? null);
      if (!job) return [200, []];
      const message = encodeResult({
        prebuildId: job.prebuildId,
        configuration: 'devcontainer',
        sha: job.sha,
        snapshotKey: `prebuild-devcontainer-${job.sha}`,
        snapshotBytes: 1024,
        durationMs: 1000,
        hooks: { onCreateCommand: 500 },
        base: null,
        identity: '',
      });
      return [200, [{ path: '.github', start_line: 1, end_line: 1, annotation_level: 'notice', title: RESULT_ANNOTATION_TITLE, message }]];
    }
    if (method === 'DELETE' && rest === 'actions/caches') {
      // retention (SPEC.md rule 7) deletes snapshots by key; the fake's keys end with the sha
      const sha = /([0-9a-f]{40})$/.exec(url.searchParams.get('key') ?? '')?.[1];
      this.count('cache delete', sha ? keyOf(sha) : null);
      return [200, { total_count: 1, actions_caches: [{ id: 1, key: url.searchParams.get('key') ?? '', ref: 'refs/heads/main', version: 'v', size_in_bytes: 1024 }] }];
    }
    if (method === 'POST' && (m = /^actions\/runs\/(\d+)\/cancel$/.exec(rest))) {
      const run = this.runs.get(Number(m[1]));
      this.count('cancel', run ? keyOf(run.sha) : null);
      return [202, {}];
    }
    const what = `${method} ${p.replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/{o}/{r}').replace(/\/[0-9a-f]{40}\b/g, '/{sha}').replace(/\/\d+/g, '/{n}')}`;
    this.unknown.set(what, (this.unknown.get(what) ?? 0) + 1);
    this.count('other', null);
    return [404, { message: 'Not Found' }];
  }
}
