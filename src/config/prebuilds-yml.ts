/**
 * `.github/prebuilds.yml` → {@link PrebuildSettings} (SPEC.md "Configuration"):
 * YAML syntax (js-yaml v4), schema validation (`schema/prebuilds.schema.json`),
 * checks the schema cannot express (cron fields, paths, duplicate names,
 * `trigger: schedule` without `schedule`) and the defaults of the SPEC.md table.
 */
import path from 'node:path';
import { parseCachesSetting } from './caches.js';
import { cronProblem, normalizeCron } from './cron.js';
import type { ConfigProblem, EnvironmentFormat, PrebuildSettings, TriggerMode } from './model.js';
import { type KeySegment, type Position, type YamlPositions, clip, formatKeyPath, loadYamlWithPositions, problemAt } from './positions.js';
import { MAX_PREBUILD_ENTRIES, validatePrebuilds } from './schema.js';
import { type PlainObject, findOversizedNode, isObject, normalizeRepoPath, own } from './values.js';

/** Where the prebuild settings live in a repository. */
export const PREBUILDS_YML = '.github/prebuilds.yml';
/** The environment file used when an entry names none, and by the no-file default. */
export const DEFAULT_DEVCONTAINER = '.devcontainer/devcontainer.json';

/** Where one valid entry of prebuilds.yml is, for problems found later (missing environment file). */
export interface EntryLocation {
  /** Index in the `prebuilds:` list. */
  index: number;
  /** Position of the `devcontainer:`/`gitpod:` value, or of the entry when it names no file. */
  position: Position;
  keyPath: string;
}

/** Result of {@link parsePrebuildsYml}: valid entries (defaults applied) and every problem. */
export interface PrebuildsYmlResult {
  settings: PrebuildSettings[];
  /** Parallel to `settings`. */
  locations: EntryLocation[];
  problems: ConfigProblem[];
}

/**
 * Derives a configuration name from its environment file:
 * `.devcontainer/devcontainer.json` → `devcontainer`, `.devcontainer/python/devcontainer.json`
 * → `python`, `.devcontainer.json` → `devcontainer`, `.gitpod.yml` → `gitpod`,
 * `src/cpp/.devcontainer/devcontainer.json` → `cpp`, `envs/web.json` → `web`.
 */
export function deriveName(file: string): string {
  const base = path.posix.basename(file);
  const dirs = path.posix
    .dirname(file)
    .split('/')
    .filter((d) => d !== '.' && d !== '' && d !== '.devcontainer');
  const fallback = base === '.gitpod.yml' || base === '.gitpod.yaml' ? 'gitpod' : 'devcontainer';
  if (base === 'devcontainer.json' || base === '.devcontainer.json' || fallback === 'gitpod') {
    return dirs[dirs.length - 1] ?? fallback;
  }
  return base.replace(/^\.+/, '').replace(/\.(jsonc?|ya?ml)$/i, '') || fallback;
}

/** The settings of an entry that names only its environment file: every SPEC.md default. */
export function defaultSettings(environmentFile: string, environmentFormat: EnvironmentFormat, defaultBranch: string): PrebuildSettings {
  return {
    name: deriveName(environmentFile),
    environmentFile,
    environmentFormat,
    branches: [defaultBranch],
    trigger: 'every-push',
    pullRequests: 'same-repository',
    commitInterval: 1,
    triggerFiles: [],
    incremental: true,
    ancestorDepth: 100,
    retention: 3,
    timeoutMinutes: 60,
    paths: ['.'],
    notify: [],
    workflow: 'prebuild.yml',
    secrets: [],
  };
}

function list(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? (value as string[]) : undefined;
}

/**
 * Parses `.github/prebuilds.yml`.
 * @param text the file content
 * @param defaultBranch the repository's default branch (default of `branches`)
 * @returns the valid entries with defaults applied; an invalid entry is left out and
 *   its problems reported; a file-level problem leaves out every entry. Never throws.
 */
export function parsePrebuildsYml(text: string, defaultBranch: string): PrebuildsYmlResult {
  const file = PREBUILDS_YML;
  const result: PrebuildsYmlResult = { settings: [], locations: [], problems: [] };
  const loaded = loadYamlWithPositions(file, text);
  if (!loaded.ok) {
    result.problems.push(loaded.problem);
    return result;
  }
  const { value, positions } = loaded;
  if (value === null || value === undefined) {
    result.problems.push(problemAt(file, { line: 1, column: 1 }, 'the file is empty: expected a `prebuilds:` list of configurations'));
    return result;
  }
  const oversized = findOversizedNode(value, 100, 100_000);
  if (oversized) {
    result.problems.push(
      problemAt(file, positions.valueAt(oversized.segments), 'the document is too large or too deeply nested (aliases included)', oversized.segments),
    );
    return result;
  }
  if (!isObject(value)) {
    result.problems.push(problemAt(file, positions.valueAt([]), 'the file must be a mapping with a `prebuilds:` list'));
    return result;
  }
  const rawEntries = own(value, 'prebuilds');
  if (Array.isArray(rawEntries) && rawEntries.length > MAX_PREBUILD_ENTRIES) {
    const message = `\`prebuilds\` has ${rawEntries.length} entries; at most ${MAX_PREBUILD_ENTRIES} configurations are allowed per repository`;
    result.problems.push(problemAt(file, positions.valueAt(['prebuilds']), message, ['prebuilds']));
    return result;
  }
  const schemaProblems = validatePrebuilds(file, value, positions);
  result.problems.push(...sortProblems(schemaProblems.map((p) => p.problem)));
  if (schemaProblems.some((p) => p.entry < 0)) return result;
  const bad = new Set(schemaProblems.map((p) => p.entry));
  const entries = own(value, 'prebuilds') as PlainObject[];
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (bad.has(index)) return;
    const built = buildSettings(entry, index, defaultBranch, positions, result.problems);
    if (!built) return;
    const previous = seen.get(built.settings.name);
    if (previous !== undefined) {
      const segments: KeySegment[] = own(entry, 'name') !== undefined ? ['prebuilds', index, 'name'] : ['prebuilds', index];
      const derived = own(entry, 'name') === undefined ? ' (derived from its file)' : '';
      result.problems.push(
        problemAt(
          file,
          positions.valueAt(segments),
          `duplicate configuration name \`${clip(built.settings.name)}\`${derived}, already used by prebuilds[${previous}]; give each entry a unique \`name\``,
          segments,
        ),
      );
      return;
    }
    seen.set(built.settings.name, index);
    result.settings.push(built.settings);
    result.locations.push(built.location);
  });
  result.problems = sortProblems(result.problems);
  return result;
}

/** Problems in reading order (line, then column); stable for equal positions. */
export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

function buildSettings(
  entry: PlainObject,
  index: number,
  defaultBranch: string,
  positions: YamlPositions,
  problems: ConfigProblem[],
): { settings: PrebuildSettings; location: EntryLocation } | undefined {
  const file = PREBUILDS_YML;
  const at = (key: string, message: string): void => {
    const segments = ['prebuilds', index, key];
    problems.push(problemAt(file, positions.valueAt(segments), message, segments));
  };
  const before = problems.length;
  const devcontainer = own(entry, 'devcontainer') as string | undefined;
  const gitpod = own(entry, 'gitpod') as string | undefined;
  const format: EnvironmentFormat = gitpod !== undefined ? 'gitpod' : 'devcontainer';
  const envKey = gitpod !== undefined ? 'gitpod' : 'devcontainer';
  const rawFile = gitpod ?? devcontainer ?? DEFAULT_DEVCONTAINER;
  const environmentFile = normalizeRepoPath(rawFile);
  if (environmentFile === null || environmentFile === '.') at(envKey, `\`${clip(rawFile)}\` must be a file path inside the repository`);
  const settings = defaultSettings(environmentFile ?? rawFile, format, defaultBranch);
  const name = own(entry, 'name');
  if (typeof name === 'string') settings.name = name;
  settings.branches = list(own(entry, 'branches')) ?? settings.branches;
  settings.trigger = (own(entry, 'trigger') as TriggerMode | undefined) ?? settings.trigger;
  const schedule = own(entry, 'schedule') as string | undefined;
  if (schedule !== undefined) {
    const reason = cronProblem(schedule);
    if (reason) at('schedule', `\`schedule\`: ${reason}`);
    else settings.schedule = normalizeCron(schedule);
  } else if (settings.trigger === 'schedule') {
    at('trigger', '`trigger: schedule` needs a `schedule` cron expression, e.g. `schedule: "0 3 * * *"`');
  }
  settings.pullRequests = (own(entry, 'pullRequests') as PrebuildSettings['pullRequests'] | undefined) ?? settings.pullRequests;
  for (const key of ['commitInterval', 'ancestorDepth', 'retention', 'timeoutMinutes'] as const) {
    const v = own(entry, key);
    if (typeof v === 'number') settings[key] = v;
  }
  const incremental = own(entry, 'incremental');
  if (typeof incremental === 'boolean') settings.incremental = incremental;
  settings.triggerFiles = list(own(entry, 'triggerFiles')) ?? settings.triggerFiles;
  const paths = list(own(entry, 'paths'));
  if (paths) {
    const normalized = paths.map((p) => normalizeRepoPath(p));
    const badPath = paths.find((_, i) => normalized[i] === null);
    if (badPath !== undefined) at('paths', `\`paths\` must stay inside the workspace; \`${clip(badPath)}\` does not`);
    else settings.paths = [...new Set(normalized as string[])];
  }
  const notify = list(own(entry, 'notify'));
  if (notify) settings.notify = notify.map((n) => (n.startsWith('@') ? n : `@${n}`));
  const workflow = own(entry, 'workflow');
  if (typeof workflow === 'string') settings.workflow = workflow;
  settings.secrets = list(own(entry, 'secrets')) ?? settings.secrets;
  const caches = own(entry, 'caches');
  if (caches !== undefined) {
    const parsed = parseCachesSetting(caches);
    if ('problem' in parsed) at('caches', parsed.problem);
    else settings.caches = parsed.setting;
  }
  if (problems.length > before) return undefined;
  const envSegments: KeySegment[] = devcontainer !== undefined || gitpod !== undefined ? ['prebuilds', index, envKey] : ['prebuilds', index];
  return {
    settings,
    location: { index, position: positions.valueAt(envSegments), keyPath: formatKeyPath(envSegments) },
  };
}
