/**
 * Dev Container variable substitution (devcontainers/cli `variableSubstitution.ts`):
 * `${localWorkspaceFolder}`, `${localWorkspaceFolderBasename}`,
 * `${containerWorkspaceFolder}`, `${containerWorkspaceFolderBasename}`,
 * `${localEnv:NAME}`, `${localEnv:NAME:default}` (also the old `${env:NAME}`),
 * `${containerEnv:NAME}`, `${containerEnv:NAME:default}`, `${devcontainerId}`.
 */
import type { LifecycleCommand, SingleCommand } from './model.js';

/**
 * What to substitute. A variable whose source is not given is left as written, so
 * substitution can happen in phases (host values first, container values later).
 */
export interface SubstitutionVariables {
  /** Absolute path of the checkout on the host/runner. */
  localWorkspaceFolder?: string;
  /** Absolute path of the workspace inside the container. */
  containerWorkspaceFolder?: string;
  /** Host environment (`${localEnv:…}`); usually `process.env`. */
  localEnv?: Record<string, string | undefined>;
  /** Container environment (`${containerEnv:…}`). */
  containerEnv?: Record<string, string | undefined>;
  devcontainerId?: string;
}

const VARIABLE = /\$\{([^}]*)\}/g;

function basename(p: string): string {
  const parts = p.replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

function lookup(env: Record<string, string | undefined>, args: string[], match: string): string {
  const name = args[0];
  if (name === undefined || name === '') return match;
  const value = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
  // Set to anything, the empty string included, the value wins: the default is for unset variables only.
  if (typeof value === 'string') return value;
  return args.length > 1 ? args[1]! : '';
}

/** Variables that read an environment variable by name (`${localEnv:NAME}` and friends). */
const ENV_VARIABLES = new Set(['env', 'localEnv', 'containerEnv']);

/** A `${localEnv}`-style reference without a variable name, found by {@link unnamedEnvironmentReferences}. */
export interface UnnamedReference {
  /** The reference as written, e.g. `${localEnv}` or `${localEnv:}`. */
  text: string;
  /** Offset of the reference in the string (UTF-16 code units). */
  index: number;
}

/**
 * The `${localEnv}`, `${localEnv:}`, `${env}`, `${containerEnv}`… references of `text`
 * that name no variable. @devcontainers/cli refuses `${localEnv}` ("can not be resolved
 * because no environment variable name is given"); an empty name (`${localEnv:}`, which
 * the CLI silently turns into "") is the same mistake, so the parser reports both.
 */
export function unnamedEnvironmentReferences(text: string): UnnamedReference[] {
  const out: UnnamedReference[] = [];
  for (const m of text.matchAll(VARIABLE)) {
    const [variable, name] = m[1]!.split(':');
    if (ENV_VARIABLES.has(variable!) && (name === undefined || name === '')) out.push({ text: m[0], index: m.index });
  }
  return out;
}

/**
 * Replaces the variables of `text`. An unset `localEnv`/`containerEnv` variable
 * becomes its default or the empty string; a variable set to the empty string stays
 * empty (@devcontainers/cli `variableSubstitution.ts`: the default applies only when
 * the variable is unset). Unknown variables, and references without a variable name
 * (reported by the parser, see {@link unnamedEnvironmentReferences}), stay as written.
 * Never throws.
 * @example substitute('${localEnv:HOME:/root}/x', { localEnv: {} }) === '/root/x'
 */
export function substitute(text: string, vars: SubstitutionVariables): string {
  return text.replace(VARIABLE, (match: string, inner: string) => {
    const [variable, ...args] = inner.split(':');
    switch (variable) {
      case 'localWorkspaceFolder':
        return vars.localWorkspaceFolder ?? match;
      case 'localWorkspaceFolderBasename':
        return vars.localWorkspaceFolder !== undefined ? basename(vars.localWorkspaceFolder) : match;
      case 'containerWorkspaceFolder':
        return vars.containerWorkspaceFolder ?? match;
      case 'containerWorkspaceFolderBasename':
        return vars.containerWorkspaceFolder !== undefined ? basename(vars.containerWorkspaceFolder) : match;
      case 'devcontainerId':
        return vars.devcontainerId ?? match;
      case 'env':
      case 'localEnv':
        return vars.localEnv ? lookup(vars.localEnv, args, match) : match;
      case 'containerEnv':
        return vars.containerEnv ? lookup(vars.containerEnv, args, match) : match;
      default:
        return match;
    }
  });
}

/**
 * {@link substitute} applied to every string value inside a JSON-like value. Keys stay
 * as written, as in @devcontainers/cli (`remoteEnv: { "${localEnv:X}": … }` names a
 * variable literally). Returns a copy.
 */
export function substituteDeep<T>(value: T, vars: SubstitutionVariables): T {
  if (typeof value === 'string') return substitute(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, vars)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: substituteDeep(v, vars), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return value;
}

function substituteSingle(command: SingleCommand, vars: SubstitutionVariables): SingleCommand {
  const env = command.env ? substituteDeep(command.env, vars) : undefined;
  // Every other field (e.g. `shell: 'bash'` of Gitpod tasks) is kept as it is.
  const base: SingleCommand =
    command.kind === 'shell' ? { ...command, command: substitute(command.command, vars) } : { ...command, argv: command.argv.map((a) => substitute(a, vars)) };
  return env ? { ...base, env } : base;
}

/** Substitutes the variables of a lifecycle command (command text, argv and env; not the parallel names). */
export function substituteCommand(command: LifecycleCommand, vars: SubstitutionVariables): LifecycleCommand {
  if (command.kind !== 'parallel') return substituteSingle(command, vars);
  const commands: Record<string, SingleCommand> = {};
  for (const [name, c] of Object.entries(command.commands)) commands[name] = substituteSingle(c, vars);
  return { kind: 'parallel', commands };
}
