/**
 * Configuration identity (SPEC.md rule 1): a hex sha256 over the canonical JSON
 * (sorted keys, no whitespace) of
 * - `settings`: the entry settings that shape the environment — `environmentFile`,
 *   `environmentFormat`, `incremental` (whether the snapshot is layered on a base)
 *   and `paths` (what the snapshot holds). Not `name`, `branches`, `trigger`,
 *   `schedule`, `pullRequests`, `commitInterval`, `triggerFiles`, `ancestorDepth`,
 *   `retention`, `timeoutMinutes`, `notify`, `workflow`: they decide when and how
 *   often a prebuild runs, not what it contains;
 * - `environment`: the parsed document (so comments, whitespace and key order do not count);
 * - `files`: `path → "sha256:<hex>" | "missing"` for every file the environment
 *   references: the Dockerfile (`build.dockerfile`, Gitpod `image.file`), compose
 *   files, every file under a local feature folder, and the repository scripts the
 *   prebuild commands (`onCreateCommand`, `updateContentCommand` — for Gitpod
 *   `before`/`init`) run, followed one level into shell scripts (see scripts.ts).
 *   Scripts are found by existence, so a script is never "missing"; other
 *   references are.
 * Errors of the {@link FileSource} (network, permissions) propagate: a guessed
 * "missing" would silently change the identity.
 */
import { createHash } from 'node:crypto';
import { singleCommands } from './commands.js';
import type { Environment, FileSource, PrebuildSettings } from './model.js';
import { isShellScript, scriptCandidates, scriptsOfText } from './scripts.js';

/** Bumped when the identity recipe changes (every identity changes with it). */
export const IDENTITY_VERSION = 1;
/** Limits for walking a local feature folder. */
const MAX_FEATURE_FILES = 500;
const MAX_FEATURE_DEPTH = 8;
/** Scripts followed at most this many levels deep, and at most this many in all. */
const MAX_SCRIPT_DEPTH = 2;
const MAX_SCRIPTS = 50;

/** The identity and the repository files whose content went into it. */
export interface IdentityResult {
  /** Hex sha256 (64 characters). */
  identity: string;
  /** Repository-relative paths, sorted: the environment file, referenced files (missing ones included) and, when given, the settings file. */
  identityFiles: string[];
  /**
   * Every repository path the identity depends on, sorted: `identityFiles` plus the
   * script paths the hooks name that do not exist (yet). A change to any of them may
   * change the identity (a push adding a referenced script does).
   */
  dependsOn: string[];
}

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, `undefined`
 * members dropped, values with `toJSON` (YAML dates) serialised through it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON(): unknown }).toJSON());
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  return JSON.stringify(value) ?? 'null';
}

/** Hex sha256 of a string (UTF-8). */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The settings subset that goes into the identity (see the module comment). */
export function identitySettings(settings: PrebuildSettings): Record<string, unknown> {
  return {
    environmentFile: settings.environmentFile,
    environmentFormat: settings.environmentFormat,
    incremental: settings.incremental,
    paths: settings.paths,
  };
}

async function listFilesUnder(source: FileSource, dir: string, out: string[], depth: number): Promise<boolean> {
  const names = await source.list(dir);
  if (names === null) return false;
  for (const name of [...names].sort()) {
    if (out.length >= MAX_FEATURE_FILES) break;
    const child = `${dir}/${name}`;
    const sub = depth < MAX_FEATURE_DEPTH ? await source.list(child) : null;
    if (sub !== null) await listFilesUnder(source, child, out, depth + 1);
    else out.push(child);
  }
  return true;
}

/**
 * Computes the identity of one configuration.
 * @param source the repository at the commit being prebuilt
 * @param settingsFile `.github/prebuilds.yml` when the settings came from it (listed in `identityFiles`)
 */
export async function computeIdentity(
  source: FileSource,
  settings: PrebuildSettings,
  environment: Environment,
  settingsFile?: string,
): Promise<IdentityResult> {
  const files = new Map<string, string>();
  const listed = new Set<string>([environment.file]);
  if (settingsFile) listed.add(settingsFile);
  const hashFile = async (path: string): Promise<void> => {
    if (files.has(path)) return;
    const content = await source.read(path);
    files.set(path, content === null ? 'missing' : `sha256:${sha256(content)}`);
    listed.add(path);
  };
  if (environment.build) await hashFile(environment.build.dockerfile);
  for (const compose of environment.dockerComposeFiles) await hashFile(compose);
  for (const feature of environment.localFeatures ?? []) {
    const found: string[] = [];
    if (!(await listFilesUnder(source, feature, found, 0))) {
      files.set(`${feature}/`, 'missing');
      listed.add(feature);
    }
    for (const f of found) await hashFile(f);
  }
  const looked = await hashScripts(source, environment, files, listed);
  const input = {
    version: IDENTITY_VERSION,
    settings: identitySettings(settings),
    environment: environment.parsed,
    files: Object.fromEntries([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  return { identity: sha256(canonicalJson(input)), identityFiles: [...listed].sort(), dependsOn: [...new Set([...listed, ...looked])].sort() };
}

/**
 * Hashes the existing repository files that the prebuild hooks run, following shell scripts.
 * @returns every candidate path looked at, existing or not
 */
async function hashScripts(source: FileSource, environment: Environment, files: Map<string, string>, listed: Set<string>): Promise<Set<string>> {
  let frontier: string[] = [];
  for (const hook of ['onCreateCommand', 'updateContentCommand'] as const) {
    const command = environment.lifecycle[hook];
    if (command) for (const { command: single } of singleCommands(command)) frontier.push(...scriptCandidates(single));
  }
  const visited = new Set<string>();
  for (let depth = 0; depth <= MAX_SCRIPT_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const path of frontier) {
      if (visited.has(path) || visited.size >= MAX_SCRIPTS) continue;
      visited.add(path);
      if (files.has(path)) continue;
      const content = await source.read(path);
      if (content === null) continue;
      files.set(path, `sha256:${sha256(content)}`);
      listed.add(path);
      if (depth < MAX_SCRIPT_DEPTH && isShellScript(path, content)) next.push(...scriptsOfText(content));
    }
    frontier = next;
  }
  return visited;
}
