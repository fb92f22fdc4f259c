import path from 'node:path';
import nock from 'nock';
import { issueToken } from '../../src/api/auth.js';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { startAppServer, type AppServer } from '../../src/server.js';
import type { NewPrebuild, PrebuildPatch, PrebuildRecord, Store } from '../../src/store/types.js';
import type { PrebuildSettings } from '../../src/config/model.js';
import { defaultSettings } from '../../src/config/index.js';
import { appKeyPair } from '../helpers/keys.js';
import { tempDir } from '../helpers/tmp.js';
import { example, GitHubMock } from './github-mock.js';

/** The repositories of the management tests: octo/app on installation 1, other/lib on installation 2. */
export const REPO = { owner: 'octo', repo: 'app' };
export const OTHER = { owner: 'other', repo: 'lib' };
export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);
export const SECRET = 'webhook-secret';

/** Settings as `.github/prebuilds.yml` would resolve them: the defaults of SPEC.md, then `over`. */
export function settings(over: Partial<PrebuildSettings> = {}): PrebuildSettings {
  return { ...defaultSettings('.devcontainer/devcontainer.json', 'devcontainer', 'main'), ...over };
}


/** A running app with a real SQLite file, GitHub answered by {@link GitHubMock}, and three tokens. */
export interface Harness {
  server: AppServer;
  store: Store;
  github: GitHubMock;
  /** `*` scope. */
  admin: string;
  /** Installation 1 (octo/app). */
  scoped: string;
  /** Installation 2 (other/lib) only. */
  outsider: string;
  dir: string;
  /** Creates a prebuild in the store, then applies `patch`. */
  seed(over?: Partial<NewPrebuild>, patch?: PrebuildPatch): Promise<PrebuildRecord>;
  /** Calls the app: JSON body in, parsed JSON out. */
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; json: any; headers: Headers }>;
  stop(): Promise<void>;
}

let deliveries = 0;

/** Starts the app for a suite. Call `stop()` in afterAll. */
export async function startHarness(): Promise<Harness> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const github = new GitHubMock();
  const tmp = tempDir('prebuilds-mgmt-');
  const server = await startAppServer({
    appId: 1,
    privateKey: appKeyPair().privateKey,
    webhookSecret: SECRET,
    databasePath: path.join(tmp.dir, 'prebuilds.sqlite'),
    logLevel: 'fatal',
    fetch: globalThis.fetch,
    // A directory store the app reaches (PREBUILDS_DIR_STORES): deletions remove its files too.
    runtime: { reconcileIntervalMs: 0, processor: { maxAttempts: 1 }, dirStores: [new DirStore(path.join(tmp.dir, 'dir-store'))] },
  });
  const store = server.store;
  const admin = (await issueToken(store, 'admin', ['*'])).token;
  const scoped = (await issueToken(store, 'octo', [1])).token;
  const outsider = (await issueToken(store, 'other', [2])).token;
  return {
    server,
    store,
    github,
    admin,
    scoped,
    outsider,
    dir: tmp.dir,
    async seed(over = {}, patch = {}) {
      const p = await store.createPrebuild({
        ...REPO,
        installationId: 1,
        configuration: 'devcontainer',
        identity: 'identity-1',
        branch: 'main',
        sha: SHA_A,
        prNumber: null,
        trigger: 'push',
        workflow: 'prebuild.yml',
        timeoutMinutes: 60,
        settings: settings(),
        deliveryId: `seed-${++deliveries}`,
        ...over,
      });
      return Object.keys(patch).length ? store.updatePrebuild(p.id, patch) : p;
    },
    async call(method, route, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const token = options.token === undefined ? admin : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.url}${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const text = await response.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, json, headers: response.headers };
    },
    async stop() {
      await server.stop();
      nock.cleanAll();
      nock.enableNetConnect();
      tmp.cleanup();
    },
  };
}

/** A finished, successful prebuild's fields. */
export function succeeded(over: PrebuildPatch = {}): PrebuildPatch {
  const now = Date.now();
  return {
    state: 'success',
    dispatchedAt: now - 600_000,
    startedAt: now - 590_000,
    endedAt: now - 290_000,
    durationMs: 300_000,
    snapshotKey: 'prebuild-v1-devcontainer-identity-1-' + 'a'.repeat(7),
    snapshotBytes: 150_000_000,
    checkRunId: 7001,
    workflowRunId: 9001,
    workflowRunUrl: 'https://github.com/octo/app/actions/runs/9001',
    ...over,
  };
}

/**
 * GitHub for octo/app as the trigger, rerun and dispatcher need it: the repository
 * (default branch `main`), commits by branch or sha, the configuration files, check
 * runs and `workflow_dispatch` with run details.
 */
export function githubRepository(github: GitHubMock, files: Record<string, string>, branches: Record<string, string> = { main: SHA_A }): { dispatched: unknown[] } {
  const dispatched: unknown[] = [];
  let nextCheck = 100;
  let nextRun = 5000;
  const base = `^/repos/${REPO.owner}/${REPO.repo}`;
  github
    .on('GET', new RegExp(`${base}/installation$`), () => [200, { ...example('get', '/repos/{owner}/{repo}/installation', 200), id: 1 }])
    .on('GET', new RegExp(`${base}$`), () => {
      // GitHub's documented example lacks `language`, which its schema requires.
      const repo = example('get', '/repos/{owner}/{repo}', 200) as Record<string, Record<string, unknown>>;
      for (const r of [repo, repo.source, repo.parent]) if (r) r.language ??= null;
      return [200, { ...repo, name: REPO.repo, full_name: `${REPO.owner}/${REPO.repo}`, default_branch: 'main' }];
    })
    .on('GET', new RegExp(`${base}/commits/([^/]+)$`), (m) => {
      const ref = decodeURIComponent(m[1]!);
      const sha = branches[ref] ?? Object.values(branches).find((s) => /^[0-9a-f]{7,40}$/.test(ref) && s.startsWith(ref));
      return sha ? [200, { ...example('get', '/repos/{owner}/{repo}/commits/{ref}', 200), sha, files: [] }] : [404, { message: 'No commit found for SHA: ' + ref, documentation_url: 'https://docs.github.com/rest', status: '404' }];
    })
    .on('GET', new RegExp(`${base}/contents/(.+)$`), (m) => {
      const file = decodeURIComponent(m[1]!);
      const text = files[file];
      if (text === undefined) return [404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }];
      const ex = example('get', '/repos/{owner}/{repo}/contents/{path}', 200, 'response-if-content-is-a-file');
      return [200, { ...ex, type: 'file', encoding: 'base64', path: file, name: file.split('/').pop(), content: Buffer.from(text).toString('base64') }];
    })
    .on('POST', new RegExp(`${base}/check-runs$`), (_m, { body }) => {
      const b = body as { name: string; head_sha: string };
      return [201, { ...example('post', '/repos/{owner}/{repo}/check-runs', 201), id: ++nextCheck, name: b.name, head_sha: b.head_sha }];
    })
    .on('PATCH', new RegExp(`${base}/check-runs/(\\d+)$`), (m) => [200, { ...example('patch', '/repos/{owner}/{repo}/check-runs/{check_run_id}', 200), id: Number(m[1]) }])
    .on('POST', new RegExp(`${base}/actions/workflows/([^/]+)/dispatches$`), (_m, { body }) => {
      dispatched.push(body);
      const id = ++nextRun;
      return [200, { workflow_run_id: id, run_url: `https://api.github.com/repos/octo/app/actions/runs/${id}`, html_url: `https://github.com/octo/app/actions/runs/${id}` }];
    })
    .on('POST', new RegExp(`${base}/actions/runs/(\\d+)/cancel$`), () => [202, {}]);
  return { dispatched };
}

/** Minimal configuration files: one devcontainer on `main`. */
export const FILES = {
  '.devcontainer/devcontainer.json': JSON.stringify({ image: 'mcr.microsoft.com/devcontainers/base:ubuntu', onCreateCommand: 'npm ci' }),
};
