import type { PrebuildPatch, PrebuildRecord } from '../store/types.js';
import { dispatchWorkflow, listWorkflowRuns, prebuildIdFromRunName, type DispatchedRun } from './actions.js';
import { checkRunName, inProgressOutput, neutralOutput } from './check-text.js';
import { createCheckRun } from './checks.js';
import { ancestorDistance, listAncestors } from './commits.js';
import { DispatchInputs } from '../lifecycle/contract.js';
import type { Octokit, OctokitFactory } from './octokit.js';

export type { OctokitFactory } from './octokit.js';
import { reportEnd } from './report.js';

/**
 * The run an earlier attempt dispatched for this prebuild, matched by the run name
 * (`Prebuild #<id> …`), or null. Used after a crash or a timed-out dispatch request.
 */
async function findDispatchedRun(octokit: Octokit, repo: { owner: string; repo: string }, p: PrebuildRecord): Promise<DispatchedRun | null> {
  const runs = await listWorkflowRuns(octokit, repo, p.workflow).catch(() => []);
  const match = runs.find((r) => prebuildIdFromRunName(r.displayTitle) === p.id);
  return match ? { runId: match.id, htmlUrl: match.htmlUrl } : null;
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

/** True for errors worth retrying: GitHub 5xx, rate limits, or no HTTP answer at all. */
export function isTransient(error: unknown): boolean {
  const status = (error as { status?: number } | null)?.status;
  return status === undefined || status >= 500 || status === 429;
}


/** A repository's commit history as base selection reads it (SPEC.md rule 5). */
export interface CommitHistory {
  /** Up to `count` (≤ 100) shas reachable from `sha`, newest first, `sha` itself first. */
  ancestors(sha: string, count: number): Promise<{ shas: string[]; truncated: boolean }>;
  /** Distance from `base` to `head` when `base` is an ancestor of `head`, else null. */
  distance(base: string, head: string): Promise<number | null>;
}

/** The GitHub side of the scheduler (the scheduler's `Dispatcher` port). */
export interface GitHubDispatcher {
  history(prebuild: PrebuildRecord): Promise<CommitHistory>;
  start(prebuild: PrebuildRecord): Promise<PrebuildPatch>;
  end(prebuild: PrebuildRecord): Promise<number>;
  isTransient(error: unknown): boolean;
}

/** Commit history through the REST API (one cached listing per sha; see src/github/commits.ts). */
export function githubHistory(octokit: Octokit, repo: { owner: string; repo: string }): CommitHistory {
  return {
    ancestors: (sha, count) => listAncestors(octokit, repo, sha, count),
    distance: (base, head) => ancestorDistance(octokit, repo, base, head),
  };
}

/**
 * The GitHub side of the scheduler: commit history (for the scheduler's base selection,
 * SPEC.md rule 5), check runs and `workflow_dispatch`. `start` dispatches the configuration's workflow at
 * the branch with the inputs `configuration`, `sha`, `base`, `prebuild-id`, then creates
 * the "🔄 Prebuild in progress" check run on the prebuilt sha linking the run (two calls
 * in all). A refused dispatch gets a failed check run quoting GitHub's message, then throws.
 */
export function githubDispatcher(octokitFor: OctokitFactory): GitHubDispatcher {
  return {
    async history(p: PrebuildRecord): Promise<CommitHistory> {
      return githubHistory(await octokitFor(p.installationId), { owner: p.owner, repo: p.repo });
    },

    async start(p: PrebuildRecord): Promise<PrebuildPatch> {
      const octokit = await octokitFor(p.installationId);
      const repo = { owner: p.owner, repo: p.repo };
      const name = checkRunName(p.configuration);
      let run = p.dispatchedAt ? await findDispatchedRun(octokit, repo, p) : null;
      try {
        run ??= await dispatchWorkflow(octokit, repo, p.workflow, p.branch, {
          [DispatchInputs.Configuration]: p.configuration,
          [DispatchInputs.Sha]: p.sha,
          [DispatchInputs.Base]: p.baseKey ?? '',
          [DispatchInputs.PrebuildId]: String(p.id),
        });
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
      const workflowRunUrl = run?.htmlUrl || null;
      // The run exists now: a failing check run must not fail the prebuild (the end report creates one).
      const checkRunId = await createCheckRun(octokit, repo, p.sha, {
        name,
        status: 'in_progress',
        externalId: String(p.id),
        detailsUrl: workflowRunUrl,
        startedAt: new Date().toISOString(),
        output: inProgressOutput({ ...p, workflowRunUrl }),
      }).catch(() => null);
      return { checkRunId, workflowRunId: run?.runId ?? null, workflowRunUrl };
    },

    async end(p: PrebuildRecord): Promise<number> {
      return reportEnd(await octokitFor(p.installationId), p);
    },

    isTransient,
  };
}
