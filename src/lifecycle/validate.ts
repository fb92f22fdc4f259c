/**
 * Reentrancy check of a configuration's prebuild commands (Gitpod's
 * `gp validate --prebuild`; SPEC.md rule 5: tasks are re-run on the base, so they
 * must be reentrant). Copies a checkout into a temporary directory, runs the
 * prebuild lifecycle there twice (onCreateCommand + updateContentCommand; for a
 * `.gitpod.yml`, each task's `before` + `init`, which the model maps to
 * updateContentCommand), and fails when the second run fails or changes files git
 * tracks. Node-only, no @actions/*.
 *
 * The copy is what a prebuild would see: a git work tree is copied as
 * `git worktree add --detach` at HEAD plus the local changes (modified and
 * untracked, not ignored, files; deletions), so ignored files such as node_modules
 * stay behind; another folder is copied whole (`cp -a`) and committed in a fresh
 * repository so tracked-file changes can be seen.
 */
import { execFile } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ResolvedConfiguration } from '../config/model.js';
import { substituteCommand } from '../config/substitute.js';
import { defaultBranch, loadConfiguration } from './configuration.js';
import { isWorkTreeRoot } from './git.js';
import { planPrebuild, type PlannedHook } from './plan.js';
import { hookEnvironment, LeftoverTracker, LifecycleError, runHook, type LifecycleLog } from './run-hooks.js';

const exec = promisify(execFile);

/** Runs git and returns stdout. @throws Error with git's stderr */
async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await exec('git', ['-c', 'user.name=prebuilds', '-c', 'user.email=prebuilds@localhost', ...args], { cwd, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** One run of the lifecycle: hook durations (ms) and the whole run (ms). */
export interface ValidateRun {
  hooks: Array<{ hook: string; durationMs: number }>;
  durationMs: number;
}

/** What `validate` found. */
export interface ValidateOutcome {
  ok: boolean;
  configuration: string;
  /** The plan (what runs, what is not configured). */
  plan: PlannedHook[];
  /** The runs that completed (0, 1 or 2). */
  runs: ValidateRun[];
  /** The run (1 or 2), hook and message of a failed command. */
  failure: { run: 1 | 2; hook: string; message: string } | null;
  /** Tracked files whose content differs between the end of run 1 and the end of run 2. */
  changed: string[];
  /** The first hook after which the second run's tracked files differ from the first run's, `null` when none. */
  changedBy: string | null;
  /** Tracked files the first run changed relative to the checkout (allowed, reported). */
  changedByFirstRun: string[];
  /** One-line verdict for people. */
  message: string;
}

/** Options of {@link validateCheckout}. */
export interface ValidateRequest {
  /** The checkout to validate (left untouched). */
  source: string;
  /** Configuration name; empty: the first one. */
  configuration?: string;
  log: LifecycleLog;
  env: NodeJS.ProcessEnv;
  /** Default branch for the settings' defaults (default: the checkout's origin HEAD, else `main`). */
  defaultBranch?: string;
  /** Keep the temporary copy (its path is logged). */
  keep?: boolean;
}

/** Copies `source` to a new temporary directory (see the module comment). @returns the copy's path */
async function copyCheckout(source: string, log: LifecycleLog): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'prebuilds-validate-'));
  const dir = path.join(parent, path.basename(path.resolve(source)) || 'workspace');
  if (await isWorkTreeRoot(source)) {
    await git(source, ['worktree', 'add', '-q', '--detach', dir, 'HEAD']);
    const local = (await git(source, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--modified'])).split('\0').filter(Boolean);
    for (const file of new Set(local)) {
      const from = path.join(source, file);
      const st = await lstat(from).catch(() => null);
      if (!st) {
        await rm(path.join(dir, file), { force: true }); // deleted locally
      } else if (!st.isDirectory()) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await cp(from, path.join(dir, file), { verbatimSymlinks: true, preserveTimestamps: true, force: true });
      }
    }
    log.info(`Copied the checkout to ${dir} (git worktree at HEAD plus local changes; ignored files left out)`);
    return {
      dir,
      dispose: async () => {
        await git(source, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
        await rm(parent, { recursive: true, force: true });
      },
    };
  }
  await cp(source, dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  await git(dir, ['init', '-q']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '--allow-empty', '--no-verify', '-m', 'validate baseline']);
  log.info(`Copied ${source} to ${dir} (not a git work tree: committed as a baseline)`);
  return { dir, dispose: () => rm(parent, { recursive: true, force: true }) };
}

/** Worktree content hashes of every tracked file (`git hash-object` of the file as it is now); missing files map to `deleted`. */
async function trackedState(dir: string): Promise<Map<string, string>> {
  const files = (await git(dir, ['ls-files', '-z'])).split('\0').filter(Boolean);
  const state = new Map<string, string>();
  const present: string[] = [];
  for (const f of files) {
    const st = await lstat(path.join(dir, f)).catch(() => null);
    if (!st) state.set(f, 'deleted');
    else if (st.isSymbolicLink() || st.isDirectory()) state.set(f, `${st.isDirectory() ? 'dir' : 'link'}`);
    else present.push(f);
  }
  for (let i = 0; i < present.length; i += 1000) {
    const batch = present.slice(i, i + 1000);
    const hashes = (await git(dir, ['hash-object', '--', ...batch])).trim().split('\n');
    batch.forEach((f, j) => state.set(f, hashes[j] ?? ''));
  }
  return state;
}

function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((f) => a.get(f) !== b.get(f)).sort();
}

/**
 * Runs the planned hooks once, calling `afterHook` after each one.
 * @throws LifecycleError when a command fails
 */
async function runOnce(
  plan: PlannedHook[],
  config: ResolvedConfiguration,
  dir: string,
  req: ValidateRequest,
  afterHook: (hook: string) => Promise<void>,
): Promise<ValidateRun> {
  const started = performance.now();
  // No snapshot is made: the hooks use the user's own package caches, not one in the temporary copy.
  const { env, vars } = hookEnvironment({ ...config, settings: { ...config.settings, caches: false } }, dir, req.env);
  const hooks: ValidateRun['hooks'] = [];
  // Like a prebuild: what the hooks leave running is stopped when they are done.
  const leftovers = new LeftoverTracker();
  try {
    for (const step of plan) {
      if (step.action === 'skip') continue;
      const run = await runHook(step.hook, substituteCommand(step.command, vars), { cwd: dir, env, log: req.log, leftovers });
      hooks.push({ hook: step.hook, durationMs: run.durationMs });
      await afterHook(step.hook);
    }
  } finally {
    for (const g of await leftovers.killAll()) req.log.info(`Stopped process group ${g.pgid} left by ${g.origin}`);
  }
  return { hooks, durationMs: Math.round(performance.now() - started) };
}

/**
 * Validates that a configuration's prebuild commands are reentrant (see the module comment).
 * @returns the outcome; `ok` is false when a run fails or the second run changes tracked files
 * @throws ConfigurationError when the configuration cannot be resolved (quoting `file:line:column`); Error when the copy fails
 */
export async function validateCheckout(req: ValidateRequest): Promise<ValidateOutcome> {
  const { dir, dispose } = await copyCheckout(path.resolve(req.source), req.log);
  try {
    const { configuration: config } = await loadConfiguration(dir, req.configuration ?? '', req.defaultBranch ?? (await defaultBranch(req.source, undefined)));
    const name = config.settings.name;
    const plan = planPrebuild(config.environment.lifecycle, { identity: config.identity, baseMarker: null });
    const outcome: ValidateOutcome = {
      ok: false,
      configuration: name,
      plan,
      runs: [],
      failure: null,
      changed: [],
      changedBy: null,
      changedByFirstRun: [],
      message: '',
    };
    if (plan.every((s) => s.action === 'skip')) {
      return { ...outcome, ok: true, message: `"${name}" has no prebuild commands: nothing to validate` };
    }
    const initial = await trackedState(dir);
    const ran = plan.filter((s) => s.action === 'run').map((s) => s.hook);
    let endOfFirst = initial;
    const secondRun: Array<[string, Map<string, string>]> = []; // tracked state after each hook of run 2
    for (const n of [1, 2] as const) {
      req.log.info(`Run ${n} of 2`);
      const afterHook = async (hook: string): Promise<void> => {
        if (n === 2) secondRun.push([hook, await trackedState(dir)]);
      };
      try {
        outcome.runs.push(await runOnce(plan, config, dir, req, afterHook));
      } catch (err) {
        if (!(err instanceof LifecycleError)) throw err;
        outcome.failure = { run: n, hook: err.hook, message: err.message };
        outcome.message =
          n === 1
            ? `The first run failed: ${err.message}`
            : `Not reentrant: ${err.message} on the second run (prebuild commands run again on top of a previous prebuild; e.g. use mkdir -p, rm -f)`;
        return outcome;
      }
      if (n === 1) endOfFirst = await trackedState(dir);
    }
    outcome.changedByFirstRun = differences(initial, endOfFirst);
    outcome.changed = secondRun.length > 0 ? differences(endOfFirst, secondRun[secondRun.length - 1]![1]) : [];
    if (outcome.changed.length > 0) {
      // the first hook of run 2 after which one of those files no longer matches the end of run 1
      const culprit = secondRun.find(([, state]) => outcome.changed.some((f) => state.get(f) !== endOfFirst.get(f)));
      outcome.changedBy = culprit?.[0] ?? ran[ran.length - 1]!;
      outcome.message = `Not reentrant: ${outcome.changedBy} changed tracked files again on the second run: ${outcome.changed.join(', ')}`;
      return outcome;
    }
    return { ...outcome, ok: true, message: `"${name}": the prebuild commands ran twice; the second run succeeded and left tracked files as the first did` };
  } finally {
    if (req.keep) req.log.info(`Kept the copy at ${dir}`);
    else await dispose();
  }
}
