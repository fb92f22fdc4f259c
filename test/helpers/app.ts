/**
 * One `startTestApp()` for tests of the app over HTTP: the real server (real SQLite
 * file) with GitHub answered by the one fake (test/helpers/github.ts) at its base
 * URL, webhooks sent by the fake's sender, every exchange checked against
 * @octokit/openapi when the app stops.
 */
import path from 'node:path';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { encodeResult, resultStepName } from '../../src/lifecycle/contract.js';
import { startAppServer, type AppServer, type AppServerOptions } from '../../src/server.js';
import type { Delivery, DeliveryOptions, RunAnnotation } from '../../demo/github/index.js';
import { startGitHub, testAppKeys, type TestGitHub } from './github.js';
import { APP_ID, REPO, sha, WEBHOOK_SECRET, ZERO_SHA } from './ids.js';
import { tempDir } from './tmp.js';

export { sha, ZERO_SHA };

/** The log lines a failed run leaves (GET …/actions/jobs/{job_id}/logs). */
export const FAILED_LOG = ['step 1', 'step 2', 'npm ERR! missing script: build'];

/** A running app (real HTTP server, real SQLite file) with GitHub answered by the {@link TestGitHub} fake. */
export interface TestApp {
  server: AppServer;
  gh: TestGitHub;
  /** The temp directory holding the app's SQLite file (`prebuilds.sqlite`); removed by `stop()`. */
  dir: string;
  /** Expects a delivery the fake made (`gh.standIn.push(…)`, `pullRequest(…)`, …) to be answered 200, waits until the app processed it. */
  delivered(d: Promise<Delivery | { delivery: Delivery }>): Promise<Delivery>;
  /** Sends a signed delivery through the fake's sender, expects 200 and waits until the app processed it. */
  send(event: string, payload: object, options?: DeliveryOptions): Promise<Delivery>;
  /**
   * Commits `files` as commit `n` (parent `parent`, default `n - 1`) on `main` of octo/app and pushes it;
   * each of `changed` (default `src/index.ts`) is made to differ from the parent.
   */
  pushCommit(n: number, files: Record<string, string>, changed?: string[], parent?: number): Promise<void>;
  /** Sends `workflow_run` `action` for a run (`in_progress` marks it in progress first). */
  runEvent(runId: number, action: 'requested' | 'in_progress' | 'completed'): Promise<void>;
  /** Completes the `runIndex`th dispatched run with a success, its result annotation and its snapshot in the Actions cache. */
  /**
   * Completes a dispatched run as the action and the shipped workflow would: result
   * annotation and result step; `resultStep: false` for a workflow without that step.
   */
  /** Ends dispatch `runIndex` successfully; `cachesKey`: the caches part its snapshot names (recorded in the Actions cache too). */
  succeed(runIndex: number, bytes?: number, options?: { resultStep?: boolean; cachesKey?: string }): Promise<void>;
  /** Completes the `runIndex`th dispatched run with a failure, these annotations and {@link FAILED_LOG}. */
  fail(runIndex: number, annotations: RunAnnotation[]): Promise<void>;
  /** The decisions recorded for a commit of octo/app. */
  decisions(sha: string): ReturnType<AppServer['store']['listDecisions']>;
  /** Stops the app and the fake, checks every exchange was GitHub's, removes the files. */
  stop(): Promise<void>;
}

/**
 * Starts the fake and the app for a test: a real HTTP server on 127.0.0.1 with a fresh
 * SQLite file, `baseUrl` the fake's, reconciler and schedules off unless `runtime` says otherwise.
 * `options` may be a function of the app's temp directory (for paths inside it, e.g. a directory store).
 */
export async function startTestApp(optionsOf: Partial<AppServerOptions> | ((dir: string) => Partial<AppServerOptions>) = {}): Promise<TestApp> {
  const gh = await startGitHub();
  const tmp = tempDir();
  const options = typeof optionsOf === 'function' ? optionsOf(tmp.dir) : optionsOf;
  const server = await startAppServer({
    appId: APP_ID,
    privateKey: testAppKeys().privateKey,
    webhookSecret: WEBHOOK_SECRET,
    baseUrl: gh.apiUrl,
    databasePath: path.join(tmp.dir, 'prebuilds.sqlite'),
    logLevel: (process.env.LOG_LEVEL as 'fatal') ?? 'fatal',
    githubRateLimits: false,
    ...options,
    runtime: { reconcileIntervalMs: 0, scheduleIntervalMs: 0, processor: { maxAttempts: 1 }, ...options.runtime },
  });
  gh.standIn.setWebhookUrl(server.webhookUrl);
  const delivered = async (d: Promise<Delivery | { delivery: Delivery }>) => {
    const got = await d;
    const delivery = 'delivery' in got ? got.delivery : got;
    expect([delivery.event, delivery.status, delivery.error]).toEqual([delivery.event, 200, null]);
    await server.idle();
    return delivery;
  };
  const send = (event: string, payload: object, o?: DeliveryOptions) => delivered(gh.standIn.send(event, payload, o));
  const runEvent = async (runId: number, action: 'requested' | 'in_progress' | 'completed') => {
    if (action === 'in_progress') gh.standIn.startRun(runId);
    await delivered(gh.standIn.sendWorkflowRun(runId, action));
  };
  return {
    server,
    gh,
    dir: tmp.dir,
    delivered,
    send,
    runEvent,
    async pushCommit(n, files, changed = ['src/index.ts'], parent = n - 1) {
      const before = parent > 0 ? gh.files.get(sha(parent)) : undefined;
      const tree = { ...files };
      for (const f of changed) if (before && before[f] === tree[f]) tree[f] = `${tree[f] ?? ''}\n// commit ${n}`;
      gh.commit(sha(n), tree, parent > 0 ? [sha(parent)] : []);
      gh.setBranch('main', sha(n));
      await delivered(gh.standIn.push(REPO.repo, { branch: 'main', before: parent > 0 ? sha(parent) : ZERO_SHA }));
    },
    async succeed(runIndex, bytes = 123_456, options = {}) {
      const d = gh.dispatches[runIndex]!;
      const key = snapshotKey(d.inputs.configuration!, d.inputs.sha!, d.inputs['prebuild-id']!);
      const result = {
        prebuildId: d.inputs['prebuild-id']!,
        configuration: d.inputs.configuration!,
        sha: d.inputs.sha!,
        snapshotKey: key,
        snapshotBytes: bytes,
        durationMs: 4200,
        hooks: { onCreateCommand: 3000, updateContentCommand: 1200 },
        base: d.inputs.base || null,
        identity: '',
        ...(options.cachesKey ? { cachesKey: options.cachesKey } : {}),
      };
      gh.standIn.recordCache(REPO.repo, { key, ref: `refs/heads/${d.ref}`, sizeInBytes: bytes });
      const partSaved = gh.standIn.state.caches.some((c) => c.key === options.cachesKey);
      if (options.cachesKey && !partSaved) gh.standIn.recordCache(REPO.repo, { key: options.cachesKey, ref: `refs/heads/${d.ref}` });
      const steps = options.resultStep === false ? [] : ['Check out the commit to prebuild', 'Prebuild', resultStepName(result)];
      gh.standIn.finishRun(d.runId, 'success', [{ level: 'notice', title: 'prebuild-result', message: encodeResult(result) }], [], undefined, steps);
      await runEvent(d.runId, 'completed');
    },
    async fail(runIndex, annotations) {
      const d = gh.dispatches[runIndex]!;
      gh.standIn.finishRun(d.runId, 'failure', annotations, FAILED_LOG);
      await runEvent(d.runId, 'completed');
    },
    decisions: (s) => server.store.listDecisions(REPO, s),
    async stop() {
      await server.stop();
      await gh.stop();
      tmp.cleanup();
      expect(gh.problems()).toEqual([]);
    },
  };
}
