/**
 * The action's step: read inputs and configuration, then either run the prebuild
 * (host mode, or container mode through @devcontainers/cli), set outputs, emit the
 * result annotation the app reads, write the job summary — or, with `mode: restore`,
 * restore the best prebuild and finish the lifecycle (restore-mode.ts). Any error fails the step with
 * its message (`core.setFailed`), which the app shows on the check run.
 */
import * as core from '@actions/core';
import { formatProblem } from '../../src/config/index.js';
import { encodeResult, RESULT_ANNOTATION_TITLE, type PrebuildResult } from '../../src/lifecycle/result.js';
import { loadConfiguration, defaultBranch } from '../../src/lifecycle/configuration.js';
import { Env, Modes, Outputs } from './constants.js';
import { chooseMode } from './container.js';
import { runContainerPrebuild } from './container-run.js';
import { headSha } from '../../src/lifecycle/git.js';
import { readInputs } from './inputs.js';
import { coreLog } from './log.js';
import { prebuild } from './prebuild.js';
import { runRestoreMode } from './restore-mode.js';
import { applySecrets } from './secrets.js';
import { createStore, parseStoreSpec } from './snapshot/index.js';
import { writeSummary } from './summary.js';

/** Sets the outputs and the result annotation of a successful prebuild. */
function report(result: PrebuildResult): void {
  core.setOutput(Outputs.SnapshotKey, result.snapshotKey);
  core.setOutput(Outputs.SnapshotSize, String(result.snapshotBytes));
  core.setOutput(Outputs.DurationMs, String(result.durationMs));
  core.setOutput(Outputs.Base, result.base ?? '');
  core.notice(encodeResult(result), { title: RESULT_ANNOTATION_TITLE });
}

/** The action's entry point. Never throws: failures end in `core.setFailed`. */
export async function run(): Promise<void> {
  const started = performance.now();
  try {
    const env = process.env;
    const inputs = await readInputs((name) => core.getInput(name), env);
    const mode = chooseMode(inputs.containerMode);
    const store = createStore(parseStoreSpec(inputs.store, env), process.cwd(), env, inputs.token);
    const head = await headSha(inputs.workspace);
    if (head && head !== inputs.sha && !head.startsWith(inputs.sha)) {
      core.warning(`The workspace is at ${head}, not at the requested sha ${inputs.sha}: check out the sha before this step`);
    }

    const branch = await defaultBranch(inputs.workspace, env[Env.EventPath]);
    const { configuration, otherProblems, warnings } = await loadConfiguration(inputs.workspace, inputs.configuration, branch);
    for (const p of otherProblems) core.warning(`Another configuration has a problem: ${formatProblem(p)}`);
    // Annotations on the job's check run, at the line of the file they are about.
    for (const w of warnings) core.warning(w.message, { title: 'Prebuild configuration', file: w.file, startLine: w.line, startColumn: w.column });
    const secrets = applySecrets(inputs.secrets, configuration.settings.secrets, env, { mask: core.setSecret, warning: core.warning });
    const what = `"${configuration.settings.name}" (${configuration.environment.file}, identity ${configuration.identity.slice(0, 12)}) at ${inputs.sha}`;
    if (inputs.mode === Modes.Restore) {
      if (mode === 'container') throw new Error('mode: restore runs in host mode only (container-mode: host)');
      core.info(`Restoring a prebuild of ${what}`);
      await runRestoreMode(inputs, configuration, store, branch, secrets.hookEnv, started);
      return;
    }
    core.info(`Prebuilding ${what} in ${mode} mode`);

    const log = coreLog();
    if (mode === 'container') {
      if (inputs.base) core.warning('Container mode does not use the base input: the image is built from its own layer cache');
      const result = await runContainerPrebuild({ workspace: inputs.workspace, configuration, sha: inputs.sha, prebuildId: inputs.prebuildId }, store, log, env);
      report(result);
      return;
    }
    const outcome = await prebuild({
      workspace: inputs.workspace,
      configuration,
      sha: inputs.sha,
      prebuildId: inputs.prebuildId,
      base: inputs.base,
      store,
      log,
      env: secrets.hookEnv,
      secrets: secrets.values,
      startedAt: started,
    });
    report(outcome.result);
    try {
      await writeSummary(outcome.plan, outcome.result, env);
    } catch (err) {
      core.warning(`Could not write the job summary: ${(err as Error).message}`);
    }
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
