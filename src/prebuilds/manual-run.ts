import type { Octokit } from '../github/octokit.js';
import { checkRunName, inProgressOutput } from '../github/check-text.js';
import { createCheckRun } from '../github/checks.js';
import type { WorkflowRunObject } from '../github/payloads.js';
import { parseRunName } from '../lifecycle/contract.js';
import type { PrebuildRecord } from '../store/types.js';
import { readConfigurations } from './configurations.js';
import { decision, decisionLog } from './decisions.js';
import type { PrebuildsDeps as AppDeps } from './deps.js';

/**
 * Records a prebuild workflow run started by hand from the Actions tab (SPEC.md rule
 * 8): a `workflow_dispatch` run of a prebuild workflow whose run name carries no
 * prebuild id. It becomes a `manual` prebuild, running, in its configuration's lane, so
 * pushes queue behind it like behind any other run. The configuration is the one its
 * run name names, or the only one at that commit.
 * @returns the new prebuild, or null when the run is not a manual prebuild
 */
export async function recordManualRun(
  deps: AppDeps,
  octokit: Octokit,
  repo: { owner: string; repo: string },
  run: WorkflowRunObject,
  installationId: number | undefined,
  deliveryId: string | null,
  defaultBranch: string,
): Promise<PrebuildRecord | null> {
  const parsed = parseRunName(run.display_title ?? '');
  if (!parsed || parsed.prebuildId !== null || run.event !== 'workflow_dispatch' || !run.head_sha || !run.head_branch || !installationId) return null;
  const head = run.head_repository?.full_name;
  if (head !== undefined && head.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase()) return null;
  const resolved = await readConfigurations(deps, octokit, repo, run.head_sha, defaultBranch, { deliveryId: deliveryId ?? 'manual', event: 'workflow_run' });
  const wanted = parsed.configuration;
  const matching = resolved.configurations.filter((c) => (wanted ? c.settings.name === wanted : true));
  const config = matching.length === 1 ? matching[0]! : null;
  if (!config || !run.path.endsWith(`/${config.settings.workflow}`)) return null;
  const created = await deps.store.createPrebuild({
    ...repo,
    installationId,
    configuration: config.settings.name,
    identity: config.identity,
    branch: run.head_branch,
    sha: run.head_sha,
    prNumber: null,
    trigger: 'manual',
    workflow: config.settings.workflow,
    timeoutMinutes: config.settings.timeoutMinutes,
    settings: config.settings,
    deliveryId,
    state: 'running',
    baseReason: 'started from the Actions tab: base chosen by its inputs',
  });
  const started = Date.parse(run.run_started_at ?? run.created_at) || Date.now();
  const withRun = await deps.store.updatePrebuild(created.id, {
    workflowRunId: run.id,
    workflowRunUrl: run.html_url,
    dispatchedAt: started,
    startedAt: started,
  });
  const checkRunId = await createCheckRun(octokit, repo, run.head_sha, {
    name: checkRunName(withRun.configuration),
    status: 'in_progress',
    externalId: String(withRun.id),
    detailsUrl: run.html_url,
    startedAt: new Date(started).toISOString(),
    output: inProgressOutput(withRun),
  });
  await decisionLog(deps.store, { deliveryId, ...repo, sha: run.head_sha, event: 'workflow_run' }).record(
    decision.scheduled(withRun, 'started', `manual: workflow run ${run.id} started from the Actions tab`),
  );
  return deps.store.updatePrebuild(withRun.id, { checkRunId });
}
