/**
 * The GitHub fake of the tests: the demo's stand-in (demo/github) on 127.0.0.1,
 * with octo/app (installation 1) and other/lib (installation 2) kept in memory,
 * dispatched runs recorded rather than run (`runner: 'none'`), and every
 * exchange checked against @octokit/openapi (`problems()`). The app reaches it by
 * its base URL (`apiUrl`), as it would reach GitHub Enterprise Server.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  appKeyPair,
  startStandIn,
  type CheckRunRecord,
  type MemoryRepoContent,
  type RecordedExchange,
  type RepoRecord,
  type StandIn,
  type StandInOptions,
} from '../../demo/github/index.js';
import { APP_ID, INSTALLATION_ID, OTHER, OTHER_INSTALLATION_ID, REPO, WEBHOOK_SECRET } from './ids.js';
import { matchOperation, validateResponse } from './openapi.js';
import { REPO_ROOT } from './tmp.js';

export { appKeyPair };

let sharedKeys: { privateKey: string; publicKey: string } | null = null;
/** The test app's key pair (one per test process: generating one takes a while). */
export function testAppKeys(): { privateKey: string; publicKey: string } {
  sharedKeys ??= appKeyPair();
  return sharedKeys;
}

/** The workflow the app dispatches, as shipped (every commit of a memory repository carries it). */
export const PREBUILD_WORKFLOW = fs.readFileSync(path.join(REPO_ROOT, '.github/workflows/prebuild.yml'), 'utf8');
const WORKFLOW_PATH = '.github/workflows/prebuild.yml';

/** A workflow dispatch the app made: the workflow file name, the ref, the inputs and the run it created. */
export interface Dispatch {
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
  runId: number;
}

/** A live view of a check run of the app, in GitHub's field names. */
export interface CheckRunView {
  readonly id: number;
  readonly name: string;
  readonly head_sha: string;
  readonly status: string;
  readonly conclusion: string | null;
  external_id: string | null;
  readonly details_url: string | null;
  readonly output: { title: string | null; summary: string | null; text: string | null };
}

function view(c: CheckRunRecord): CheckRunView {
  const v = {} as CheckRunView;
  const field = (name: string, get: () => unknown, set?: (x: never) => void) =>
    Object.defineProperty(v, name, { enumerable: true, get, ...(set ? { set } : {}) });
  field('id', () => c.id);
  field('name', () => c.name);
  field('head_sha', () => c.headSha);
  field('status', () => c.status);
  field('conclusion', () => c.conclusion);
  field(
    'external_id',
    () => c.externalId,
    (x: string | null) => (c.externalId = x),
  );
  field('details_url', () => c.detailsUrl);
  field('output', () => ({ ...c.output }));
  return v;
}

/**
 * Why an exchange is not GitHub's: an undocumented operation, or a reply that does
 * not validate against its documented schema (a 5xx with GitHub's error body, as in
 * an outage, is allowed everywhere); `null` when it is fine.
 */
export function exchangeProblem(x: RecordedExchange): string | null {
  if (x.template?.startsWith('/_standin/')) return null;
  if (!matchOperation(x.method, x.path)) return `undocumented endpoint ${x.method} ${x.path}`;
  if (x.status === 0 || (x.status >= 500 && typeof (x.responseBody as { message?: unknown })?.message === 'string')) return null;
  const errors = validateResponse(x.method, x.path, x.status, x.responseBody);
  return errors ? `${x.method} ${x.path} ${x.status}: ${errors}` : null;
}

/** The stand-in as the tests use it. */
export class TestGitHub {
  /** Test files per commit sha (what `commit` was given). */
  readonly files = new Map<string, Record<string, string>>();

  constructor(
    readonly standIn: StandIn,
    /** octo/app, in memory. */
    readonly repo: RepoRecord & { content: MemoryRepoContent },
    /** other/lib on installation 2, in memory. */
    readonly other: RepoRecord & { content: MemoryRepoContent },
  ) {}

  /** `http://127.0.0.1:PORT/api/v3`: the app's `baseUrl`. */
  get apiUrl(): string {
    return this.standIn.apiUrl;
  }

  /** Every REST exchange, in order (paths without `/api/v3`). */
  get calls(): RecordedExchange[] {
    return this.standIn.exchanges;
  }

  /** Adds commit `sha` of octo/app with `files` (plus the prebuild workflow) and these parents; moves no branch. */
  commit(sha: string, files: Record<string, string>, parents: string[] = []): string {
    this.files.set(sha, files);
    return this.repo.content.commit({ sha, files: { [WORKFLOW_PATH]: PREBUILD_WORKFLOW, ...files }, parents, branch: null });
  }

  /** Points a branch of octo/app at a commit (`null` deletes it). */
  setBranch(branch: string, sha: string | null): void {
    this.repo.content.setBranch(branch, sha);
  }

  /** The workflow dispatches the app made, in order. */
  get dispatches(): Dispatch[] {
    return this.standIn.dispatched().map((r) => ({ workflow: path.basename(r.workflowPath), ref: r.headBranch, inputs: { ...r.inputs }, runId: r.id }));
  }

  /** The app's check runs on a sha of octo/app, oldest first, as live views. */
  checkRunsFor(sha: string): CheckRunView[] {
    return this.standIn.checkRuns(this.repo.name, { sha, app: true }).reverse().map(view);
  }

  /** Workflow runs the app cancelled (POST …/cancel answered 202), in order. */
  get cancelled(): number[] {
    return this.made('POST', /\/actions\/runs\/\d+\/cancel$/)
      .filter((x) => x.status === 202)
      .map((x) => Number(/runs\/(\d+)/.exec(x.path)![1]));
  }

  /** Cache keys the app deleted (DELETE …/actions/caches?key= answered 200), in order. */
  get deletedCaches(): string[] {
    return this.made('DELETE', /\/actions\/caches$/)
      .filter((x) => x.status === 200)
      .map((x) => new URLSearchParams(x.query).get('key') ?? '');
  }

  /**
   * Removes a workflow run and its jobs from GitHub, as if the dispatch that created it had never
   * reached GitHub (it stays in {@link dispatches}: the app did send it).
   * @throws Error for an unknown run
   */
  forgetRun(runId: number): void {
    const { state } = this.standIn;
    const run = state.runs.get(runId);
    if (!run) throw new Error(`no workflow run ${runId}`);
    for (const id of run.jobIds) {
      state.jobs.delete(id);
      state.checkRuns.delete(id);
    }
    state.runs.delete(runId);
  }

  /** Exchanges of a method whose path matches. */
  made(method: string, re: RegExp): RecordedExchange[] {
    return this.calls.filter((x) => x.method === method && re.test(x.path));
  }

  /** What was wrong with the exchanges (see {@link exchangeProblem}); `[]` when all were GitHub's. */
  problems(): string[] {
    return this.calls.map(exchangeProblem).filter((p): p is string => p !== null);
  }

  stop(): Promise<void> {
    return this.standIn.stop();
  }
}

/**
 * Starts the fake: the stand-in with the test app's public key and webhook secret, owner `octo`,
 * octo/app and other/lib in memory, runs recorded (`runner: 'none'`) unless `options` say otherwise.
 */
export async function startGitHub(options: Partial<StandInOptions> = {}): Promise<TestGitHub> {
  const standIn = await startStandIn({
    appId: APP_ID,
    publicKey: testAppKeys().publicKey,
    webhookSecret: WEBHOOK_SECRET,
    owner: REPO.owner,
    installationId: INSTALLATION_ID,
    runner: 'none',
    ...options,
  });
  const repo = standIn.createMemoryRepo(REPO.repo);
  const other = standIn.createMemoryRepo(OTHER.repo, { owner: OTHER.owner, installationId: OTHER_INSTALLATION_ID });
  return new TestGitHub(standIn, repo, other);
}
