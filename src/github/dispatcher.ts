import type { PrebuildPatch, PrebuildRecord } from '../store/types.js';
import { dispatchWorkflow, listWorkflowRuns, prebuildIdFromRunName, type DispatchedRun } from './actions.js';
import { checkRunName, inProgressOutput, neutralOutput } from './check-text.js';
import { createCheckRun, findCheckRun, updateCheckRun } from './checks.js';
import { ancestorDistance, listAncestors } from './commits.js';
import { DispatchInputs, encodeExpiredKeys, MAX_EXPIRED_KEYS } from '../lifecycle/contract.js';
import type { DirStore } from '../lifecycle/snapshot/dir-store.js';
import { deleteCacheByKey } from './caches.js';
import type { Octokit, OctokitFactory } from './octokit.js';
import type { PushHistory } from './push-history.js';
import { rateLimitWaitMs } from './rate-limit.js';

export type { OctokitFactory } from './octokit.js';
import { reportEnd } from './report.js';

/** Options of {@link githubDispatcher}. */
export interface DispatcherOptions {
  /**
   * How long after an earlier attempt's dispatch its run may still be missing from
   * GitHub's run listing, ms (the listing lags behind the dispatch). A retried start
   * keeps looking for that run until then before it dispatches again. Default 15000.
   */
  adoptionWindowMs?: number;
  /** Between two listings while adopting, ms. Default 1000. */
  adoptionPollMs?: number;
  /** Commit history learned from the pushes the app handled (base selection asks GitHub only beyond it). */
  pushHistory?: PushHistory;
  /** Directory stores the app reaches (`PREBUILDS_DIR_STORES`): expired snapshots are deleted from them at dispatch. */
  dirStores?: readonly DirStore[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The run an earlier attempt dispatched for this prebuild, matched by the run name
 * (`Prebuild #<id> …`), or null. Used after a crash or a timed-out dispatch request.
 * GitHub lists a dispatched run a few seconds late: the listing is read again until
 * `adoptionWindowMs` after the earlier dispatch, so a lagging listing never makes a
 * second run.
 */
async function findDispatchedRun(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  p: PrebuildRecord,
  options: Required<Pick<DispatcherOptions, 'adoptionWindowMs' | 'adoptionPollMs'>>,
): Promise<DispatchedRun | null> {
  const deadline = (p.dispatchedAt ?? 0) + options.adoptionWindowMs;
  for (;;) {
    const runs = await listWorkflowRuns(octokit, repo, p.workflow).catch(() => []);
    const match = runs.find((r) => prebuildIdFromRunName(r.displayTitle) === p.id);
    if (match) return { runId: match.id, htmlUrl: match.htmlUrl };
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await sleep(Math.min(options.adoptionPollMs, left));
  }
}

/**
 * Deletes expired snapshots (SPEC.md rule 7) the dispatched run does not: every one from the
 * directory stores the app reaches (no request), and from the Actions cache
 * (`DELETE /repos/{owner}/{repo}/actions/caches?key=`) those not handed over to the run (a
 * workflow without the `expire` input, an adopted run, more than the input carries).
 * Never throws: a snapshot left behind is only storage, its prebuild is `expired` already.
 */
async function deleteExpired(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  expired: readonly string[],
  handedOver: readonly string[],
  dirs: readonly DirStore[],
): Promise<void> {
  for (const key of expired) {
    for (const dir of dirs) await dir.delete(key).catch(() => false);
    if (!handedOver.includes(key)) await deleteCacheByKey(octokit, repo, key).catch(() => false);
  }
}

/** GitHub refused to dispatch (4xx); the prebuild fails, with the check run already reported. */
export class DispatchRefused extends Error {
  constructor(
    message: string,
    /** The failed check run created for it. */
    readonly checkRunId: number,
  ) {
    super(message);
    this.name = 'DispatchRefused';
  }
}

/** True for errors worth retrying: GitHub 5xx, rate limits (429, and 403s GitHub documents as rate limits), or no HTTP answer at all. */
export function isTransient(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  return status === undefined || status >= 500 || rateLimitWaitMs(error) !== null;
}

/** A repository's commit history as base selection reads it (SPEC.md rule 5). */
export interface CommitHistory {
  /** Up to `count` (≤ 100) shas reachable from `sha`, newest first, `sha` itself first. */
  ancestors(sha: string, count: number): Promise<{ shas: string[]; truncated: boolean }>;
  /** Distance from `base` to `head` when `base` is an ancestor of `head`, else null. */
  distance(base: string, head: string): Promise<number | null>;
  /** Ancestors known from the pushes the app handled (`sha` first; maybe fewer than `count`). */
  known?(sha: string, count: number): string[];
}

/** The GitHub side of the scheduler (the scheduler's `Dispatcher` port). */
export interface GitHubDispatcher {
  history(prebuild: PrebuildRecord): Promise<CommitHistory>;
  start(prebuild: PrebuildRecord): Promise<PrebuildPatch>;
  end(prebuild: PrebuildRecord): Promise<number>;
  isTransient(error: unknown): boolean;
}

/**
 * Commit history through the REST API (one cached listing per sha; see src/github/commits.ts),
 * and the ancestors `pushes` learned from push payloads (no call) when given.
 */
export function githubHistory(octokit: Octokit, repo: { owner: string; repo: string }, pushes?: PushHistory): CommitHistory {
  return {
    ancestors: (sha, count) => listAncestors(octokit, repo, sha, count),
    distance: (base, head) => ancestorDistance(octokit, repo, base, head),
    ...(pushes ? { known: (sha: string, count: number) => pushes.ancestors(repo, sha, count) } : {}),
  };
}

/**
 * The GitHub side of the scheduler: commit history (for the scheduler's base selection,
 * SPEC.md rule 5), check runs and `workflow_dispatch`. `start` dispatches the configuration's workflow at
 * the branch with the inputs `configuration`, `sha`, `base`, `prebuild-id`, `timeout-minutes`, then creates
 * the "🔄 Prebuild in progress" check run on the prebuilt sha linking the run (two calls
 * in all). A refused dispatch gets a failed check run quoting GitHub's message, then throws.
 */
export function githubDispatcher(octokitFor: OctokitFactory, options: DispatcherOptions = {}): GitHubDispatcher {
  const adoption = { adoptionWindowMs: options.adoptionWindowMs ?? 15_000, adoptionPollMs: options.adoptionPollMs ?? 1000 };
  return {
    async history(p: PrebuildRecord): Promise<CommitHistory> {
      return githubHistory(await octokitFor(p.installationId), { owner: p.owner, repo: p.repo }, options.pushHistory);
    },

    async start(p: PrebuildRecord, expired: readonly string[] = []): Promise<PrebuildPatch> {
      const octokit = await octokitFor(p.installationId);
      const repo = { owner: p.owner, repo: p.repo };
      const name = checkRunName(p.configuration);
      let run = p.dispatchedAt ? await findDispatchedRun(octokit, repo, p, adoption) : null;
      // The run deletes the expired snapshots from the Actions cache; the app deletes what it hands over to no run.
      let handedOver = expired.slice(0, MAX_EXPIRED_KEYS);
      if (run) handedOver = []; // adopted: an earlier attempt's run, dispatched with its own inputs
      try {
        if (!run) {
          const dispatch = await dispatchWorkflow(octokit, repo, p.workflow, p.branch, {
            [DispatchInputs.Configuration]: p.configuration,
            [DispatchInputs.Sha]: p.sha,
            [DispatchInputs.Base]: p.baseKey ?? '',
            [DispatchInputs.PrebuildId]: String(p.id),
            [DispatchInputs.TimeoutMinutes]: String(p.timeoutMinutes),
            [DispatchInputs.Expire]: encodeExpiredKeys(handedOver),
          });
          run = dispatch.run;
          if (dispatch.dropped.includes(DispatchInputs.Expire)) handedOver = [];
        }
      } catch (error) {
        // GitHub failing (5xx, network): nothing was refused; the caller retries later.
        if (isTransient(error)) throw error;
        const message = error instanceof Error ? error.message : String(error);
        const checkRunId = await createCheckRun(octokit, repo, p.sha, {
          name,
          status: 'completed',
          conclusion: 'failure',
          externalId: String(p.id),
          completedAt: new Date().toISOString(),
          output: neutralOutput(
            '❌ Prebuild could not start',
            `Dispatching \`.github/workflows/${p.workflow}\` on \`${p.branch}\` failed: ${message}\n\nAdd the workflow from the README to the repository, or set \`workflow\` in \`.github/prebuilds.yml\`.`,
          ),
        });
        throw new DispatchRefused(message, checkRunId);
      }
      await deleteExpired(octokit, repo, expired, handedOver, options.dirStores ?? []);
      const workflowRunUrl = run?.htmlUrl || null;
      // The run exists now: a failing check run must not fail the prebuild (the end report creates one).
      const fields = { status: 'in_progress', detailsUrl: workflowRunUrl, output: inProgressOutput({ ...p, workflowRunUrl }) } as const;
      const checkRunId = await (async () => {
        // An earlier attempt may have created it before a crash: complete that one, never a second.
        const earlier = p.dispatchedAt ? await findCheckRun(octokit, repo, p.sha, name, String(p.id)) : null;
        if (earlier) {
          await updateCheckRun(octokit, repo, earlier, fields);
          return earlier;
        }
        return createCheckRun(octokit, repo, p.sha, { name, externalId: String(p.id), startedAt: new Date().toISOString(), ...fields });
      })().catch(() => null);
      return { checkRunId, workflowRunId: run?.runId ?? null, workflowRunUrl, ...(handedOver.length > 0 ? { expireKeys: handedOver } : {}) };
    },

    async end(p: PrebuildRecord): Promise<number> {
      return reportEnd(await octokitFor(p.installationId), p);
    },

    isTransient,
  };
}
