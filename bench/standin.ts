/**
 * The benchmarks' GitHub: the demo's stand-in (demo/github) with repositories kept
 * in memory and dispatched runs recorded, not run (`runner: 'none'`), and (`oidc`) a
 * local GitHub Actions OIDC issuer. A benchmark commits to a repository and sends the
 * stand-in's own `push` payload; when the app dispatches, the benchmark completes the
 * run the way the action and the shipped workflow would (snapshot in the Actions cache,
 * the result reported to the app with the job's OIDC token through the action's own
 * client, action/src/report-result.ts, the result annotation and the result step) and
 * sends `workflow_run` completed.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { reportResult } from '../action/src/report-result.js';
import { Env } from '../action/src/constants.js';
import { appKeyPair, startStandIn, type MemoryRepoContent, type RepoRecord, type RunRecord, type StandIn } from '../demo/github/index.js';
import { LocalActionsIssuer } from '../demo/github/oidc-issuer.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../src/api/restore-report.js';
import { encodeResult, RESULT_ANNOTATION_TITLE, resultStepName, type PrebuildResult } from '../src/lifecycle/contract.js';
import { snapshotKey } from '../src/lifecycle/snapshot-key.js';

/** A dispatch the app made. `at` is `performance.now()` in ms when the benchmark saw it. */
export interface Dispatch {
  owner: string;
  repo: string;
  /** The commit the run prebuilds (its `sha` input). */
  sha: string;
  prebuildId: string;
  runId: number;
  at: number;
}

/** The product's prebuild workflow (`.github/workflows/prebuild.yml`), from lib/bench/ or from bench/ (tests run the sources). */
function readWorkflow(): string {
  for (const up of ['../../', '../']) {
    const file = new URL(`${up}.github/workflows/prebuild.yml`, import.meta.url);
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  throw new Error('.github/workflows/prebuild.yml not found above bench/');
}

/** The prebuild workflow every benchmark commit carries (the app dispatches it; the stand-in checks it exists). */
export const PREBUILD_WORKFLOW = readWorkflow();

/** A running benchmark stand-in and the app key GitHub knows. */
export interface BenchGitHub {
  github: StandIn;
  /** PEM private key of the app (its public half is the stand-in's). */
  privateKey: string;
  /** The repositories created, by name. */
  repos: Map<string, RepoRecord & { content: MemoryRepoContent }>;
  /** The webhook secret the app verifies deliveries with. */
  webhookSecret: string;
  /** With `oidc`: the Actions OIDC issuer of the runs' jobs, which the app verifies result reports against (`PREBUILDS_OIDC_ISSUER`); stop it after the stand-in. */
  issuer: LocalActionsIssuer | null;
}

/**
 * Starts the stand-in for a benchmark: app 1 with a fresh key, repositories `names` of
 * `owner` in memory, runs recorded, response bodies not kept (memory), and a webhook
 * timeout of 10 minutes so that the benchmark measures the app's queue, not GitHub's 10 s.
 * `oidc`: with a local Actions OIDC issuer, so that completed runs can report their result.
 */
export async function startBenchGitHub(o: { owner: string; webhookSecret: string; names: string[]; oidc?: boolean }): Promise<BenchGitHub> {
  const { privateKey, publicKey } = appKeyPair();
  const issuer = o.oidc ? await LocalActionsIssuer.start() : null;
  const github = await startStandIn({
    ...(issuer ? { oidcIssuer: issuer } : {}),
    appId: 1,
    publicKey,
    webhookSecret: o.webhookSecret,
    owner: o.owner,
    runner: 'none',
    recordResponses: false,
    webhookTimeoutMs: 600_000,
  });
  const repos = new Map(o.names.map((name) => [name, github.createMemoryRepo(name)] as const));
  return { github, privateKey, repos, issuer, webhookSecret: o.webhookSecret };
}

/** What a dispatched run is, for the benchmark's bookkeeping. */
export function dispatchOf(github: StandIn, run: RunRecord): Dispatch {
  const repo = github.state.repoById(run.repoId);
  return {
    owner: repo.owner,
    repo: repo.name,
    sha: run.inputs.sha || run.headSha,
    prebuildId: run.inputs['prebuild-id'] ?? '',
    runId: run.id,
    at: performance.now(),
  };
}

/**
 * The action's part of a successful run: saves a 1 KiB snapshot in the Actions cache,
 * reports the result to the app at `appUrl` (when given) as the action does, with the
 * action's client and a job token of the stand-in's issuer (`permissions: id-token:
 * write` and `app-url` of the shipped workflow), leaves the result annotation and the
 * result step (named after the action's result output, as
 * `.github/workflows/prebuild.yml` does), completes the run. `fetchImpl`: the report's
 * transport (default Node's `fetch`; the scheduler load passes its poster's, lighter).
 * @returns the `workflow_run` completed payload to send
 */
export async function completeRun(github: StandIn, d: Dispatch, appUrl?: string, fetchImpl: typeof fetch = fetch): Promise<Record<string, any>> {
  const key = snapshotKey('devcontainer', d.sha, d.prebuildId);
  github.recordCache(d.repo, { key, sizeInBytes: 1024 });
  const result: PrebuildResult = {
    prebuildId: d.prebuildId,
    configuration: 'devcontainer',
    sha: d.sha,
    snapshotKey: key,
    snapshotBytes: 1024,
    durationMs: 1000,
    hooks: { onCreateCommand: 500 },
    base: null,
    identity: '',
  };
  if (appUrl) {
    const quiet = () => undefined;
    await reportResult(
      appUrl,
      DEFAULT_RESTORE_AUDIENCE,
      result,
      { [Env.IdTokenRequestUrl]: `${github.serverUrl}/oidc` },
      {
        getIDToken: (audience) => github.jobIdToken(d.runId, audience),
        fetch: fetchImpl,
        info: quiet,
        warning: quiet,
      },
    );
  }
  // The shipped workflow's steps: checkout, the action (its result annotation), the result step named after its output.
  github.finishRun(d.runId, 'success', [{ level: 'notice', title: RESULT_ANNOTATION_TITLE, message: encodeResult(result) }], [], undefined, [
    'Check out the commit to prebuild',
    'Prebuild',
    resultStepName(result),
  ]);
  return github.workflowRunPayload(d.runId, 'completed');
}
