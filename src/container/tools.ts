/**
 * The two tools container mode drives: Docker (`docker` on PATH) and
 * @devcontainers/cli (a pinned dependency). Node-only, no @actions/*: shared by the
 * action and the CLI.
 *
 * Where the Dev Containers CLI comes from (first that exists):
 * 1. `PREBUILDS_DEVCONTAINER_CLI`: a path to its `devcontainer.js` (or an executable);
 * 2. the package next to this code: the CLI (`prebuilds up`) and a checkout of this
 *    repository with `npm ci` resolve `@devcontainers/cli` from node_modules;
 * 3. the bundled action has no node_modules: it installs the pinned version once with
 *    `npm install --prefix <RUNNER_TOOL_CACHE or the temp dir>/prebuilds-devcontainers-cli/<version>`
 *    (npm ships with every runner's Node) and reuses it on the next run of that runner.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { runCommand, type HookLog } from '../lifecycle/run-hooks.js';

/** The @devcontainers/cli version container mode is tested with (package.json pins the same). */
export const DEVCONTAINERS_CLI_VERSION = '0.89.0';

/** A command that failed: `message` names it and ends with the last lines of its output. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Options of {@link runTool}. */
export interface ToolRun {
  env: NodeJS.ProcessEnv;
  /** Working directory (default: the process's). */
  cwd?: string;
  /** Where the output goes, in a group titled with the command; absent: kept quiet. */
  log?: HookLog;
  /** Title of the log group (default: the command line). */
  title?: string;
  /** Data written to stdin. */
  input?: string;
  /** Stops the command (SIGTERM to its process group) when aborted; it then fails like any command. */
  signal?: AbortSignal;
}

/**
 * Runs one command to completion, collecting stdout (and streaming stdout+stderr to the log).
 * @returns stdout, stdout+stderr, and the duration (ms)
 * @throws ToolError when it fails to start or exits non-zero
 */
export async function runTool(argv: readonly string[], opts: ToolRun): Promise<{ stdout: string; output: string; durationMs: number }> {
  let stdout = '';
  let output = '';
  const title = opts.title ?? argv.join(' ');
  opts.log?.startGroup(title);
  const exit = await runCommand(
    { kind: 'exec', argv: [...argv] },
    { cwd: opts.cwd ?? process.cwd(), env: opts.env, signal: opts.signal },
    (chunk, stream) => {
      const text = chunk.toString('utf8');
      if (stream !== 'stderr') stdout += text;
      output += text;
      opts.log?.output(chunk);
    },
    opts.input,
  );
  opts.log?.endGroup();
  if (exit.spawnError) throw new ToolError(`${argv[0]} failed to start: ${exit.spawnError.message}`, null, output);
  if (exit.exitCode !== 0) {
    const tail = output.trim().split('\n').slice(-5).join('\n');
    throw new ToolError(`${title} failed with exit code ${exit.exitCode ?? exit.signal}${tail ? `:\n${tail}` : ''}`, exit.exitCode, output);
  }
  return { stdout, output, durationMs: exit.durationMs };
}

/** Runs `docker ARGS` (see {@link runTool}). */
export function docker(args: readonly string[], opts: ToolRun): Promise<{ stdout: string; output: string; durationMs: number }> {
  return runTool(['docker', ...args], opts);
}

/**
 * Why Docker cannot be used, or `null` when the engine answers (`docker info`).
 */
export async function dockerUnavailable(env: NodeJS.ProcessEnv): Promise<string | null> {
  try {
    await runTool(['docker', 'info', '--format', '{{.ServerVersion}}'], { env });
    return null;
  } catch (err) {
    const e = err as ToolError;
    if (e.exitCode === null) return 'the docker client is not installed';
    return `the Docker engine does not answer (${e.output.trim().split('\n').pop() ?? e.message})`;
  }
}

/** The argv prefix that runs the Dev Containers CLI (`node …/devcontainer.js`). */
export type DevcontainerCli = readonly string[];

function cliFromPath(file: string): DevcontainerCli {
  return file.endsWith('.js') ? [process.execPath, file] : [file];
}

/** The CLI next to this code (node_modules), or `null`. */
function packagedCli(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('@devcontainers/cli/package.json');
    const file = path.join(path.dirname(pkg), 'devcontainer.js');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

function versionOf(cliJs: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(path.dirname(cliJs), 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/**
 * Finds (or installs) the Dev Containers CLI, see the module comment.
 * @param log where the install (if any) is logged
 * @throws ToolError when it must be installed and npm fails
 */
export async function resolveDevcontainerCli(env: NodeJS.ProcessEnv, log?: HookLog): Promise<DevcontainerCli> {
  const explicit = env.PREBUILDS_DEVCONTAINER_CLI;
  if (explicit) return cliFromPath(explicit);
  const packaged = packagedCli();
  if (packaged && versionOf(packaged) === DEVCONTAINERS_CLI_VERSION) return cliFromPath(packaged);
  const prefix = path.join(env.RUNNER_TOOL_CACHE || env.RUNNER_TEMP || os.tmpdir(), 'prebuilds-devcontainers-cli', DEVCONTAINERS_CLI_VERSION);
  const installed = path.join(prefix, 'node_modules', '@devcontainers', 'cli', 'devcontainer.js');
  if (!existsSync(installed)) {
    await runTool(
      ['npm', 'install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `@devcontainers/cli@${DEVCONTAINERS_CLI_VERSION}`],
      {
        env,
        log,
        title: `Installing @devcontainers/cli@${DEVCONTAINERS_CLI_VERSION} into ${prefix}`,
      },
    );
  }
  return cliFromPath(installed);
}
