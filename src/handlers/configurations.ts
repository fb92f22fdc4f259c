import { formatProblem, resolveConfigurations } from '../config/index.js';
import type { ResolveResult } from '../config/model.js';
import { createCheckRun } from '../github/checks.js';
import { repoFileSource } from '../github/contents.js';
import type { Octokit, RepoParams } from '../github/octokit.js';
import type { AppDeps } from './types.js';

/** Check run name for configuration problems. */
export const CONFIG_CHECK_NAME = 'Prebuild configuration';

/**
 * Reads the configurations at a commit through the contents API (SPEC.md
 * "Configuration": `.github/prebuilds.yml`, else the default). When a file does not
 * parse or validate, the commit gets a failing check run quoting file, line and reason,
 * and the problem is recorded as a decision; configurations that did resolve still run.
 */
export async function loadConfigurations(
  deps: AppDeps,
  octokit: Octokit,
  repo: RepoParams,
  sha: string,
  defaultBranch: string,
  context: { deliveryId: string; event: string },
): Promise<ResolveResult> {
  const result = await resolveConfigurations(repoFileSource(octokit, repo, sha), { defaultBranch });
  if (result.problems.length > 0) {
    const lines = result.problems.map((p) => `- ${formatProblem(p)}`);
    await createCheckRun(octokit, repo, sha, {
      name: CONFIG_CHECK_NAME,
      status: 'completed',
      conclusion: 'failure',
      completedAt: new Date().toISOString(),
      output: {
        title: `❌ ${result.problems.length} configuration problem${result.problems.length === 1 ? '' : 's'}`,
        summary: `The prebuild configuration at \`${sha.slice(0, 7)}\` has problems:\n\n${lines.join('\n')}`.slice(0, 65535),
      },
    });
    for (const p of result.problems) {
      await deps.store.recordDecision({
        deliveryId: context.deliveryId,
        ...repo,
        sha,
        event: context.event,
        configuration: '*',
        decision: 'failed',
        reason: `configuration problem: ${formatProblem(p)}`,
        prebuildId: null,
      });
    }
  }
  return result;
}
