/**
 * The action's mode choice: `container-mode` (auto | host | container) decided with
 * src/container/model.ts, asking Docker only when the answer matters.
 */
import type { ResolvedConfiguration } from '../../src/config/model.js';
import { chooseExecutionMode, containerUnsupported, type ContainerModeSetting, type ExecutionMode } from '../../src/container/model.js';
import { dockerUnavailable } from '../../src/container/tools.js';

export type { ExecutionMode };

/**
 * Where this run goes: `host`, or `container` (see {@link chooseExecutionMode}).
 * @param probe why Docker cannot be used, `null` when it can (default: `docker info`)
 * @returns the mode and a sentence saying why, for the log and the summary
 * @throws Error when `container` is asked for and cannot run
 */
export async function selectMode(
  setting: ContainerModeSetting,
  configuration: ResolvedConfiguration,
  registry: string,
  env: NodeJS.ProcessEnv,
  probe: (env: NodeJS.ProcessEnv) => Promise<string | null> = dockerUnavailable,
): Promise<{ mode: ExecutionMode; reason: string }> {
  const worthAsking = setting !== 'host' && containerUnsupported(configuration) === null && (registry !== '' || setting === 'container');
  const dockerProblem = worthAsking ? await probe(env) : null;
  return chooseExecutionMode(setting, configuration, { dockerProblem, registry });
}
