/**
 * Runs lifecycle commands as real processes, with the semantics of
 * @devcontainers/cli (REFERENCE.md "Dev Container lifecycle"): a string runs
 * through `/bin/sh -c` (`bash -c` for Gitpod tasks), an array is exec'd without a shell, an object's named
 * commands run concurrently — the hook waits for all of them, then fails with the
 * first failure in declaration order. Output is streamed into one log group per
 * hook; a parallel command's output is buffered and written as its own group when
 * it ends, so concurrent output never interleaves.
 *
 * Node-only, no @actions/*: the action passes a log writing workflow commands, the
 * CLI one writing to stderr. Shared by prebuild, restore and validate.
 */
import { spawn } from 'node:child_process';
import type { LifecycleCommand, ResolvedConfiguration, SingleCommand } from '../config/model.js';
import { substituteDeep, type SubstitutionVariables } from '../config/substitute.js';
import { packageCaches, type PackageCaches } from './caches.js';
import { describeCommand } from './plan.js';
import {
  GROUPS_SUPPORTED,
  type LeftoverGroup,
  LeftoverTracker,
  describeLeftover,
  groupAlive,
  groupEnded,
  groupMembers,
  groupStarted,
  signalGroup,
} from './process-groups.js';

export { LeftoverTracker, describeLeftover, type LeftoverGroup } from './process-groups.js';

/**
 * How long output is still read after a command exited, ms: what its background
 * children write meanwhile is kept; after that the pipes are closed and the children
 * reported (item 6 of issue 12: a hook is done when its process exits).
 */
export const OUTPUT_DRAIN_MS = 500;

/** Where the runner writes: @actions/core in the action, a recorder in tests. */
export interface HookLog {
  /** Opens a collapsible log group (`::group::`). Groups do not nest. */
  startGroup(title: string): void;
  endGroup(): void;
  /** One line of the runner's own text. */
  info(line: string): void;
  /** Raw process output, written as it comes (may end mid-line). */
  output(chunk: Buffer | string): void;
}

/** A {@link HookLog} that can also warn (the action: `::warning::`; the CLI: a stderr line). */
export interface LifecycleLog extends HookLog {
  warning(message: string): void;
}

/**
 * A plain-text {@link LifecycleLog} for terminals (the CLI, the benchmark): groups
 * become `▶ title` lines, warnings `warning: …` lines; process output is written as it comes.
 * @param write receives every piece of text (e.g. `(t) => process.stderr.write(t)`)
 */
export function textLog(write: (text: string | Buffer) => void): LifecycleLog {
  let atLineStart = true;
  const line = (text: string): void => {
    write(`${atLineStart ? '' : '\n'}${text}\n`);
    atLineStart = true;
  };
  return {
    startGroup: (title) => line(`▶ ${title}`),
    endGroup: () => {
      if (!atLineStart) write('\n');
      atLineStart = true;
    },
    info: (text) => line(text),
    warning: (message) => line(`warning: ${message}`),
    output: (chunk) => {
      if (chunk.length === 0) return;
      write(chunk);
      const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
      atLineStart = last === 10;
    },
  };
}

/**
 * The environment of the hooks in host mode: the runner's environment, then the
 * configuration's `containerEnv`, then `remoteEnv`, with variables substituted
 * (the container is the runner: containerWorkspaceFolder = localWorkspaceFolder),
 * then the package-manager cache variables none of them set (caches.ts: the caches
 * the snapshot keeps).
 * @returns the full environment of the hook processes, the variables to substitute
 *   in commands, and the package-manager caches kept
 */
export function hookEnvironment(
  config: ResolvedConfiguration,
  workspace: string,
  env: NodeJS.ProcessEnv,
): { env: NodeJS.ProcessEnv; vars: SubstitutionVariables; caches: PackageCaches } {
  const base = { localWorkspaceFolder: workspace, containerWorkspaceFolder: workspace, localEnv: env };
  const containerEnv = substituteDeep(config.environment.containerEnv, { ...base, containerEnv: env });
  const withContainer = { ...env, ...containerEnv };
  const remoteEnv = substituteDeep(config.environment.remoteEnv, { ...base, containerEnv: withContainer });
  const full = { ...withContainer, ...remoteEnv };
  const caches = packageCaches(config.settings.caches ?? true, workspace, full);
  return { env: { ...full, ...caches.env }, vars: { ...base, containerEnv: full }, caches };
}

/** How a command ended: exit code, or the signal that killed it, or a start failure. */
export interface CommandExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (e.g. `ENOENT` for an unknown executable). */
  spawnError?: Error;
  /** From start to the command's own exit, ms (not counting what its background children do). */
  durationMs: number;
  /** Processes the command left running in its process group (absent when none). */
  leftover?: { pgid: number; processes: LeftoverGroup['processes'] };
}

/** Process context of every command of a hook. */
export interface RunContext {
  /** Working directory (the workspace). */
  cwd: string;
  /** Full environment of the processes (a command's own `env` is added on top). */
  env: NodeJS.ProcessEnv;
  log: HookLog;
  /**
   * Receives the process groups commands leave running, for the caller to stop them
   * when it is done (a prebuild: {@link LeftoverTracker.killAll} after its hooks).
   * Without it they are only reported in the log.
   */
  leftovers?: LeftoverTracker;
  /**
   * Turns each command into the process actually spawned (container mode: the command
   * run through `devcontainer exec` in the dev container); logs and errors show the
   * command as written. Default: spawned as is.
   */
  wrap?: (command: SingleCommand) => SingleCommand;
}

/** A finished hook: when it started (ISO 8601), how long it took (ms), and each named command's duration (ms). */
export interface HookRun {
  hook: string;
  startedAt: string;
  durationMs: number;
  commands: Record<string, number>;
}

/**
 * A lifecycle command that failed. `message` follows @devcontainers/cli:
 * `onCreateCommand "install" (npm ci) failed with exit code 1`.
 */
export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly hook: string,
    readonly commandName: string | undefined,
    readonly exit: CommandExit,
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}

/**
 * Spawns one command, as the leader of its own process group, and resolves when it
 * exits (never rejects). The command is done when its own process exits, not when
 * every process that inherited its stdout/stderr has closed them: output is still
 * read for `drainMs` after the exit (default {@link OUTPUT_DRAIN_MS}), then the pipes
 * are closed and the processes left in its group are returned in `leftover`.
 * `signal`: when aborted, the command's process group gets SIGTERM (it then exits as any
 * command does, by that signal).
 * @param onOutput receives stdout and stderr chunks as they come
 * @param input written to stdin (default: no stdin)
 */
export function runCommand(
  command: SingleCommand,
  ctx: { cwd: string; env: NodeJS.ProcessEnv; drainMs?: number; signal?: AbortSignal },
  onOutput: (chunk: Buffer, stream: 'stdout' | 'stderr') => void,
  input?: string,
): Promise<CommandExit> {
  const started = performance.now();
  const [file, args] =
    command.kind === 'shell' ? [command.shell === 'bash' ? 'bash' : '/bin/sh', ['-c', command.command]] : [command.argv[0] ?? '', command.argv.slice(1)];
  const env = { ...ctx.env, ...(command.env ?? {}) };
  return new Promise((resolve) => {
    let settled = false;
    let exitedAt: number | null = null;
    let drainTimer: NodeJS.Timeout | undefined;
    const done = (exit: Omit<CommandExit, 'durationMs'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      resolve({ ...exit, durationMs: Math.round((exitedAt ?? performance.now()) - started) });
    };
    let child;
    try {
      child = spawn(file, args, {
        cwd: ctx.cwd,
        env,
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        shell: false,
        detached: GROUPS_SUPPORTED,
      });
    } catch (err) {
      done({ exitCode: null, signal: null, spawnError: err as Error });
      return;
    }
    const pgid = child.pid;
    if (pgid !== undefined) groupStarted(pgid);
    if (ctx.signal) {
      const stop = (): void => {
        if (GROUPS_SUPPORTED && pgid !== undefined) signalGroup(pgid, 'SIGTERM');
        else child.kill('SIGTERM');
      };
      if (ctx.signal.aborted) stop();
      else {
        ctx.signal.addEventListener('abort', stop, { once: true });
        child.on('exit', () => ctx.signal?.removeEventListener('abort', stop));
      }
    }
    if (input !== undefined) child.stdin?.end(input);
    child.stdout?.on('data', (chunk: Buffer) => onOutput(chunk, 'stdout'));
    child.stderr?.on('data', (chunk: Buffer) => onOutput(chunk, 'stderr'));
    child.on('error', (err) => {
      if (pgid !== undefined) groupEnded(pgid);
      done({ exitCode: null, signal: null, spawnError: err });
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      const left = pgid !== undefined && groupAlive(pgid) ? { pgid, processes: groupMembers(pgid) } : undefined;
      // Stop reading what the leftovers hold open, so nothing waits for them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      done(left ? { exitCode: code, signal, leftover: left } : { exitCode: code, signal });
    };
    child.on('exit', (code, signal) => {
      exitedAt = performance.now();
      if (pgid !== undefined) groupEnded(pgid);
      drainTimer = setTimeout(() => finish(code, signal), ctx.drainMs ?? OUTPUT_DRAIN_MS);
    });
    // Every holder of the pipes is gone: nothing more to drain.
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Reports (and records in `ctx.leftovers`) what a command left running. */
function noteLeftover(ctx: RunContext, origin: string, exit: CommandExit): void {
  if (!exit.leftover) return;
  const group: LeftoverGroup = { pgid: exit.leftover.pgid, origin, processes: exit.leftover.processes };
  const stop = ctx.leftovers ? 'it is stopped at the end of the prebuild' : 'it keeps running';
  const message = `${describeLeftover(group)}; its output after the command exited is not shown and ${stop}`;
  const log = ctx.log as HookLog & Partial<Pick<LifecycleLog, 'warning'>>;
  if (log.warning) log.warning(message);
  else log.info(`warning: ${message}`);
  ctx.leftovers?.add(group);
}

/** The error text for a failed command, or `null` when it succeeded. */
export function failureMessage(hook: string, name: string | undefined, command: SingleCommand, exit: CommandExit): string | null {
  const what = `${hook}${name !== undefined ? ` "${name}"` : ''} (${describeCommand(command)})`;
  if (exit.spawnError) return `${what} failed to start: ${exit.spawnError.message}`;
  if (exit.exitCode === 130 || exit.signal === 'SIGINT') return `${what} was interrupted`;
  if (exit.signal) return `${what} was killed by signal ${exit.signal}`;
  if (exit.exitCode !== 0) return `${what} failed with exit code ${exit.exitCode}`;
  return null;
}

/**
 * Runs one hook's command (any of the three forms) to completion.
 * @returns timings of the hook (ms)
 * @throws LifecycleError naming the hook, the command and its exit code when a command fails
 */
export async function runHook(hook: string, command: LifecycleCommand, ctx: RunContext): Promise<HookRun> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const commands: Record<string, number> = {};
  if (command.kind !== 'parallel') {
    ctx.log.startGroup(`${hook}: ${describeCommand(command)}`);
    let exit: CommandExit;
    try {
      exit = await runCommand(ctx.wrap ? ctx.wrap(command) : command, ctx, (chunk) => ctx.log.output(chunk));
    } finally {
      ctx.log.endGroup();
    }
    noteLeftover(ctx, hook, exit);
    const message = failureMessage(hook, undefined, command, exit);
    if (message) throw new LifecycleError(message, hook, undefined, exit);
    commands[hook] = exit.durationMs;
  } else {
    const entries = Object.entries(command.commands);
    ctx.log.info(`${hook}: running ${entries.length} commands in parallel: ${entries.map(([n]) => n).join(', ')}`);
    const exits = await Promise.all(
      entries.map(async ([name, single]) => {
        const buffered: Buffer[] = [];
        const exit = await runCommand(ctx.wrap ? ctx.wrap(single) : single, ctx, (chunk) => buffered.push(chunk));
        const outcome = exit.exitCode === 0 ? 'done' : 'FAILED';
        ctx.log.startGroup(`${hook} "${name}": ${describeCommand(single)} (${outcome}, ${exit.durationMs} ms)`);
        for (const chunk of buffered) ctx.log.output(chunk);
        ctx.log.endGroup();
        noteLeftover(ctx, `${hook} "${name}"`, exit);
        return exit;
      }),
    );
    // defineProperty: a command may be named `__proto__` like any other.
    entries.forEach(([name], i) =>
      Object.defineProperty(commands, name, { value: exits[i]!.durationMs, enumerable: true, writable: true, configurable: true }),
    );
    for (let i = 0; i < entries.length; i++) {
      const [name, single] = entries[i]!;
      const message = failureMessage(hook, name, single, exits[i]!);
      if (message) throw new LifecycleError(message, hook, name, exits[i]!);
    }
  }
  return { hook, startedAt, durationMs: Math.round(performance.now() - started), commands };
}
