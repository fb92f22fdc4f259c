/**
 * `.gitpod.yml` → {@link Environment}.
 *
 * The mapping (SPEC.md rule 6; seeds 001/003 on Gitpod prebuilds):
 * - `image: <ref>` → `image`; `image: { file, context }` → `build` (paths relative to
 *   the folder of the .gitpod.yml, i.e. the repository root for the usual location;
 *   `context` defaults to that folder).
 * - For each task, `before` + `init` (joined by a newline, run in one shell) become its
 *   `updateContentCommand`, and `before` + `command` its `postStartCommand`.
 *   Why: a full prebuild runs onCreate + updateContent and an incremental one only
 *   updateContent; Gitpod re-runs `before` and `init` in both, so they must be the
 *   updateContent hook. `onCreateCommand` stays empty.
 * - When exactly one task contributes to a hook, the hook is that task's plain
 *   `shell` command; when several do, it is the `parallel` form (Gitpod runs tasks in
 *   parallel terminals) keyed by the task `name`, or `task-N` (N = 1-based position
 *   in `tasks`) for unnamed tasks; a repeated name gets ` (task-N)` appended.
 * - A task's `env` goes into the `env` of each of its commands (values as strings).
 * - `waitFor` is `updateContentCommand`; other keys (ports, vscode, github…) only
 *   count through the parsed document (identity).
 */
import type { Environment, LifecycleCommand, SingleCommand } from './model.js';
import type { ParseResult } from './devcontainer.js';
import { setOwn } from './devcontainer.js';
import { clip, loadYamlWithPositions } from './positions.js';
import { type PlainObject, ProblemSink, describeType, findOversizedNode, isObject, own, repoDirname, resolveFrom } from './values.js';

interface TaskCommands {
  key: string;
  init?: SingleCommand;
  start?: SingleCommand;
}

function join(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p.trim() !== '');
  return present.length > 0 ? present.map((p) => p.replace(/\n+$/, '')).join('\n') : undefined;
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

/**
 * Parses a `.gitpod.yml`.
 * @param file repository-relative path of the file (normally `.gitpod.yml`)
 * @param text the YAML content
 * @returns the environment (absent when anything is wrong) and the problems; never throws
 */
export function parseGitpod(file: string, text: string): ParseResult {
  const loaded = loadYamlWithPositions(file, text);
  if (!loaded.ok) return { problems: [loaded.problem] };
  const { value, positions } = loaded;
  const sink = new ProblemSink(file, positions);
  const oversized = findOversizedNode(value, 100, 100_000);
  if (oversized) {
    sink.atValue(oversized.segments, 'the document is too large or too deeply nested (aliases included)');
    return { problems: sink.problems };
  }
  const doc: PlainObject = value === null || value === undefined ? {} : (value as PlainObject);
  if (!isObject(doc)) {
    sink.atValue([], `a .gitpod.yml must be a mapping, found ${describeType(value)}`);
    return { problems: sink.problems };
  }
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
  const tasks = readTasks(doc, sink);
  const init = combine(tasks, 'init');
  const start = combine(tasks, 'start');
  if (init) environment.lifecycle.updateContentCommand = init;
  if (start) environment.lifecycle.postStartCommand = start;
  return sink.problems.length > 0 ? { problems: sink.problems } : { environment, problems: [] };
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

function readTasks(doc: PlainObject, sink: ProblemSink): TaskCommands[] {
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
    const before = optionalText(task, 'before', ['tasks', i, 'before'], sink);
    const init = optionalText(task, 'init', ['tasks', i, 'init'], sink);
    const command = optionalText(task, 'command', ['tasks', i, 'command'], sink);
    const rawName = own(task, 'name');
    if (rawName !== undefined && rawName !== null && typeof rawName !== 'string' && typeof rawName !== 'number') {
      sink.atValue(['tasks', i, 'name'], `\`name\` must be a string, found ${describeType(rawName)}`);
    }
    let key = typeof rawName === 'string' || typeof rawName === 'number' ? String(rawName).trim() : '';
    if (key === '') key = `task-${i + 1}`;
    if (used.has(key)) key = `${key} (task-${i + 1})`;
    used.add(key);
    const env = readTaskEnv(task, i, sink);
    const t: TaskCommands = { key };
    const initCommand = shell(join(before, init), env);
    const startCommand = shell(join(before, command), env);
    if (initCommand) t.init = initCommand;
    if (startCommand) t.start = startCommand;
    out.push(t);
  });
  return out;
}

function readTaskEnv(task: PlainObject, i: number, sink: ProblemSink): Record<string, string> | undefined {
  const raw = own(task, 'env');
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    sink.atValue(['tasks', i, 'env'], `\`env\` must be a mapping of variable names to values, found ${describeType(raw)}`);
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    const v = raw[name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') setOwn(env, name, String(v));
    else if (v !== null) sink.atValue(['tasks', i, 'env', name], `environment values must be strings, found ${describeType(v)}`);
  }
  return Object.keys(env).length > 0 ? env : undefined;
}
