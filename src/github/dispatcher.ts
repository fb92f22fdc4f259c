import { selectBase, type History } from '../scheduler/base.js';
import type { Dispatcher } from '../scheduler/scheduler.js';
import type { PrebuildPatch, PrebuildRecord, Store } from '../store/types.js';
import { dispatchWorkflow, listWorkflowRuns, prebuildIdFromRunName, type DispatchedRun } from './actions.js';
import { checkRunName, inProgressOutput, neutralOutput } from './check-text.js';
import { createCheckRun } from './checks.js';
import { ancestorDistance, listAncestors } from './commits.js';
import type { Octokit } from './octokit.js';
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

/** Gives an installation-authenticated Octokit (Probot's `app.auth(installationId)`). */
export type OctokitFactory = (installationId: number) => Promise<Octokit>;

/** Commit history through the REST API (one cached listing per sha; see src/github/commits.ts). */
export function githubHistory(octokit: Octokit, repo: { owner: string; repo: string }): History {
  return {
    ancestors: (sha, count) => listAncestors(octokit, repo, sha, count),
    distance: (base, head) => ancestorDistance(octokit, repo, base, head),
  };
}

/**
 * The GitHub side of the scheduler: base selection, check runs and `workflow_dispatch`.
 * `start` chooses the base (SPEC.md rule 5), dispatches the configuration's workflow at
 * the branch with the inputs `configuration`, `sha`, `base`, `prebuild-id`, then creates
 * the "🔄 Prebuild in progress" check run on the prebuilt sha linking the run (two calls
 * in all). A refused dispatch gets a failed check run quoting GitHub's message, then throws.
 */
export function githubDispatcher(octokitFor: OctokitFactory, store: Store): Dispatcher {
  return {
    async start(waiting: PrebuildRecord): Promise<PrebuildPatch> {
      const octokit = await octokitFor(waiting.installationId);
      const repo = { owner: waiting.owner, repo: waiting.repo };
      const base = await selectBase(store, githubHistory(octokit, repo), waiting);
      const p: PrebuildRecord = { ...waiting, ...base };
      const name = checkRunName(p.configuration);
      let run = waiting.dispatchedAt ? await findDispatchedRun(octokit, repo, p) : null;
      try {
        run ??= await dispatchWorkflow(octokit, repo, p.workflow, p.branch, {
          configuration: p.configuration,
          sha: p.sha,
          base: p.baseKey ?? '',
          'prebuild-id': String(p.id),
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
      return { ...base, checkRunId, workflowRunId: run?.runId ?? null, workflowRunUrl };
    },

    async end(p: PrebuildRecord): Promise<number> {
      return reportEnd(await octokitFor(p.installationId), p);
    },

    isTransient,
  };
}
