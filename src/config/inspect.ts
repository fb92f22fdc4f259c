/**
 * `prebuilds inspect PATH` (SPEC.md "Management"): a configuration as the app
 * resolves it — settings, normalised lifecycle commands, exactly which hooks each
 * mode runs (a prebuild, an incremental prebuild, the action's restore mode in CI, a
 * started workspace), identity and identity files, and warnings — as plain JSON.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { localFileSource } from './file-source.js';
import { UnreadableFileError } from './read-limits.js';
import type {
  ConfigProblem,
  Environment,
  EnvironmentFormat,
  FileSource,
  LifecycleCommand,
  LifecycleHook,
  PrebuildSettings,
  ResolvedConfiguration,
} from './model.js';
import { PREBUILDS_YML, defaultSettings } from './prebuilds-yml.js';
import { problemAt } from './positions.js';
import { resolveConfiguration, resolveConfigurations, unreadableProblem } from './resolve.js';

/** What `inspect` looked at: a repository folder or one file of a known format. */
export type InspectFormat = 'repository' | 'prebuilds-yml' | EnvironmentFormat;

/**
 * The hooks each mode runs, in order, for one configuration. Every list holds only
 * hooks the configuration defines. These are the rules of the planners
 * (`planPrebuild` in src/lifecycle/plan.ts, `planRestore` in
 * src/lifecycle/restore-plan.ts; a test checks they agree), stated here without
 * importing them so that the configuration layer stays below the lifecycle layer.
 */
export interface ModeRuns {
  /** A prebuild from scratch: onCreateCommand, updateContentCommand. */
  prebuild: LifecycleHook[];
  /**
   * A prebuild on a base with the same identity: updateContentCommand (onCreateCommand
   * again only when the root dependency files changed since the base ran it); `null`
   * when `incremental` is off: every prebuild is from scratch.
   */
  incrementalPrebuild: LifecycleHook[] | null;
  /**
   * The action's restore mode in CI: with the prebuild of this very commit
   * (postCreateCommand), with one of an ancestor, i.e. the commit differs
   * (updateContentCommand, postCreateCommand), and without any prebuild (the full
   * lifecycle up to postCreateCommand). postStart/postAttach never run in CI.
   */
  restore: { exact: LifecycleHook[]; ancestor: LifecycleHook[]; none: LifecycleHook[] };
  /**
   * A workspace started from the prebuild: postCreateCommand, postStartCommand,
   * postAttachCommand (for Gitpod: each task's `before` then `command`, which is its
   * postStartCommand).
   */
  workspace: LifecycleHook[];
}

/** One configuration in an {@link InspectReport}. */
export interface InspectedConfiguration {
  name: string;
  settings: PrebuildSettings;
  environmentFile: string;
  /** The environment without its parsed document: image, build (with the context really used), compose files, features, env, waitFor. */
  environment: Omit<Environment, 'parsed' | 'lifecycle' | 'file'>;
  /** Normalised lifecycle commands (absent hooks are not keys). */
  lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>>;
  /** Exactly which hooks each mode runs. */
  runs: ModeRuns;
  identity: string;
  identityFiles: string[];
}

/** The JSON `inspect` prints. */
export interface InspectReport {
  format: InspectFormat;
  /** `.github/prebuilds.yml`, `default` (SPEC.md "No file") or the inspected file, repository-relative. */
  source: string;
  configurations: InspectedConfiguration[];
  problems: ConfigProblem[];
  /** Things that do not stop a configuration (duplicate keys, ignored or unknown keys, Gitpod's `gp`). */
  warnings: ConfigProblem[];
}

/** Options of {@link inspectPath}. */
export interface InspectOptions {
  /** Default branch for `branches`; default: read from `.git` (origin's HEAD) when possible, else `main`. */
  defaultBranch?: string;
}

/**
 * Which hooks each mode runs for these lifecycle commands (see {@link ModeRuns}).
 * @param incremental the configuration's `incremental` setting
 */
export function modeRuns(lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>>, incremental: boolean): ModeRuns {
  const present = (hooks: readonly LifecycleHook[]) => hooks.filter((h) => lifecycle[h] !== undefined);
  return {
    prebuild: present(['onCreateCommand', 'updateContentCommand']),
    incrementalPrebuild: incremental ? present(['updateContentCommand']) : null,
    restore: {
      exact: present(['postCreateCommand']),
      ancestor: present(['updateContentCommand', 'postCreateCommand']),
      none: present(['onCreateCommand', 'updateContentCommand', 'postCreateCommand']),
    },
    workspace: present(['postCreateCommand', 'postStartCommand', 'postAttachCommand']),
  };
}

/** Turns a resolved configuration into its report form. */
export function describeConfiguration(c: ResolvedConfiguration): InspectedConfiguration {
  const { parsed: _parsed, lifecycle, file, ...environment } = c.environment;
  return {
    name: c.settings.name,
    settings: c.settings,
    environmentFile: file,
    environment,
    lifecycle,
    runs: modeRuns(lifecycle, c.settings.incremental),
    identity: c.identity,
    identityFiles: c.identityFiles,
  };
}

/**
 * Decides the format of a single file from its name, then its extension, then its
 * content: `prebuilds.yml` → prebuilds-yml, `*.gitpod.yml` → gitpod, `*.json(c)` →
 * devcontainer, other YAML → prebuilds-yml when it has a top-level `prebuilds` key,
 * else gitpod; anything else → devcontainer when it starts like JSON.
 */
export function detectFormat(fileName: string, text: string): Exclude<InspectFormat, 'repository'> {
  const base = path.basename(fileName).toLowerCase();
  if (/(^|[._-])prebuilds\.ya?ml$/.test(base)) return 'prebuilds-yml';
  if (/(^|[._-])\.?gitpod\.ya?ml$/.test(base)) return 'gitpod';
  if (/\.jsonc?$/.test(base)) return 'devcontainer';
  if (!/\.ya?ml$/.test(base) && /^\s*[{/[]/.test(text.slice(0, 1000))) return 'devcontainer';
  try {
    const doc = yaml.load(text.length > 1_000_000 ? '' : text);
    if (doc !== null && typeof doc === 'object' && Object.prototype.hasOwnProperty.call(doc, 'prebuilds')) return 'prebuilds-yml';
  } catch {
    // a YAML syntax error is reported by the real parser
  }
  return 'gitpod';
}

/** Where the repository of a single file starts: above `.github/` and `.devcontainer/[<name>/]`, else the file's folder. */
export function repositoryRootOf(absoluteFile: string): string {
  const dir = path.dirname(absoluteFile);
  const parent = path.dirname(dir);
  if (path.basename(dir) === '.github' || path.basename(dir) === '.devcontainer') return parent;
  if (path.basename(parent) === '.devcontainer') return path.dirname(parent);
  return dir;
}

async function detectDefaultBranch(root: string): Promise<string> {
  try {
    const head = await fs.readFile(path.join(root, '.git/refs/remotes/origin/HEAD'), 'utf8');
    const m = /ref: refs\/remotes\/origin\/(.+)/.exec(head.trim());
    if (m) return m[1]!;
  } catch {
    // not a clone with an origin HEAD: fall through
  }
  return 'main';
}

/** A source that serves `text` as `.github/prebuilds.yml`, everything else from `inner`. */
function withPrebuildsYml(inner: FileSource, text: string): FileSource {
  return { read: async (p) => (path.posix.normalize(p) === PREBUILDS_YML ? text : inner.read(p)), list: (d) => inner.list(d) };
}

/**
 * Inspects one environment or settings file inside a repository tree.
 * @param file repository-relative path of the file
 */
export async function inspectFile(
  source: FileSource,
  file: string,
  format: Exclude<InspectFormat, 'repository'>,
  defaultBranch: string,
): Promise<InspectReport> {
  if (format === 'prebuilds-yml') {
    let text: string;
    try {
      text = (await source.read(file, { strict: true })) ?? '';
    } catch (error) {
      if (!(error instanceof UnreadableFileError)) throw error;
      return { format, source: file, configurations: [], problems: [unreadableProblem(error, file)], warnings: [] };
    }
    const r = await resolveConfigurations(withPrebuildsYml(source, text), { defaultBranch });
    return { format, source: r.source, configurations: r.configurations.map(describeConfiguration), problems: r.problems, warnings: r.warnings };
  }
  const { configuration, problems, warnings } = await resolveConfiguration(source, defaultSettings(file, format, defaultBranch));
  return { format, source: file, configurations: configuration ? [describeConfiguration(configuration)] : [], problems, warnings };
}

/**
 * Inspects a repository folder (what the app would resolve) or a single file
 * (devcontainer.json, .gitpod.yml or prebuilds.yml, recognised by {@link detectFormat};
 * its repository is found by {@link repositoryRootOf}).
 * @returns a JSON-able report; bad files give problems, never exceptions. A path that
 *   does not exist gives a problem too. I/O errors other than "not found" propagate.
 */
export async function inspectPath(target: string, options: InspectOptions = {}): Promise<InspectReport> {
  const absolute = path.resolve(target);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return {
      format: 'repository',
      source: target,
      configurations: [],
      problems: [problemAt(target, { line: 1, column: 1 }, 'no such file or folder')],
      warnings: [],
    };
  }
  if (stat.isDirectory()) {
    const defaultBranch = options.defaultBranch ?? (await detectDefaultBranch(absolute));
    const r = await resolveConfigurations(localFileSource(absolute), { defaultBranch });
    return { format: 'repository', source: r.source, configurations: r.configurations.map(describeConfiguration), problems: r.problems, warnings: r.warnings };
  }
  const root = repositoryRootOf(absolute);
  const file = path.relative(root, absolute).split(path.sep).join('/');
  const source = localFileSource(root);
  let text: string;
  try {
    // Through the source: a FIFO, a device or a huge file is refused, never read.
    text = (await source.read(file)) ?? '';
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    return { format: 'repository', source: file, configurations: [], problems: [unreadableProblem(error, file)], warnings: [] };
  }
  const defaultBranch = options.defaultBranch ?? (await detectDefaultBranch(root));
  return inspectFile(source, file, detectFormat(file, text), defaultBranch);
}
