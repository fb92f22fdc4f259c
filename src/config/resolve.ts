/**
 * From a repository tree to ready-to-prebuild configurations (SPEC.md "Configuration"
 * and rule 1): read `.github/prebuilds.yml` (or apply the no-file default), parse each
 * configuration's environment file, compute its identity. Bad user input never
 * throws: it becomes {@link ConfigProblem}s, and a configuration whose files are
 * broken is left out.
 */
import { parseDevcontainer, type ParseResult } from './devcontainer.js';
import { UnreadableFileError } from './read-limits.js';
import { parseGitpod } from './gitpod.js';
import { computeIdentity } from './identity.js';
import type { ConfigProblem, EnvironmentFormat, FileSource, PrebuildSettings, ResolvedConfiguration, ResolveResult } from './model.js';
import { DEFAULT_DEVCONTAINER, type EntryLocation, PREBUILDS_YML, defaultSettings, parsePrebuildsYml } from './prebuilds-yml.js';
import { clip, problemAt } from './positions.js';

/** A file the source refused to read, as a problem: at the invalid byte when known, else at line 1. */
export function unreadableProblem(error: UnreadableFileError, file = error.path): ConfigProblem {
  return problemAt(file, error.position ?? { line: 1, column: 1 }, `\`${clip(error.path)}\` ${error.reason}`);
}

/** Reads a file; `'unreadable'` with the error when the source refuses it (see {@link UnreadableFileError}). */
async function readChecked(source: FileSource, file: string, strict: boolean): Promise<string | null | UnreadableFileError> {
  try {
    return await source.read(file, strict ? { strict } : undefined);
  } catch (error) {
    if (error instanceof UnreadableFileError) return error;
    throw error;
  }
}

/** True when `file` is there, readable or not (an unreadable file is reported when it is resolved). */
async function present(source: FileSource, file: string): Promise<boolean> {
  return (await readChecked(source, file, false)) !== null;
}

/** Options of {@link resolveConfigurations}. */
export interface ResolveOptions {
  /** The repository's default branch: default `branches` of every configuration. */
  defaultBranch: string;
}

/** An environment file found in a repository by {@link findEnvironmentFiles}. */
export interface EnvironmentFileRef {
  file: string;
  format: EnvironmentFormat;
}

/** Legacy root-level devcontainer file, used by the no-file default only when `.devcontainer/devcontainer.json` is absent. */
export const ROOT_DEVCONTAINER = '.devcontainer.json';
/** Where Gitpod reads its configuration. */
export const GITPOD_YML = '.gitpod.yml';

/**
 * Parses an environment file of either format, turning any unexpected exception
 * (e.g. stack exhaustion on pathological input) into a problem at line 1.
 */
export function parseEnvironment(file: string, format: EnvironmentFormat, text: string): ParseResult {
  try {
    return format === 'gitpod' ? parseGitpod(file, text) : parseDevcontainer(file, text);
  } catch (error) {
    return {
      problems: [problemAt(file, { line: 1, column: 1 }, `could not read the file: ${clip(String((error as Error)?.message ?? error), 200)}`)],
      warnings: [],
    };
  }
}

/**
 * Environment files present in the repository, in lookup order (Dev Container spec
 * "devcontainer.json" locations): `.devcontainer/devcontainer.json`,
 * `.devcontainer.json`, `.devcontainer/<folder>/devcontainer.json` (one level, folders
 * sorted), then `.gitpod.yml`. Source errors propagate.
 */
export async function findEnvironmentFiles(source: FileSource): Promise<EnvironmentFileRef[]> {
  const found: EnvironmentFileRef[] = [];
  if (await present(source, DEFAULT_DEVCONTAINER)) found.push({ file: DEFAULT_DEVCONTAINER, format: 'devcontainer' });
  if (await present(source, ROOT_DEVCONTAINER)) found.push({ file: ROOT_DEVCONTAINER, format: 'devcontainer' });
  const folders = await source.list('.devcontainer').catch((error: unknown) => {
    if (error instanceof UnreadableFileError) return null; // e.g. a symlink out of the repository
    throw error;
  });
  for (const name of folders ?? []) {
    if (name === 'devcontainer.json' || name.startsWith('..') || name.includes('/')) continue;
    const file = `.devcontainer/${name}/devcontainer.json`;
    if (await present(source, file)) found.push({ file, format: 'devcontainer' });
  }
  if (await present(source, GITPOD_YML)) found.push({ file: GITPOD_YML, format: 'gitpod' });
  return found;
}

/**
 * Resolves one configuration: reads and parses its environment file and computes the
 * identity. `location` (an entry of prebuilds.yml) positions the "file does not
 * exist" problem; without it that problem points at the environment file itself.
 * A file the source refuses ({@link UnreadableFileError}: outside the repository, not
 * a regular file, over the size cap, invalid UTF-8) is a problem, as is one the
 * identity reads (Dockerfile, compose files, scripts).
 */
export async function resolveConfiguration(
  source: FileSource,
  settings: PrebuildSettings,
  options: { location?: EntryLocation; settingsFile?: string } = {},
): Promise<{ configuration?: ResolvedConfiguration; problems: ConfigProblem[]; warnings: ConfigProblem[] }> {
  const file = settings.environmentFile;
  const text = await readChecked(source, file, true);
  if (text instanceof UnreadableFileError) return { problems: [unreadableProblem(text, file)], warnings: [] };
  if (text === null) {
    const where = options.location;
    const message = `${settings.environmentFormat === 'gitpod' ? 'Gitpod' : 'devcontainer'} file \`${clip(file)}\` of configuration \`${clip(settings.name)}\` does not exist`;
    const problem = where ? problemAt(options.settingsFile ?? PREBUILDS_YML, where.position, message) : problemAt(file, { line: 1, column: 1 }, message);
    if (where?.keyPath) problem.keyPath = where.keyPath;
    return { problems: [problem], warnings: [] };
  }
  const parsed = parseEnvironment(file, settings.environmentFormat, text);
  if (!parsed.environment) return { problems: parsed.problems, warnings: parsed.warnings };
  try {
    const { identity, identityFiles, dependsOn } = await computeIdentity(source, settings, parsed.environment, options.settingsFile);
    return { configuration: { settings, environment: parsed.environment, identity, identityFiles, dependsOn }, problems: [], warnings: parsed.warnings };
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    const problem = problemAt(file, { line: 1, column: 1 }, `a file the configuration references cannot be read: \`${clip(error.path)}\` ${error.reason}`);
    return { problems: [problem], warnings: parsed.warnings };
  }
}

/** Problems and warnings deduplicated by position and message (several configurations may share a file). */
function collector(result: ResolveResult): (found: { problems: ConfigProblem[]; warnings: ConfigProblem[] }) => void {
  const reported = new Set<string>();
  const add = (list: ConfigProblem[], p: ConfigProblem): void => {
    const key = `${list === result.warnings ? 'w' : 'p'}:${p.file}:${p.line}:${p.column}:${p.message}`;
    if (!reported.has(key)) list.push(p);
    reported.add(key);
  };
  return ({ problems, warnings }) => {
    for (const p of problems) add(result.problems, p);
    for (const w of warnings) add(result.warnings, w);
  };
}

/**
 * Reads the prebuild configurations of a repository at one commit.
 *
 * With `.github/prebuilds.yml`: each valid entry (SPEC.md table defaults applied).
 * Without it: one configuration named `devcontainer` for `.devcontainer/devcontainer.json`
 * on the default branch if that file exists, else (a convenience) for
 * `.devcontainer.json`, else none.
 * @returns configurations in file order, every problem (file, line, column, message,
 *   keyPath) and every warning. Never throws for bad user input (unreadable files
 *   included); errors of `source` itself (network, permissions) propagate so the
 *   caller can retry.
 */
export async function resolveConfigurations(source: FileSource, options: ResolveOptions): Promise<ResolveResult> {
  const text = await readChecked(source, PREBUILDS_YML, true);
  if (text === null) {
    const result: ResolveResult = { source: 'default', configurations: [], problems: [], warnings: [] };
    for (const file of [DEFAULT_DEVCONTAINER, ROOT_DEVCONTAINER]) {
      if (!(await present(source, file))) continue;
      const resolved = await resolveConfiguration(source, defaultSettings(file, 'devcontainer', options.defaultBranch));
      if (resolved.configuration) result.configurations.push(resolved.configuration);
      collector(result)(resolved);
      return result;
    }
    return result;
  }
  const result: ResolveResult = { source: PREBUILDS_YML, configurations: [], problems: [], warnings: [] };
  if (text instanceof UnreadableFileError) {
    result.problems.push(unreadableProblem(text, PREBUILDS_YML));
    return result;
  }
  let parsed: ReturnType<typeof parsePrebuildsYml>;
  try {
    parsed = parsePrebuildsYml(text, options.defaultBranch);
  } catch (error) {
    const message = `could not read the file: ${clip(String((error as Error)?.message ?? error), 200)}`;
    result.problems.push(problemAt(PREBUILDS_YML, { line: 1, column: 1 }, message));
    return result;
  }
  const collect = collector(result);
  collect({ problems: parsed.problems, warnings: [] });
  for (let i = 0; i < parsed.settings.length; i++) {
    const resolved = await resolveConfiguration(source, parsed.settings[i]!, {
      location: parsed.locations[i]!,
      settingsFile: PREBUILDS_YML,
    });
    if (resolved.configuration) result.configurations.push(resolved.configuration);
    collect(resolved);
  }
  return result;
}
