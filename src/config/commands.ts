/**
 * Lifecycle command normalisation (REFERENCE.md "Dev Container lifecycle"):
 * a string runs through `/bin/sh -c` (`shell`), an array is exec'd without a shell
 * (`exec`), an object holds named string/array commands run concurrently
 * (`parallel`). Empty strings, arrays and objects are skipped, as the CLI does.
 */
import type { LifecycleCommand, LifecycleHook, SingleCommand } from './model.js';
import { LIFECYCLE_HOOKS } from './model.js';
import type { KeySegment } from './positions.js';
import { clip } from './positions.js';
import { type PlainObject, type ProblemSink, describeType, isObject, own } from './values.js';

/**
 * Normalises one single command (string or array form). Returns `undefined` for an
 * empty one; records a problem (and returns `undefined`) for a wrong type.
 * @param segments key path of `value`, for problems
 */
export function normalizeSingle(value: unknown, segments: KeySegment[], sink: ProblemSink): SingleCommand | undefined {
  if (typeof value === 'string') {
    return value.trim() === '' ? undefined : { kind: 'shell', command: value };
  }
  if (Array.isArray(value)) {
    let ok = true;
    value.forEach((arg, i) => {
      if (typeof arg !== 'string') {
        sink.atValue([...segments, i], `command arguments must be strings, found ${describeType(arg)}`);
        ok = false;
      }
    });
    if (!ok || value.length === 0) return undefined;
    return { kind: 'exec', argv: value as string[] };
  }
  sink.atValue(segments, `a command must be a string or an array of strings, found ${describeType(value)}`);
  return undefined;
}

/**
 * Normalises a lifecycle property value in any of its three forms. `null` counts as
 * absent (the CLI skips falsy commands). Wrong types become problems at the value.
 */
export function normalizeLifecycle(value: unknown, segments: KeySegment[], sink: ProblemSink): LifecycleCommand | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || Array.isArray(value)) return normalizeSingle(value, segments, sink);
  if (isObject(value)) {
    const commands: Record<string, SingleCommand> = {};
    for (const name of Object.keys(value)) {
      const entry = own(value, name);
      if (entry === null) continue;
      const single = normalizeSingle(entry, [...segments, name], sink);
      if (single) Object.defineProperty(commands, name, { value: single, enumerable: true, writable: true, configurable: true });
    }
    return Object.keys(commands).length === 0 ? undefined : { kind: 'parallel', commands };
  }
  sink.atValue(
    segments,
    `\`${String(segments[segments.length - 1])}\` must be a string, an array of strings or an object of named commands, found ${describeType(value)}`,
  );
  return undefined;
}

/** Reads every lifecycle hook of a devcontainer.json object (top-level keys). */
export function readLifecycle(doc: PlainObject, sink: ProblemSink): Partial<Record<LifecycleHook, LifecycleCommand>> {
  const lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>> = {};
  for (const hook of LIFECYCLE_HOOKS) {
    const command = normalizeLifecycle(own(doc, hook), [hook], sink);
    if (command) lifecycle[hook] = command;
  }
  return lifecycle;
}

/** Hooks `waitFor` may name (the devcontainer schema's enum leaves out postAttachCommand). */
export const WAIT_FOR_HOOKS: readonly LifecycleHook[] = LIFECYCLE_HOOKS.filter((h) => h !== 'postAttachCommand');

/** Reads `waitFor` (default `updateContentCommand`); a bad value is a problem and falls back to the default. */
export function readWaitFor(doc: PlainObject, sink: ProblemSink): LifecycleHook {
  const value = own(doc, 'waitFor');
  if (value === undefined || value === null) return 'updateContentCommand';
  if (typeof value === 'string' && (WAIT_FOR_HOOKS as readonly string[]).includes(value)) return value as LifecycleHook;
  const allowed = WAIT_FOR_HOOKS.map((h) => `\`${h}\``).join(', ');
  const found = typeof value === 'string' ? `\`${clip(value)}\`` : describeType(value);
  sink.atValue(['waitFor'], `\`waitFor\` must be one of ${allowed}; found ${found}`);
  return 'updateContentCommand';
}

/** Every single command of a lifecycle command, with its name in the parallel form. */
export function singleCommands(command: LifecycleCommand): Array<{ name?: string; command: SingleCommand }> {
  if (command.kind === 'parallel') return Object.entries(command.commands).map(([name, c]) => ({ name, command: c }));
  return [{ command }];
}
