/**
 * Reads the prebuild configuration from a checkout with the same code the app
 * uses (src/config), and picks the one to prebuild, restore or validate. Node-only:
 * shared by the action and the CLI.
 */
import { readFile } from 'node:fs/promises';
import { formatProblem, localFileSource, resolveConfigurations } from '../config/index.js';
import type { ConfigProblem, ResolvedConfiguration, ResolveResult } from '../config/model.js';
import { git } from './git.js';

/** A configuration that cannot be used; `message` quotes each problem as `file:line:column: message`. */
export class ConfigurationError extends Error {
  constructor(
    message: string,
    readonly problems: ConfigProblem[],
  ) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/** The problems that concern `config`: its environment file, and the prebuild settings file. */
function problemsOf(result: ResolveResult, config: ResolvedConfiguration | undefined): ConfigProblem[] {
  if (!config) return result.problems;
  return result.problems.filter((p) => p.file === config.settings.environmentFile || p.file === result.source);
}

/** What {@link pickConfiguration} returns. */
export interface PickedConfiguration {
  configuration: ResolvedConfiguration;
  /** Problems of other configurations (to warn about). */
  otherProblems: ConfigProblem[];
  /** Warnings about this configuration's files (a task calling `gp`, an ignored key …), to show as warnings. */
  warnings: ConfigProblem[];
}

/**
 * Picks the configuration named `name` (empty: the first one) from a resolve result.
 * @returns the configuration, problems of other configurations and warnings about its own files
 * @throws ConfigurationError when it does not exist, or its files have problems
 */
export function pickConfiguration(result: ResolveResult, name: string): PickedConfiguration {
  const config = name ? result.configurations.find((c) => c.settings.name === name) : result.configurations[0];
  const problems = problemsOf(result, config);
  if (problems.length > 0) {
    const lines = problems.map((p) => formatProblem(p));
    throw new ConfigurationError(`Invalid prebuild configuration:\n${lines.join('\n')}`, problems);
  }
  if (!config) {
    const names = result.configurations.map((c) => `"${c.settings.name}"`);
    throw new ConfigurationError(
      name
        ? `No prebuild configuration named "${name}" in ${result.source}${names.length ? ` (there are: ${names.join(', ')})` : ''}`
        : `No prebuild configuration: no ${result.source === 'default' ? '.devcontainer/devcontainer.json' : 'entry in .github/prebuilds.yml'} in the workspace`,
      [],
    );
  }
  const files = new Set([config.settings.environmentFile, result.source]);
  return {
    configuration: config,
    otherProblems: result.problems.filter((p) => !problems.includes(p)),
    warnings: (result.warnings ?? []).filter((w) => files.has(w.file)),
  };
}

/**
 * The repository's default branch: from the event payload (`repository.default_branch`),
 * else the checkout's `origin/HEAD`, else `main`. Only used for defaults of the settings.
 */
export async function defaultBranch(workspace: string, eventPath: string | undefined): Promise<string> {
  if (eventPath) {
    try {
      const event = JSON.parse(await readFile(eventPath, 'utf8')) as { repository?: { default_branch?: unknown } };
      if (typeof event.repository?.default_branch === 'string') return event.repository.default_branch;
    } catch {
      // no or unreadable payload: fall through
    }
  }
  const ref = (await git(workspace, ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']))?.trim();
  return ref ? ref.replace(/^origin\//, '') : 'main';
}

/**
 * Resolves the workspace's configurations and picks one (see {@link pickConfiguration}).
 * @throws ConfigurationError
 */
export async function loadConfiguration(workspace: string, name: string, branch: string): Promise<PickedConfiguration> {
  const result = await resolveConfigurations(localFileSource(workspace), { defaultBranch: branch });
  return pickConfiguration(result, name);
}
