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
import { clip } from './positions.js';
import { type PlainObject, ProblemSink, describeType, has, isObject, own, repoDirname, resolveFrom } from './values.js';

/**
 * What a parser returns: the environment when the file could be used (no problems),
 * and every problem found. A file with any problem yields no environment.
 */
export interface ParseResult {
  environment?: Environment;
  problems: ConfigProblem[];
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
  if (!loaded.ok) return { problems: loaded.problems };
  const { value, locator } = loaded.doc;
  const sink = new ProblemSink(file, locator);
  if (!isObject(value)) {
    sink.atValue([], `a devcontainer.json must contain a JSON object, found ${describeType(value)}`);
    return { problems: sink.problems };
  }
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
  return sink.problems.length > 0 ? { problems: sink.problems } : { environment, problems: [] };
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

/** `build.dockerfile`/`build.context`/`build.args`, or the legacy top-level `dockerFile`/`context` (the CLI prefers the legacy keys). */
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
  const dockerfile = legacyFile ?? buildFile;
  if (dockerfile === undefined || dockerfile.trim() === '') return undefined;
  const fileSegments = legacyFile !== undefined ? ['dockerFile'] : ['build', 'dockerfile'];
  const context = legacyContext ?? buildContext ?? '.';
  const contextSegments = legacyContext !== undefined ? ['context'] : ['build', 'context'];
  const dockerfilePath = resolvePath(dir, dockerfile, fileSegments, sink);
  const contextPath = resolvePath(dir, context, contextSegments, sink);
  if (dockerfilePath === undefined || contextPath === undefined) return undefined;
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
