/**
 * From a repository tree to ready-to-prebuild configurations (SPEC.md "Configuration"
 * and rule 1): read `.github/prebuilds.yml` (or apply the no-file default), parse each
 * configuration's environment file, compute its identity. Bad user input never
 * throws: it becomes {@link ConfigProblem}s, and a configuration whose files are
 * broken is left out.
 */
import { parseDevcontainer, type ParseResult } from './devcontainer.js';
import { PathOutsideRepositoryError } from './file-source.js';
import { parseGitpod } from './gitpod.js';
import { computeIdentity } from './identity.js';
import type { ConfigProblem, EnvironmentFormat, FileSource, PrebuildSettings, ResolvedConfiguration, ResolveResult } from './model.js';
import { DEFAULT_DEVCONTAINER, type EntryLocation, PREBUILDS_YML, defaultSettings, parsePrebuildsYml } from './prebuilds-yml.js';
import { clip, problemAt } from './positions.js';

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
    return { problems: [problemAt(file, { line: 1, column: 1 }, `could not read the file: ${clip(String((error as Error)?.message ?? error), 200)}`)] };
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
  if ((await source.read(DEFAULT_DEVCONTAINER)) !== null) found.push({ file: DEFAULT_DEVCONTAINER, format: 'devcontainer' });
  if ((await source.read(ROOT_DEVCONTAINER)) !== null) found.push({ file: ROOT_DEVCONTAINER, format: 'devcontainer' });
  for (const name of (await source.list('.devcontainer')) ?? []) {
    if (name === 'devcontainer.json' || name.startsWith('..') || name.includes('/')) continue;
    const file = `.devcontainer/${name}/devcontainer.json`;
    if ((await source.read(file)) !== null) found.push({ file, format: 'devcontainer' });
  }
  if ((await source.read(GITPOD_YML)) !== null) found.push({ file: GITPOD_YML, format: 'gitpod' });
  return found;
}

/**
 * Resolves one configuration: reads and parses its environment file and computes the
 * identity. `location` (an entry of prebuilds.yml) positions the "file does not
 * exist" problem; without it that problem points at the environment file itself.
 */
export async function resolveConfiguration(
  source: FileSource,
  settings: PrebuildSettings,
  options: { location?: EntryLocation; settingsFile?: string } = {},
): Promise<{ configuration?: ResolvedConfiguration; problems: ConfigProblem[] }> {
  const file = settings.environmentFile;
  let text: string | null;
  try {
    text = await source.read(file);
  } catch (error) {
    if (!(error instanceof PathOutsideRepositoryError)) throw error;
    text = null;
  }
  if (text === null) {
    const where = options.location;
    const message = `${settings.environmentFormat === 'gitpod' ? 'Gitpod' : 'devcontainer'} file \`${clip(file)}\` of configuration \`${clip(settings.name)}\` does not exist`;
    const problem = where
      ? problemAt(options.settingsFile ?? PREBUILDS_YML, where.position, message)
      : problemAt(file, { line: 1, column: 1 }, message);
    if (where?.keyPath) problem.keyPath = where.keyPath;
    return { problems: [problem] };
  }
  const parsed = parseEnvironment(file, settings.environmentFormat, text);
  if (!parsed.environment) return { problems: parsed.problems };
  try {
    const { identity, identityFiles, dependsOn } = await computeIdentity(source, settings, parsed.environment, options.settingsFile);
    return { configuration: { settings, environment: parsed.environment, identity, identityFiles, dependsOn }, problems: [] };
  } catch (error) {
    if (!(error instanceof PathOutsideRepositoryError)) throw error;
    return { problems: [problemAt(file, { line: 1, column: 1 }, `a referenced file leaves the repository: ${clip(error.requested)}`)] };
  }
}

/**
 * Reads the prebuild configurations of a repository at one commit.
 *
 * With `.github/prebuilds.yml`: each valid entry (SPEC.md table defaults applied).
 * Without it: one configuration named `devcontainer` for `.devcontainer/devcontainer.json`
 * on the default branch if that file exists, else (a convenience) for
 * `.devcontainer.json`, else none.
 * @returns configurations in file order and every problem (file, line, column,
 *   message, keyPath). Never throws for bad user input; errors of `source` itself
 *   (network, permissions) propagate so the caller can retry.
 */
export async function resolveConfigurations(source: FileSource, options: ResolveOptions): Promise<ResolveResult> {
  const text = await source.read(PREBUILDS_YML);
  if (text === null) {
    for (const file of [DEFAULT_DEVCONTAINER, ROOT_DEVCONTAINER]) {
      if ((await source.read(file)) === null) continue;
      const { configuration, problems } = await resolveConfiguration(source, defaultSettings(file, 'devcontainer', options.defaultBranch));
      return { source: 'default', configurations: configuration ? [configuration] : [], problems };
    }
    return { source: 'default', configurations: [], problems: [] };
  }
  let parsed: ReturnType<typeof parsePrebuildsYml>;
  try {
    parsed = parsePrebuildsYml(text, options.defaultBranch);
  } catch (error) {
    const message = `could not read the file: ${clip(String((error as Error)?.message ?? error), 200)}`;
    return { source: PREBUILDS_YML, configurations: [], problems: [problemAt(PREBUILDS_YML, { line: 1, column: 1 }, message)] };
  }
  const result: ResolveResult = { source: PREBUILDS_YML, configurations: [], problems: [...parsed.problems] };
  const reported = new Set<string>();
  for (let i = 0; i < parsed.settings.length; i++) {
    const { configuration, problems } = await resolveConfiguration(source, parsed.settings[i]!, {
      location: parsed.locations[i]!,
      settingsFile: PREBUILDS_YML,
    });
    if (configuration) result.configurations.push(configuration);
    for (const p of problems) {
      const key = `${p.file}:${p.line}:${p.column}:${p.message}`;
      if (!reported.has(key)) result.problems.push(p);
      reported.add(key);
    }
  }
  return result;
}
