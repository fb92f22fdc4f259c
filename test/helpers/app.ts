import path from 'node:path';
import nock from 'nock';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { encodeResult } from '../../src/lifecycle/result.js';
import { startAppServer, type AppServer, type AppServerOptions } from '../../src/server.js';
import { FakeGitHub, type FakeAnnotation } from './fake-github.js';
import { appKeyPair, deliver } from './keys.js';
import { tempDir } from './tmp.js';
import { pushPayload, workflowRunPayload } from './webhooks.js';

/** The webhook secret of {@link startTestApp}'s app. */
export const TEST_SECRET = 'flow-secret';
/** A 40-hex sha from a number (commit `n` of a test repository). */
export const sha = (n: number): string => n.toString(16).padStart(40, '0');
/** The all-zero sha of a push that creates a branch. */
export const ZERO_SHA = '0'.repeat(40);

/** A running app (real HTTP server, real SQLite file) with GitHub answered by the nock {@link FakeGitHub}. */
export interface TestApp {
  server: AppServer;
  gh: FakeGitHub;
  /** Sends a signed delivery, expects 200 and waits until the app processed it. */
  send(event: string, payload: unknown, id?: string): Promise<void>;
  /** Commits `files` as commit `n` (parent `n - 1`) on `main` and pushes it. */
  pushCommit(n: number, files: Record<string, string>, changed?: string[], parent?: number): Promise<void>;
  /** Completes the `runIndex`th dispatched run with a success and its result annotation. */
  succeed(runIndex: number, bytes?: number): Promise<void>;
  /** Completes the `runIndex`th dispatched run with a failure and these annotations. */
  fail(runIndex: number, annotations: FakeAnnotation[]): Promise<void>;
  /** The decisions recorded for a commit of the test repository. */
  decisions(sha: string): ReturnType<AppServer['store']['listDecisions']>;
  /** Stops the app, checks the fake saw no undocumented request, removes the files. */
  stop(): Promise<void>;
}

/**
 * Starts the app for a test: a real HTTP server on 127.0.0.1 with a fresh SQLite file,
 * GitHub answered by the nock fake (every request validated against @octokit/openapi),
 * reconciler and schedules off unless `runtime` says otherwise.
 */
export async function startTestApp(options: Partial<AppServerOptions> = {}): Promise<TestApp> {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const gh = new FakeGitHub().install();
  const tmp = tempDir();
  const keys = appKeyPair();
  const server = await startAppServer({
    appId: 1,
    privateKey: keys.privateKey,
    webhookSecret: TEST_SECRET,
    databasePath: path.join(tmp.dir, 'prebuilds.sqlite'),
    logLevel: (process.env.LOG_LEVEL as 'fatal') ?? 'fatal',
    fetch: globalThis.fetch,
    githubRateLimits: false,
    ...options,
    runtime: { reconcileIntervalMs: 0, scheduleIntervalMs: 0, processor: { maxAttempts: 1 }, ...options.runtime },
  });
  const send = async (event: string, payload: unknown, id?: string) => {
    const r = await deliver(server.webhookUrl, TEST_SECRET, event, payload, id ? { id } : {});
    expect(r.status).toBe(200);
    await server.idle();
  };
  const complete = async (runIndex: number, conclusion: 'success' | 'failure', annotations: FakeAnnotation[]) => {
    const d = gh.dispatches[runIndex]!;
    gh.finishRun(d.runId, conclusion, annotations);
    await send('workflow_run', workflowRunPayload(gh, d.runId, 'completed'));
  };
  return {
    server,
    gh,
    send,
    async pushCommit(n, files, changed = ['src/index.ts'], parent = n - 1) {
      gh.commit(sha(n), files, parent > 0 ? [sha(parent)] : []);
      gh.branches.set('main', sha(n));
      await send('push', pushPayload(gh, { ref: 'refs/heads/main', before: parent > 0 ? sha(parent) : ZERO_SHA, after: sha(n), commits: [{ id: sha(n), modified: changed }] }));
    },
    async succeed(runIndex, bytes = 123_456) {
      const d = gh.dispatches[runIndex]!;
      const result = {
        prebuildId: d.inputs['prebuild-id']!,
        configuration: d.inputs.configuration!,
        sha: d.inputs.sha!,
        snapshotKey: snapshotKey(d.inputs.configuration!, d.inputs.sha!, d.inputs['prebuild-id']!),
        snapshotBytes: bytes,
        durationMs: 4200,
        hooks: { onCreateCommand: 3000, updateContentCommand: 1200 },
        base: d.inputs.base || null,
        identity: '',
      };
      await complete(runIndex, 'success', [{ level: 'notice', title: 'prebuild-result', message: encodeResult(result) }]);
    },
    fail: (runIndex, annotations) => complete(runIndex, 'failure', annotations),
    decisions: (s) => server.store.listDecisions({ owner: gh.owner, repo: gh.repo }, s),
    async stop() {
      await server.stop();
      nock.cleanAll();
      nock.enableNetConnect();
      tmp.cleanup();
      expect(gh.calls.filter((c) => c.problem).map((c) => c.problem)).toEqual([]);
    },
  };
}
