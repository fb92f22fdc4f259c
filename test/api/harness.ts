import path from 'node:path';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { issueToken } from '../../src/api/auth.js';
import type { AppServer } from '../../src/server.js';
import type { NewPrebuild, PrebuildPatch, PrebuildRecord, Store } from '../../src/store/types.js';
import type { PrebuildSettings } from '../../src/config/model.js';
import { defaultSettings } from '../../src/config/index.js';
import type { RunRecord } from '../../demo/github/index.js';
import { startTestApp } from '../helpers/app.js';
import type { TestGitHub } from '../helpers/github.js';
import { REPO, SHA_A, SHA_B } from '../helpers/ids.js';

export { OTHER, REPO, SHA_A, SHA_B } from '../helpers/ids.js';

/** Settings as `.github/prebuilds.yml` would resolve them: the defaults of SPEC.md, then `over`. */
export function settings(over: Partial<PrebuildSettings> = {}): PrebuildSettings {
  return { ...defaultSettings('.devcontainer/devcontainer.json', 'devcontainer', 'main'), ...over };
}

/** A running app with a real SQLite file, GitHub answered by the one fake ({@link TestGitHub}), and three tokens. */
export interface Harness {
  server: AppServer;
  store: Store;
  github: TestGitHub;
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
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; json: any; headers: Headers }>;
  stop(): Promise<void>;
}

let deliveries = 0;

/** Starts the app for a suite ({@link startTestApp}) and issues its tokens. Call `stop()` in afterAll: it also checks every GitHub exchange. */
export async function startHarness(): Promise<Harness> {
  // A directory store the app reaches (PREBUILDS_DIR_STORES): deletions remove its files too.
  const app = await startTestApp((dir) => ({
    runtime: { reconcileIntervalMs: 0, processor: { maxAttempts: 1 }, dirStores: [new DirStore(path.join(dir, 'dir-store'))] },
  }));
  const { server, gh: github } = app;
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
    dir: app.dir,
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
    stop: () => app.stop(),
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
 * octo/app on the fake as the trigger, rerun and dispatcher need it: each branch
 * (default `main` at {@link SHA_A}) a commit with `files` (and the prebuild workflow);
 * other branches' commits have `main`'s as parent.
 */
export function githubRepository(github: TestGitHub, files: Record<string, string>, branches: Record<string, string> = { main: SHA_A }): void {
  const main = branches.main ?? SHA_A;
  github.commit(main, files);
  github.setBranch('main', main);
  for (const [branch, sha] of Object.entries(branches)) {
    if (branch === 'main') continue;
    if (sha !== main) github.commit(sha, files, [main]);
    github.setBranch(branch, sha);
  }
}

/** Minimal configuration files: one devcontainer on `main`. */
export const FILES = {
  '.devcontainer/devcontainer.json': JSON.stringify({ image: 'mcr.microsoft.com/devcontainers/base:ubuntu', onCreateCommand: 'npm ci' }),
};

/** A workflow with two jobs, `setup` then `prebuild`. */
const TWO_JOBS =
  'name: Prebuild\non:\n  workflow_dispatch:\njobs:\n  setup:\n    runs-on: ubuntu-latest\n    steps: [{ run: "true" }]\n  prebuild:\n    runs-on: ubuntu-latest\n    steps: [{ run: "true" }]\n';

/**
 * A completed run on the fake whose `setup` job succeeded and whose `prebuild` job
 * failed with these log lines (on branch `two-jobs` of octo/app).
 */
export async function twoJobRun(h: Harness, log: string[]): Promise<RunRecord> {
  h.github.repo.content.commit({ files: { ...FILES, '.github/workflows/two-jobs.yml': TWO_JOBS }, branch: 'two-jobs', parents: [] });
  const run = await h.github.standIn.recordRun(REPO.repo, { ref: 'two-jobs', workflow: 'two-jobs.yml' });
  return h.github.standIn.finishRun(run.id, 'failure', [], log, 'prebuild');
}

/**
 * A harness for a whole suite, started in `beforeAll` and stopped in `afterAll`, with
 * octo/app holding {@link FILES} on `main` (SHA_A) and `feature` (SHA_B).
 * @returns the harness, once `beforeAll` has run
 */
export function suiteHarness(): () => Harness {
  let h: Harness | null = null;
  beforeAll(async () => {
    h = await startHarness();
    githubRepository(h.github, FILES, { main: SHA_A, feature: SHA_B });
  });
  afterAll(async () => {
    await h?.stop();
  });
  return () => h!;
}
