/**
 * devcontainer.json → {@link Environment} (Dev Container specification,
 * containers.dev/implementors/json_reference; REFERENCE.md "Dev Container lifecycle").
 * Paths in `build`, legacy `dockerFile`/`context`, `dockerComposeFile` and local
 * features (`./x`) are relative to the folder of the devcontainer.json and are made
 * repository-relative here.
 */
import type { ConfigProblem, Environment } from './model.js';
import { readLifecycle, readWaitFor } from './commands.js';
import { loadJsonc } from './jsonc.js';
import { type KeySegment, clip } from './positions.js';
import { unnamedEnvironmentReferences } from './substitute.js';
import { type PlainObject, ProblemSink, describeType, has, isObject, own, repoDirname, resolveFrom } from './values.js';

/**
 * What a parser returns: the environment when the file could be used (no problems),
 * every problem found, and warnings (the file is used, but something in it is
 * ignored or will not work as the author may expect). A file with any problem yields
 * no environment.
 */
export interface ParseResult {
  environment?: Environment;
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Local feature references start with `./` or `../` (Dev Container Features spec, "Locally referenced"). */
export function isLocalFeature(id: string): boolean {
  return id.startsWith('./') || id.startsWith('../');
}

/**
 * Parses a devcontainer.json.
 * @param file repository-relative path of the file (e.g. `.devcontainer/devcontainer.json`); base of relative paths
 * @param text the file content (JSONC)
 * @returns the environment (absent when anything is wrong) and the problems; never throws
 */
export function parseDevcontainer(file: string, text: string): ParseResult {
  const loaded = loadJsonc(file, text);
  if (!loaded.ok) return { problems: loaded.problems, warnings: [] };
  const { value, locator } = loaded.doc;
  const sink = new ProblemSink(file, locator);
  if (!isObject(value)) {
    sink.atValue([], `a devcontainer.json must contain a JSON object, found ${describeType(value)}`);
    return { problems: sink.problems, warnings: [] };
  }
  reportUnnamedReferences(value, sink);
  const dir = repoDirname(file);
  const environment: Environment = {
    format: 'devcontainer',
    file,
    lifecycle: readLifecycle(value, sink),
    waitFor: readWaitFor(value, sink),
    dockerComposeFiles: readComposeFiles(value, dir, sink),
    features: {},
    containerEnv: readEnv(value, 'containerEnv', sink, false),
    remoteEnv: readEnv(value, 'remoteEnv', sink, true),
    parsed: value,
  };
  const image = own(value, 'image');
  if (typeof image === 'string') {
    if (image.trim() !== '') environment.image = image;
  } else if (image !== undefined && image !== null) {
    sink.atValue(['image'], `\`image\` must be a string, found ${describeType(image)}`);
  }
  const build = readBuild(value, dir, sink);
  if (build) environment.build = build;
  const features = readFeatures(value, dir, sink);
  environment.features = features.features;
  if (features.local.length > 0) environment.localFeatures = features.local;
  const warnings = [...loaded.doc.warnings, ...sink.warnings];
  return sink.problems.length > 0 ? { problems: sink.problems, warnings } : { environment, problems: [], warnings };
}

/**
 * `${localEnv}` / `${localEnv:}` (and `env`, `containerEnv`) name no variable: the CLI
 * fails on them when it substitutes the file, so they are problems at the string.
 * Walks every string value (keys are not substituted), iteratively.
 */
function reportUnnamedReferences(doc: PlainObject, sink: ProblemSink): void {
  const work: Array<{ v: unknown; segments: KeySegment[] }> = [{ v: doc, segments: [] }];
  while (work.length > 0) {
    const { v, segments } = work.pop()!;
    if (typeof v === 'string') {
      const [first] = unnamedEnvironmentReferences(v);
      if (first) sink.atValue(segments, `\`${first.text}\` names no environment variable (write \`\${localEnv:NAME}\` or \`\${localEnv:NAME:default}\`)`);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) work.push({ v: v[i], segments: [...segments, i] });
    } else if (isObject(v)) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) work.push({ v: v[keys[i]!], segments: [...segments, keys[i]!] });
    }
  }
}

function optionalString(obj: PlainObject, key: string, segments: string[], sink: ProblemSink): string | undefined {
  const v = own(obj, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  sink.atValue(segments, `\`${key}\` must be a string, found ${describeType(v)}`);
  return undefined;
}

function resolvePath(dir: string, p: string, segments: Array<string | number>, sink: ProblemSink): string | undefined {
  const resolved = resolveFrom(dir, p);
  if (resolved === null) {
    sink.atValue(segments, `\`${clip(p)}\` points outside the repository`);
    return undefined;
  }
  return resolved;
}

/**
 * `build.dockerfile`/`build.context`/`build.args`, or the legacy top-level
 * `dockerFile`/`context`, resolved as @devcontainers/cli does (`getDockerfilePath`,
 * `getDockerContextPath` in its container helpers):
 * - with a top-level `dockerFile`, the Dockerfile is that one and the context is the
 *   top-level `context` (a `build.context` is ignored: warned);
 * - otherwise `build.dockerfile` and `build.context` (a top-level `context` is
 *   ignored: warned);
 * - without a context (or an empty one), the context is the Dockerfile's folder.
 */
function readBuild(doc: PlainObject, dir: string, sink: ProblemSink): Environment['build'] {
  const rawBuild = own(doc, 'build');
  let build: PlainObject = {};
  if (isObject(rawBuild)) build = rawBuild;
  else if (rawBuild !== undefined && rawBuild !== null) sink.atValue(['build'], `\`build\` must be an object, found ${describeType(rawBuild)}`);
  const legacyFile = optionalString(doc, 'dockerFile', ['dockerFile'], sink);
  const legacyContext = optionalString(doc, 'context', ['context'], sink);
  const buildFile = optionalString(build, 'dockerfile', ['build', 'dockerfile'], sink);
  const buildContext = optionalString(build, 'context', ['build', 'context'], sink);
  const args: Record<string, string> = {};
  const rawArgs = own(build, 'args');
  if (isObject(rawArgs)) {
    for (const k of Object.keys(rawArgs)) {
      const v = rawArgs[k];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') setOwn(args, k, String(v));
      else sink.atValue(['build', 'args', k], `build arguments must be strings, found ${describeType(v)}`);
    }
  } else if (rawArgs !== undefined && rawArgs !== null) {
    sink.atValue(['build', 'args'], `\`build.args\` must be an object, found ${describeType(rawArgs)}`);
  }
  const legacy = legacyFile !== undefined && legacyFile.trim() !== '';
  const dockerfile = legacy ? legacyFile : buildFile;
  if (dockerfile === undefined || dockerfile.trim() === '') return undefined;
  const fileSegments = legacy ? ['dockerFile'] : ['build', 'dockerfile'];
  const context = legacy ? legacyContext : buildContext;
  const contextSegments = legacy ? ['context'] : ['build', 'context'];
  if (legacy && buildContext !== undefined) {
    sink.warnAtKey(
      ['build', 'context'],
      '`build.context` is ignored next to the legacy `dockerFile` (the Dev Container CLI reads the top-level `context` then): move `dockerFile` to `build.dockerfile`',
    );
  } else if (!legacy && legacyContext !== undefined) {
    sink.warnAtKey(
      ['context'],
      'the top-level `context` is ignored next to `build.dockerfile` (the Dev Container CLI reads `build.context` then): move it to `build.context`',
    );
  }
  const dockerfilePath = resolvePath(dir, dockerfile, fileSegments, sink);
  if (dockerfilePath === undefined) return undefined;
  if (context === undefined || context === '') return { dockerfile: dockerfilePath, context: repoDirname(dockerfilePath), args };
  const contextPath = resolvePath(dir, context, contextSegments, sink);
  if (contextPath === undefined) return undefined;
  return { dockerfile: dockerfilePath, context: contextPath, args };
}

function readComposeFiles(doc: PlainObject, dir: string, sink: ProblemSink): string[] {
  const raw = own(doc, 'dockerComposeFile');
  if (raw === undefined || raw === null) return [];
  const list: unknown[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (typeof raw !== 'string' && !Array.isArray(raw)) {
    sink.atValue(['dockerComposeFile'], `\`dockerComposeFile\` must be a string or an array of strings, found ${describeType(raw)}`);
  }
  const out: string[] = [];
  list.forEach((p, i) => {
    const segments = typeof raw === 'string' ? ['dockerComposeFile'] : ['dockerComposeFile', i];
    if (typeof p !== 'string') {
      sink.atValue(segments, `compose file paths must be strings, found ${describeType(p)}`);
      return;
    }
    if (p.trim() === '') return;
    const resolved = resolvePath(dir, p, segments, sink);
    if (resolved !== undefined) out.push(resolved);
  });
  return out;
}

function readFeatures(doc: PlainObject, dir: string, sink: ProblemSink): { features: Record<string, unknown>; local: string[] } {
  const raw = own(doc, 'features');
  const features: Record<string, unknown> = {};
  const local: string[] = [];
  if (raw === undefined || raw === null) return { features, local };
  if (!isObject(raw)) {
    sink.atValue(['features'], `\`features\` must be an object of feature ids and options, found ${describeType(raw)}`);
    return { features, local };
  }
  for (const id of Object.keys(raw)) {
    let key = id;
    if (isLocalFeature(id)) {
      const resolved = resolvePath(dir, id, ['features', id], sink);
      if (resolved === undefined) continue;
      key = resolved;
      local.push(resolved);
    }
    setOwn(features, key, raw[id]);
  }
  return { features, local: [...new Set(local)].sort() };
}

/** `containerEnv` / `remoteEnv`: string values (numbers and booleans are converted; `remoteEnv` allows `null` = unset). */
function readEnv(doc: PlainObject, key: 'containerEnv' | 'remoteEnv', sink: ProblemSink, allowNull: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!has(doc, key)) return out;
  const raw = own(doc, key);
  if (raw === null) return out;
  if (!isObject(raw)) {
    sink.atValue([key], `\`${key}\` must be an object of variable names and values, found ${describeType(raw)}`);
    return out;
  }
  for (const name of Object.keys(raw)) {
    const v = raw[name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') setOwn(out, name, String(v));
    else if (!(v === null && allowNull)) sink.atValue([key, name], `environment values must be strings, found ${describeType(v)}`);
  }
  return out;
}

/** Sets an own, enumerable property even for keys like `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
