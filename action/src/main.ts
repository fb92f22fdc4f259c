/**
 * The action's step: read inputs and configuration, choose host or container mode
 * (`container-mode`), then either run the prebuild (host mode: prebuild.ts;
 * container mode through @devcontainers/cli: container-run.ts), set outputs, emit
 * the result annotation the app reads, write the job summary — or, with
 * `mode: restore`, restore the best prebuild and finish the lifecycle
 * (restore-mode.ts; container mode: a running dev container from the prebuilt image).
 * A successful prebuild also reports its result to the app (`app-url`, report-result.ts).
 * Any error fails the step with its message (`core.setFailed`), which the app shows
 * on the check run.
 *
 * What only some runs need is imported where it is used (container mode, the Actions
 * cache's REST API retention, the store in snapshot/index.ts): the bundler makes each a
 * chunk of its own that other runs never load (issue 15, start-up).
 */
import * as core from '@actions/core';
import { formatProblem } from '../../src/config/index.js';
import { PhaseTimer } from '../../src/lifecycle/timings.js';
import { encodeResult, RESULT_ANNOTATION_TITLE, type PrebuildResult } from '../../src/lifecycle/result.js';
import { loadConfiguration, defaultBranch } from '../../src/lifecycle/configuration.js';
import { resolveDevcontainerCli } from '../../src/container/tools.js';
import { Env, Modes, Outputs } from './constants.js';
import { selectMode } from './container.js';
import { headSha } from '../../src/lifecycle/git.js';
import { readInputs } from './inputs.js';
import { reportResult } from './report-result.js';
import { coreLog } from './log.js';
import { prebuild } from './prebuild.js';
import { runContainerRestoreMode, runRestoreMode } from './restore-mode.js';
import { applySecrets } from './secrets.js';
import { createStore, parseStoreSpec } from './snapshot/index.js';
import { isCachesPartKey } from '../../src/lifecycle/caches-part.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { writeSummary } from './summary.js';

/** Sets the outputs (the whole result among them) and the result annotation of a successful prebuild. */
function report(result: PrebuildResult): void {
  core.setOutput(Outputs.SnapshotKey, result.snapshotKey);
  core.setOutput(Outputs.SnapshotSize, String(result.snapshotBytes));
  core.setOutput(Outputs.DurationMs, String(result.durationMs));
  core.setOutput(Outputs.Base, result.base ?? '');
  core.setOutput(Outputs.ExecutionMode, result.mode ?? 'host');
  core.setOutput(Outputs.Image, result.image ?? '');
  core.setOutput(Outputs.Timings, JSON.stringify(result.timings ?? {}));
  // The app reads the result from the name of the workflow's result step (one request), or
  // from this annotation when the workflow has no such step.
  core.setOutput(Outputs.Result, encodeResult(result));
  core.notice(encodeResult(result), { title: RESULT_ANNOTATION_TITLE });
}

/** The action's entry point. Never throws: failures end in `core.setFailed`. */
export async function run(): Promise<void> {
  const started = performance.now();
  try {
    const env = process.env;
    const inputs = await readInputs((name) => core.getInput(name), env);
    const spec = parseStoreSpec(inputs.store, env);
    const store = await createStore(spec, process.cwd(), env, inputs.token);
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
    const { mode, reason } = await selectMode(inputs.containerMode, configuration, inputs.registry, env);
    const what = `"${configuration.settings.name}" (${configuration.environment.file}, identity ${configuration.identity.slice(0, 12)}) at ${inputs.sha}`;
    const log = coreLog();
    const timer = new PhaseTimer();
    timer.add('setup', performance.now() - started);
    if (inputs.mode === Modes.Restore) {
      core.info(`Restoring a prebuild of ${what} in ${mode} mode (${reason})`);
      core.setOutput(Outputs.ExecutionMode, mode);
      if (mode === 'container')
        await runContainerRestoreMode(inputs, configuration, store, branch, secrets.hookEnv, started, await resolveDevcontainerCli(env, log));
      else await runRestoreMode(inputs, configuration, store, branch, secrets.hookEnv, started, timer);
      return;
    }
    core.info(`Prebuilding ${what} in ${mode} mode (${reason})`);

    const request = {
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
      timer,
    };
    // Retention (the app's `expire` input) in the Actions cache: the expired snapshots are
    // deleted alongside the prebuild, whatever its outcome; caches parts after it, except the
    // one it reused. Other stores apply retention after the save (snapshot/retention.ts).
    const retention =
      spec.kind === 'actions-cache' && inputs.expire.length > 0
        ? await import('./snapshot/expire.js').then((expire) => ({
            deleteExpiredSnapshots: expire.deleteExpiredSnapshots,
            keys: expire.deletableKeys(inputs.expire, configuration.settings.name, [
              inputs.base,
              snapshotKey(configuration.settings.name, inputs.sha, inputs.prebuildId),
            ]),
          }))
        : null;
    const expireOptions = { repository: env[Env.Repository] ?? '', token: inputs.token, baseUrl: env[Env.ApiUrl] };
    const expiring = retention
      ? retention.deleteExpiredSnapshots(
          retention.keys.filter((k) => !isCachesPartKey(k)),
          expireOptions,
          log,
        )
      : Promise.resolve([]);
    let cachesKey: string | null = null;
    const outcome = await (async () => {
      try {
        const o =
          mode === 'container'
            ? await (
                await import('./container-run.js')
              ).containerPrebuild({
                ...request,
                registry: inputs.registry,
                cli: await resolveDevcontainerCli(env, log),
                maxImageLayers: inputs.maxImageLayers,
              })
            : await prebuild(request);
        cachesKey = o.result.cachesKey ?? null;
        return o;
      } finally {
        await expiring;
        const parts = retention?.keys.filter((k) => isCachesPartKey(k) && k !== cachesKey) ?? [];
        if (retention && parts.length > 0) await retention.deleteExpiredSnapshots(parts, expireOptions, log);
      }
    })();
    report(outcome.result);
    // Best effort, a few seconds at most: saves the app reading the run's jobs.
    await reportResult(inputs.appUrl, inputs.audience, outcome.result, env, {
      getIDToken: (audience) => core.getIDToken(audience),
      fetch,
      info: core.info,
      warning: core.warning,
    });
    try {
      await writeSummary(outcome.plan, outcome.result, env, { mode, reason });
    } catch (err) {
      core.warning(`Could not write the job summary: ${(err as Error).message}`);
    }
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
