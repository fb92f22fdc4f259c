/**
 * The stand-in's in-memory state: repositories, check runs, workflow runs and
 * jobs, issues, caches, tokens, and the URLs it presents itself under.
 */
import { randomBytes } from 'node:crypto';
import type { CacheRecord, CheckRunRecord, IssueRecord, JobRecord, RepoRecord, RunRecord } from './types.js';

/** The GitHub App the stand-in knows (the one under test). */
export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  /** PEM public key used to verify the app's RS256 JWTs. */
  publicKey: string;
  installationId: number;
}

/** The GitHub Actions app, owner of job check runs (its real id on github.com). */
export const ACTIONS_APP = { id: 15368, slug: 'github-actions', name: 'GitHub Actions' } as const;

/** One request/response pair, as recorded for the honesty tests. */
export interface RecordedExchange {
  method: string;
  /** Path as requested, without the `/api/v3` prefix and query string (still percent-encoded). */
  path: string;
  /** The stand-in's route template that served it (`null` for unknown routes). */
  template: string | null;
  query: string;
  status: number;
  requestBody: unknown;
  /** Parsed JSON body, `null` for an empty body, or the raw text for non-JSON bodies. */
  responseBody: unknown;
  contentType: string | null;
  /** Answered by a per-test override (`StandIn.override`); status 0: the connection was dropped. */
  overridden: boolean;
}

/** Mutable state of one stand-in. */
export class StandInState {
  /** e.g. `http://127.0.0.1:PORT` — filled in when the server listens. */
  serverUrl = '';
  readonly repos = new Map<string, RepoRecord>();
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly runs = new Map<number, RunRecord>();
  readonly jobs = new Map<number, JobRecord>();
  readonly issues: IssueRecord[] = [];
  readonly caches: CacheRecord[] = [];
  readonly exchanges: RecordedExchange[] = [];
  /** The app's check suite on each commit (`repoId:sha` → suite id): one per app and sha, as on GitHub. */
  readonly appCheckSuites = new Map<string, number>();
  /** Installation tokens → expiry. */
  readonly tokens = new Map<string, Date>();
  /** Opaque tokens of the signed log URLs (job id → token). */
  readonly logTokens = new Map<number, string>();
  /**
   * How long a new workflow run stays out of GET …/actions/workflows/{workflow_id}/runs, ms:
   * GitHub's run listing is eventually consistent and can lag behind the dispatch that created a run.
   */
  runListingLagMs = 0;
  private counters = new Map<string, number>();

  constructor(
    readonly app: AppIdentity,
    /** Login of the repositories' owner (a user). */
    readonly ownerLogin: string,
    /** Login of the person who pushes (webhook `sender`). */
    readonly senderLogin: string,
  ) {}

  /** `http://127.0.0.1:PORT/api/v3` */
  get apiUrl(): string {
    return `${this.serverUrl}/api/v3`;
  }

  /**
   * Next id of a kind. Check runs and jobs share one sequence (a job's id is its
   * check run's id, as on GitHub); ids start at distinct bases so that an id of
   * one kind is never mistaken for another in tests.
   */
  nextId(kind: 'repo' | 'check' | 'run' | 'suite' | 'issue' | 'comment' | 'cache' | 'workflow' | 'runNumber'): number {
    const base: Record<string, number> = {
      repo: 100,
      check: 5000,
      run: 9000,
      suite: 3000,
      issue: 7000,
      comment: 8000,
      cache: 400,
      workflow: 200,
      runNumber: 0,
    };
    const next = (this.counters.get(kind) ?? base[kind]!) + 1;
    this.counters.set(kind, next);
    return next;
  }

  /** Issues a new installation token valid for one hour. */
  issueToken(): { token: string; expiresAt: Date } {
    const token = `ghs_${randomBytes(18).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + 3600_000);
    this.tokens.set(token, expiresAt);
    return { token, expiresAt };
  }

  /** Whether `token` is a live installation token. */
  tokenValid(token: string): boolean {
    const exp = this.tokens.get(token);
    return exp !== undefined && exp.getTime() > Date.now();
  }

  /** The repository `owner/name` (case-insensitive, like GitHub), or `undefined`. */
  repo(owner: string, name: string): RepoRecord | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** The repository with this id. */
  repoById(id: number): RepoRecord {
    for (const r of this.repos.values()) if (r.id === id) return r;
    throw new Error(`no repository with id ${id}`);
  }

  /** Runs of a repository, newest first. */
  runsOf(repoId: number): RunRecord[] {
    return [...this.runs.values()].filter((r) => r.repoId === repoId).sort((a, b) => b.id - a.id);
  }

  /** Check runs on a commit (any app), newest first. */
  checkRunsOn(repoId: number, sha: string): CheckRunRecord[] {
    return [...this.checkRuns.values()].filter((c) => c.repoId === repoId && c.headSha === sha).sort((a, b) => b.id - a.id);
  }
}
