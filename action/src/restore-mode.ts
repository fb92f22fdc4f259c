/**
 * `mode: restore` (and `action/restore/action.yml`): finds the best prebuild for
 * the checked-out commit, restores it and runs the rest of the lifecycle with the
 * shared src/lifecycle/restore.ts; this module only wires the store and catalog,
 * sets the outputs and writes the job summary. The REST API catalog of the Actions
 * cache and container mode's restore are imported when used: chunks of the bundle that
 * other runs never load (issue 15, start-up).
 */
import * as core from '@actions/core';
import type { ResolvedConfiguration } from '../../src/config/model.js';
import { restoreWorkspace, type RestoreOutcome } from '../../src/lifecycle/restore.js';
import type { SnapshotCatalog, SnapshotStore } from '../../src/lifecycle/snapshot/store.js';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { OciStore } from '../../src/lifecycle/snapshot/oci-store.js';
import { Env, Inputs, Outputs } from './constants.js';
import type { ActionInputs } from './inputs.js';
import { coreLog } from './log.js';
import type { PhaseTimer } from '../../src/lifecycle/timings.js';
import { writeContainerRestoreSummary, writeRestoreSummary } from './restore-summary.js';
import type { UpOutcome } from '../../src/container/up.js';
import { reportRestore, type RestoreFacts } from './report-restore.js';
import type { DevcontainerCli } from '../../src/container/tools.js';

/**
 * The catalog listing `store`'s snapshots: the dir store lists its manifests, the
 * registry store its tags and their annotations; the Actions cache is listed through the REST API for the refs this run can restore.
 * @throws Error when the Actions cache cannot be listed (no repository or token)
 */
export async function catalogFor(
  store: SnapshotStore,
  inputs: Pick<ActionInputs, 'token'>,
  env: NodeJS.ProcessEnv,
  defaultBranch: string | null,
): Promise<SnapshotCatalog> {
  if (store instanceof DirStore || store instanceof OciStore) return store;
  const { ActionsCacheCatalog, visibleRefs } = await import('./snapshot/cache-catalog.js');
  return new ActionsCacheCatalog({
    repository: env[Env.Repository] ?? '',
    refs: visibleRefs(env, defaultBranch),
    token: inputs.token,
    baseUrl: env[Env.ApiUrl],
  });
}

/** Sets the restore outputs (`prebuild-hit`, `prebuild-sha`, `restore-ms`, `snapshot-key`, `duration-ms`, `timings`). */
export function setRestoreOutputs(outcome: RestoreOutcome): void {
  core.setOutput(Outputs.PrebuildHit, outcome.hit);
  core.setOutput(Outputs.PrebuildSha, outcome.prebuildSha ?? '');
  core.setOutput(Outputs.RestoreMs, String(outcome.restoreMs));
  core.setOutput(Outputs.SnapshotKey, outcome.snapshotKey ?? '');
  core.setOutput(Outputs.DurationMs, String(outcome.durationMs));
  core.setOutput(Outputs.Timings, JSON.stringify(outcome.timings));
}

/**
 * Runs restore mode. A failing hook or restore throws (the caller fails the step).
 * @param branch the repository's default branch (cache scope)
 */
export async function runRestoreMode(
  inputs: ActionInputs,
  configuration: ResolvedConfiguration,
  store: SnapshotStore,
  branch: string,
  env: NodeJS.ProcessEnv,
  startedAt: number,
  timer?: PhaseTimer,
): Promise<RestoreOutcome> {
  if (inputs.base) core.warning(`The "${Inputs.Base}" input is not used in restore mode: the best prebuild is found among the ancestors`);
  const catalog = await catalogFor(store, inputs, env, branch);
  const outcome = await restoreWorkspace({
    workspace: inputs.workspace,
    configuration,
    sha: inputs.sha,
    store,
    catalog,
    log: coreLog(),
    env,
    startedAt,
    timer,
  });
  setRestoreOutputs(outcome);
  const prebuildHooksMs = (outcome.hooks.onCreateCommand ?? 0) + (outcome.hooks.updateContentCommand ?? 0);
  await report(inputs, configuration, { hit: outcome.hit, prebuildSha: outcome.prebuildSha, restoreMs: outcome.restoreMs, prebuildHooksMs }, env);
  try {
    await writeRestoreSummary(configuration.settings.name, inputs.sha, outcome, env);
  } catch (err) {
    core.warning(`Could not write the job summary: ${(err as Error).message}`);
  }
  return outcome;
}

/**
 * `mode: restore` in container mode: a running dev container from the best
 * container prebuild (src/container/up.ts). Sets `prebuild-hit`, `prebuild-sha`,
 * `restore-ms`, `snapshot-key`, `duration-ms`, `image` and `container-id`; the
 * summary says what ran and the time against the cold path.
 * @throws LifecycleError when a hook fails; Error when restoring or the CLI fails
 */
export async function runContainerRestoreMode(
  inputs: ActionInputs,
  configuration: ResolvedConfiguration,
  store: SnapshotStore,
  branch: string,
  env: NodeJS.ProcessEnv,
  startedAt: number,
  cli: DevcontainerCli,
): Promise<UpOutcome> {
  if (inputs.base) core.warning(`The "${Inputs.Base}" input is not used in restore mode: the best prebuild is found among the ancestors`);
  const { upFromPrebuild } = await import('../../src/container/up.js');
  const outcome = await upFromPrebuild({
    workspace: inputs.workspace,
    configuration,
    sha: inputs.sha,
    store,
    catalog: await catalogFor(store, inputs, env, branch),
    log: coreLog(),
    env,
    cli,
    registry: inputs.registry,
    startedAt,
  });
  core.setOutput(Outputs.PrebuildHit, outcome.hit);
  core.setOutput(Outputs.PrebuildSha, outcome.prebuildSha ?? '');
  core.setOutput(Outputs.RestoreMs, String(outcome.restoreMs));
  core.setOutput(Outputs.SnapshotKey, outcome.snapshotKey ?? '');
  core.setOutput(Outputs.DurationMs, String(outcome.durationMs));
  core.setOutput(Outputs.Image, outcome.image ?? '');
  core.setOutput(Outputs.ContainerId, outcome.containerId);
  const prebuildHooksMs = outcome.hooks.reduce(
    (sum, h) => sum + (h.action === 'run' && (h.hook === 'onCreateCommand' || h.hook === 'updateContentCommand') ? h.durationMs : 0),
    0,
  );
  await report(inputs, configuration, { hit: outcome.hit, prebuildSha: outcome.prebuildSha, restoreMs: outcome.restoreMs, prebuildHooksMs }, env);
  try {
    await writeContainerRestoreSummary(configuration.settings.name, inputs.sha, outcome, env);
  } catch (err) {
    core.warning(`Could not write the job summary: ${(err as Error).message}`);
  }
  return outcome;
}

/** Reports the restore to the app ({@link reportRestore}) and sets the `restore-reported` output. */
async function report(inputs: ActionInputs, configuration: ResolvedConfiguration, facts: RestoreFacts, env: NodeJS.ProcessEnv): Promise<void> {
  const reported = await reportRestore(inputs.appUrl, inputs.audience, configuration.settings.name, inputs.sha, facts, env, {
    getIDToken: (audience) => core.getIDToken(audience),
    fetch,
    info: core.info,
    warning: core.warning,
  });
  core.setOutput(Outputs.RestoreReported, String(reported));
}
