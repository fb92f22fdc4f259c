/**
 * `.gitpod.yml` → {@link Environment}.
 *
 * The mapping (SPEC.md rule 6; Gitpod's task semantics, gitpod-schema.json and its
 * supervisor, which runs a task's parts as `{ before } && { init } && { prebuild }`):
 * - `image: <ref>` → `image`; `image: { file, context }` → `build` (paths relative to
 *   the folder of the .gitpod.yml, i.e. the repository root for the usual location;
 *   `context` defaults to that folder).
 * - For each task, `before && init && prebuild` (the legacy `prebuild:` key runs after
 *   `init`, in prebuilds only) becomes its `updateContentCommand`: a failing `before`
 *   fails the prebuild, as in Gitpod. `before && command` becomes its
 *   `postStartCommand` (what a workspace started from a prebuild runs).
 *   Why updateContent: a full prebuild runs onCreate + updateContent and an
 *   incremental one only updateContent; Gitpod re-runs `before` and `init` in both,
 *   so they must be the updateContent hook. `onCreateCommand` stays empty.
 * - When exactly one task contributes to a hook, the hook is that task's plain
 *   `shell` command; when several do, it is the `parallel` form (Gitpod runs tasks in
 *   parallel terminals) keyed by the task `name`, or `task-N` (N = 1-based position
 *   in `tasks`) for unnamed tasks; a repeated name gets ` (task-N)` appended.
 * - The top-level `env` and then a task's own `env` go into the `env` of each of its
 *   commands (values as strings; the task's value wins).
 * - Keys Gitpod does not know get a warning at their position; a task that runs
 *   `gp` (Gitpod's workspace CLI, absent outside Gitpod) gets a warning too.
 * - `waitFor` is `updateContentCommand`; other keys (ports, vscode, github…) only
 *   count through the parsed document (identity).
 */
import type { ConfigProblem, Environment, LifecycleCommand, SingleCommand } from './model.js';
import type { ParseResult } from './devcontainer.js';
import { setOwn } from './devcontainer.js';
import { type KeySegment, clip, loadYamlWithPositions } from './positions.js';
import { type PlainObject, ProblemSink, describeType, findOversizedNode, isObject, own, repoDirname, resolveFrom } from './values.js';

/** Top-level keys of gitpod-schema.json (current and older versions). */
const TOP_LEVEL_KEYS = new Set([
  'image',
  'tasks',
  'ports',
  'env',
  'vscode',
  'jetbrains',
  'github',
  'gitConfig',
  'checkoutLocation',
  'workspaceLocation',
  'additionalRepositories',
  'mainConfiguration',
  'subRepositories',
  'mainRepository',
  'experimentalNetwork',
  'coreDump',
]);
/** Keys of a task in gitpod-schema.json. */
const TASK_KEYS = new Set(['name', 'before', 'init', 'prebuild', 'command', 'env', 'openIn', 'openMode']);
/** Keys of `image` when it is a mapping. */
const IMAGE_KEYS = new Set(['file', 'context']);

/**
 * `gp` in command position: at the start of a line or after `;`, `&`, `|`, `(`,
 * `` ` ``, `{`, `!`, `then`, `do`, `else` (so `$(gp url 3000)` counts, `grep gp` does not).
 */
const GP_COMMAND = /(?:^|[;&|(`{!]|\b(?:then|do|else)\b)[ \t]*gp(?=[ \t]|$|[;)&|])/m;

/** True when a shell command runs Gitpod's `gp` CLI. */
export function callsGp(command: string): boolean {
  return GP_COMMAND.test(command);
}

interface TaskCommands {
  key: string;
  init?: SingleCommand;
  start?: SingleCommand;
}

/**
 * Joins a task's parts as Gitpod's supervisor does, `{\npart\n} && {\npart\n}`, so a
 * failing part stops the ones after it; a single part is kept as written.
 */
function chain(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p.trim() !== '').map((p) => p.replace(/\n+$/, ''));
  if (present.length <= 1) return present[0];
  return present.map((p) => `{\n${p}\n}`).join(' && ');
}

function shell(command: string | undefined, env: Record<string, string> | undefined): SingleCommand | undefined {
  if (command === undefined) return undefined;
  // Gitpod runs tasks in bash (`source venv/bin/activate` and friends must work).
  return env ? { kind: 'shell', command, env, shell: 'bash' } : { kind: 'shell', command, shell: 'bash' };
}

function combine(tasks: TaskCommands[], pick: 'init' | 'start'): LifecycleCommand | undefined {
  const contributing = tasks.filter((t) => t[pick] !== undefined);
  if (contributing.length === 0) return undefined;
  if (contributing.length === 1) return contributing[0]![pick];
  const commands: Record<string, SingleCommand> = {};
  for (const t of contributing) setOwn(commands, t.key, t[pick]);
  return { kind: 'parallel', commands };
}

function warnUnknownKeys(obj: PlainObject, known: Set<string>, segments: KeySegment[], what: string, sink: ProblemSink): void {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) sink.warnAtKey([...segments, key], `unknown ${what} key \`${clip(key)}\` is ignored (known: ${[...known].join(', ')})`);
  }
}

/**
 * Parses a `.gitpod.yml`.
 * @param file repository-relative path of the file (normally `.gitpod.yml`)
 * @param text the YAML content
 * @returns the environment (absent when anything is wrong), the problems and the warnings; never throws
 */
export function parseGitpod(file: string, text: string): ParseResult {
  const loaded = loadYamlWithPositions(file, text);
  if (!loaded.ok) return { problems: [loaded.problem], warnings: [] };
  const { value, positions } = loaded;
  const sink = new ProblemSink(file, positions);
  const oversized = findOversizedNode(value, 100, 100_000);
  if (oversized) {
    sink.atValue(oversized.segments, 'the document is too large or too deeply nested (aliases included)');
    return { problems: sink.problems, warnings: [] };
  }
  const doc: PlainObject = value === null || value === undefined ? {} : (value as PlainObject);
  if (!isObject(doc)) {
    sink.atValue([], `a .gitpod.yml must be a mapping, found ${describeType(value)}`);
    return { problems: sink.problems, warnings: [] };
  }
  warnUnknownKeys(doc, TOP_LEVEL_KEYS, [], 'top-level', sink);
  const environment: Environment = {
    format: 'gitpod',
    file,
    lifecycle: {},
    waitFor: 'updateContentCommand',
    dockerComposeFiles: [],
    features: {},
    containerEnv: {},
    remoteEnv: {},
    parsed: doc,
  };
  readImage(doc, repoDirname(file), environment, sink);
  const globalEnv = readEnvMapping(own(doc, 'env'), ['env'], sink);
  const tasks = readTasks(doc, globalEnv, sink);
  const init = combine(tasks, 'init');
  const start = combine(tasks, 'start');
  if (init) environment.lifecycle.updateContentCommand = init;
  if (start) environment.lifecycle.postStartCommand = start;
  const warnings: ConfigProblem[] = sink.warnings;
  return sink.problems.length > 0 ? { problems: sink.problems, warnings } : { environment, problems: [], warnings };
}

function readImage(doc: PlainObject, dir: string, environment: Environment, sink: ProblemSink): void {
  const image = own(doc, 'image');
  if (image === undefined || image === null) return;
  if (typeof image === 'string') {
    if (image.trim() !== '') environment.image = image;
    return;
  }
  if (!isObject(image)) {
    sink.atValue(['image'], `\`image\` must be an image reference or a mapping with \`file\`, found ${describeType(image)}`);
    return;
  }
  warnUnknownKeys(image, IMAGE_KEYS, ['image'], '`image`', sink);
  const file = own(image, 'file');
  const context = own(image, 'context') ?? '.';
  if (typeof file !== 'string' || file.trim() === '') {
    sink.atValue(file === undefined ? ['image'] : ['image', 'file'], '`image.file` must be the path of a Dockerfile');
    return;
  }
  if (typeof context !== 'string') {
    sink.atValue(['image', 'context'], `\`image.context\` must be a path, found ${describeType(context)}`);
    return;
  }
  const dockerfile = resolveFrom(dir, file);
  const contextPath = resolveFrom(dir, context);
  if (dockerfile === null) sink.atValue(['image', 'file'], `\`${clip(file)}\` points outside the repository`);
  if (contextPath === null) sink.atValue(['image', 'context'], `\`${clip(context)}\` points outside the repository`);
  if (dockerfile !== null && contextPath !== null) environment.build = { dockerfile, context: contextPath, args: {} };
}

function optionalText(task: PlainObject, key: string, segments: Array<string | number>, sink: ProblemSink): string | undefined {
  const v = own(task, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  sink.atValue(segments, `\`${key}\` must be a shell command (a string), found ${describeType(v)}`);
  return undefined;
}

function readTasks(doc: PlainObject, globalEnv: Record<string, string> | undefined, sink: ProblemSink): TaskCommands[] {
  const raw = own(doc, 'tasks');
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    sink.atValue(['tasks'], `\`tasks\` must be a list of tasks, found ${describeType(raw)}`);
    return [];
  }
  const out: TaskCommands[] = [];
  const used = new Set<string>();
  raw.forEach((task, i) => {
    if (task === null) return;
    if (!isObject(task)) {
      sink.atValue(['tasks', i], `a task must be a mapping (with \`init\`, \`command\`, …), found ${describeType(task)}`);
      return;
    }
    warnUnknownKeys(task, TASK_KEYS, ['tasks', i], 'task', sink);
    const before = optionalText(task, 'before', ['tasks', i, 'before'], sink);
    const init = optionalText(task, 'init', ['tasks', i, 'init'], sink);
    const prebuild = optionalText(task, 'prebuild', ['tasks', i, 'prebuild'], sink);
    const command = optionalText(task, 'command', ['tasks', i, 'command'], sink);
    const rawName = own(task, 'name');
    if (rawName !== undefined && rawName !== null && typeof rawName !== 'string' && typeof rawName !== 'number') {
      sink.atValue(['tasks', i, 'name'], `\`name\` must be a string, found ${describeType(rawName)}`);
    }
    let key = typeof rawName === 'string' || typeof rawName === 'number' ? String(rawName).trim() : '';
    if (key === '') key = `task-${i + 1}`;
    if (used.has(key)) key = `${key} (task-${i + 1})`;
    used.add(key);
    warnGp(key, i, { before, init, prebuild, command }, sink);
    const taskEnv = readEnvMapping(own(task, 'env'), ['tasks', i, 'env'], sink);
    const env = globalEnv || taskEnv ? { ...globalEnv, ...taskEnv } : undefined;
    const t: TaskCommands = { key };
    const initCommand = shell(chain(before, init, prebuild), env);
    const startCommand = shell(chain(before, command), env);
    if (initCommand) t.init = initCommand;
    if (startCommand) t.start = startCommand;
    out.push(t);
  });
  return out;
}

/** Warns once per task part that runs `gp`: in `before`/`init`/`prebuild` it breaks the prebuild, in `command` the started workspace. */
function warnGp(key: string, i: number, parts: Record<'before' | 'init' | 'prebuild' | 'command', string | undefined>, sink: ProblemSink): void {
  for (const part of ['before', 'init', 'prebuild', 'command'] as const) {
    const text = parts[part];
    if (text === undefined || !callsGp(text)) continue;
    const effect =
      part === 'command'
        ? 'the started workspace runs it (postStartCommand) and it fails there'
        : `the prebuild runs this \`${part}\` and \`gp\` is not found there (a failing \`before\`, \`init\` or \`prebuild\` fails the prebuild)`;
    sink.warnAtValue(
      ['tasks', i, part],
      `task \`${clip(key)}\` calls \`gp\` in \`${part}\`: \`gp\` is Gitpod's workspace CLI and does not exist outside Gitpod; ${effect}`,
    );
  }
}

/** An `env` mapping (top-level or a task's): values as strings; `undefined` when absent or empty. */
function readEnvMapping(raw: unknown, segments: KeySegment[], sink: ProblemSink): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    sink.atValue(segments, `\`env\` must be a mapping of variable names to values, found ${describeType(raw)}`);
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const v = raw[name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') setOwn(env, name, String(v));
    else if (v !== null) sink.atValue([...segments, name], `environment values must be strings, found ${describeType(v)}`);
  }
  return Object.keys(env).length > 0 ? env : undefined;
}
