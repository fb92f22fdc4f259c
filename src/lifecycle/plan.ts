/**
 * Lifecycle planning for a prebuild (SPEC.md rule 6), pure: which hooks run, which
 * are skipped and why, how a command is shown in logs and errors, and which paths
 * a snapshot holds. Shared by the action (runs the plan) and the CLI/app (explain).
 */
import type { LifecycleCommand, LifecycleHook, SingleCommand } from '../config/model.js';
import { changedDependencyFiles } from './dependency-files.js';
import { MARKER_DIR, type PrebuildMarker } from './marker.js';

/** The hooks a prebuild runs, in order. postCreate/postStart/postAttach never run in a prebuild. */
export const PREBUILD_HOOKS = ['onCreateCommand', 'updateContentCommand'] as const satisfies readonly LifecycleHook[];

/** One of {@link PREBUILD_HOOKS}. */
export type PrebuildHook = (typeof PREBUILD_HOOKS)[number];

/** A hook of the plan: run it, or skip it with a human-readable reason. */
export type PlannedHook =
  { hook: PrebuildHook; action: 'run'; command: LifecycleCommand; note?: string } | { hook: PrebuildHook; action: 'skip'; reason: string };

/**
 * Plans the hooks of one prebuild.
 * - a hook the environment does not define is skipped (`not configured`);
 * - `onCreateCommand` is skipped when the base's marker says it already ran for the
 *   same identity (incremental prebuild); `updateContentCommand` always re-runs;
 * - a base marker with another identity is ignored (everything runs again).
 * @param lifecycle the environment's normalised lifecycle commands
 * @param options.identity configuration identity at the commit being prebuilt
 * @param options.baseMarker marker read from the restored base, or `null`
 */
export function planPrebuild(
  lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>>,
  options: { identity: string; baseMarker: PrebuildMarker | null; dependencyFiles?: Record<string, string> },
): PlannedHook[] {
  const { identity, baseMarker } = options;
  const sameIdentity = baseMarker !== null && baseMarker.identity === identity;
  return PREBUILD_HOOKS.map((hook): PlannedHook => {
    const command = lifecycle[hook];
    if (!command) return { hook, action: 'skip', reason: 'not configured' };
    if (hook === 'onCreateCommand' && sameIdentity && baseMarker.hooks.onCreateCommand) {
      const ran = baseMarker.hooks.onCreateCommand;
      const changed = baseMarker.dependencyFiles && options.dependencyFiles ? changedDependencyFiles(baseMarker.dependencyFiles, options.dependencyFiles) : [];
      if (changed.length > 0) return { hook, action: 'run', command, note: `dependency files changed since the base ran it: ${changed.join(', ')}` };
      return { hook, action: 'skip', reason: `already ran in the base prebuild (${ran.sha.slice(0, 12)}, prebuild ${ran.prebuildId})` };
    }
    if (baseMarker !== null && !sameIdentity) {
      return { hook, action: 'run', command, note: 'the base was built for another configuration identity' };
    }
    return { hook, action: 'run', command };
  });
}

const SAFE_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argv element the way a POSIX shell would need it (for display only). */
export function shellQuote(arg: string): string {
  if (arg !== '' && SAFE_ARG.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A one-line rendering of a command for logs and error messages: the shell string
 * as written, an argv quoted like a shell would need, or the names of parallel
 * commands. Truncated to `max` characters (default 200).
 */
export function describeCommand(command: LifecycleCommand | SingleCommand, max = 200): string {
  let text: string;
  if (command.kind === 'shell') text = command.command;
  else if (command.kind === 'exec') text = command.argv.map(shellQuote).join(' ');
  else text = Object.keys(command.commands).join(', ');
  text = text.replace(/\s*\n\s*/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The paths a snapshot holds: the configuration's `paths` (default `.`), normalised
 * (no `./` prefix, no trailing slash, no duplicates, order kept), plus the marker
 * directory when no `.` already covers it, so an incremental prebuild always finds
 * the base's marker. Save and restore must use the same list (the Actions cache
 * version hashes it).
 * @throws Error for an absolute path or one that leaves the workspace (`..`)
 */
export function snapshotPaths(paths: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const raw of paths && paths.length > 0 ? paths : ['.']) {
    let p = raw.trim().replace(/\\/g, '/');
    if (p.startsWith('/')) throw new Error(`Snapshot path "${raw}" must be relative to the workspace`);
    p = p.replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
    if (p.split('/').includes('..')) throw new Error(`Snapshot path "${raw}" leaves the workspace`);
    if (!out.includes(p)) out.push(p);
  }
  if (!out.includes('.') && !out.includes(MARKER_DIR)) out.push(MARKER_DIR);
  return out;
}
