import { OVERRIDABLE_SETTINGS } from '../store/overrides.js';
import type { ConfigurationOverrides, PrebuildState, RepoRef } from '../store/types.js';
import { configurationFromId } from './configuration-id.js';
import { badRequest } from './http.js';

/**
 * Input validation of the management API. Every function returns the parsed value
 * or throws `ApiError` 400 naming the field; nothing unvalidated reaches the store
 * or GitHub.
 */

/** Every prebuild state, for `status` filters. */
export const PREBUILD_STATES: readonly PrebuildState[] = [
  'waiting',
  'dispatched',
  'running',
  'success',
  'failure',
  'cancelled',
  'superseded',
  'timed_out',
  'expired',
];

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const SHA = /^[0-9a-f]{7,40}$/i;
// eslint-disable-next-line no-control-regex -- git refuses control characters in ref names, so must we
const BRANCH = /^(?!\/)(?!.*\.\.)(?!.*\/\/)[^\u0000-\u0020~^:?*[\\\u007f]{1,255}(?<![/.])$/;

/** A repository `owner`/`repo` pair from path segments. */
export function parseRepo(owner: string, repo: string): RepoRef {
  if (!OWNER.test(owner)) throw badRequest('owner', 'not a GitHub user or organisation login');
  if (!REPO.test(repo) || repo === '.' || repo === '..') throw badRequest('repo', 'not a repository name');
  return { owner, repo };
}

/** `owner/repo` as given in a `repository` filter. */
export function parseFullName(value: string, field = 'repository'): RepoRef {
  const [owner, repo, extra] = value.split('/');
  if (owner === undefined || repo === undefined || extra !== undefined) throw badRequest(field, 'must be owner/repo');
  try {
    return parseRepo(owner, repo);
  } catch {
    throw badRequest(field, 'must be owner/repo');
  }
}

/**
 * A configuration name: what `.github/prebuilds.yml` accepts (a string of 1–100
 * characters, counted as Unicode code points like its JSON schema), well-formed Unicode.
 * Names reach HTML only escaped and URLs only as ids (`configurationId` in configuration-id.ts).
 */
export function parseConfiguration(value: unknown, field = 'configuration'): string {
  if (typeof value !== 'string') throw badRequest(field, 'not a configuration name');
  const length = [...value].length;
  if (length < 1 || length > 100) throw badRequest(field, 'a configuration name has 1 to 100 characters');
  if (!isWellFormed(value)) throw badRequest(field, 'not valid Unicode');
  return value;
}

/**
 * The configuration named by a path segment: its URL-safe id (`configurationId`),
 * or the percent-encoded name.
 * @throws ApiError 400 naming `field` for an id no name has, or a name prebuilds.yml would refuse
 */
export function parseConfigurationSegment(segment: string | undefined, field = 'name'): string {
  const name = configurationFromId(segment ?? '');
  if (name === null) throw badRequest(field, "not a configuration id (the API lists each configuration's `id`)");
  return parseConfiguration(name, field);
}

/** True when a string has no lone surrogate (it survives UTF-8). */
function isWellFormed(value: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

/** A positive integer id (prebuild, token). */
export function parseId(value: unknown, field = 'id'): number {
  const s = typeof value === 'number' ? String(value) : value;
  if (typeof s !== 'string' || !/^[1-9]\d{0,15}$/.test(s)) throw badRequest(field, 'must be a positive integer');
  return Number(s);
}

/** A commit sha, full or abbreviated (7–40 hex digits), lower-cased. */
export function parseSha(value: unknown, field = 'sha'): string {
  if (typeof value !== 'string' || !SHA.test(value)) throw badRequest(field, 'must be a commit sha of 7 to 40 hex digits');
  return value.toLowerCase();
}

/** A branch name (git's ref-name rules, roughly). */
export function parseBranch(value: unknown, field = 'branch'): string {
  if (typeof value !== 'string' || !BRANCH.test(value) || value.endsWith('.lock')) throw badRequest(field, 'not a valid branch name');
  return value;
}

/** A comma-separated list of prebuild states. */
export function parseStates(value: string, field = 'status'): PrebuildState[] {
  const states = value.split(',').map((s) => s.trim());
  for (const s of states) {
    if (!PREBUILD_STATES.includes(s as PrebuildState)) throw badRequest(field, `unknown status "${s}"; one of ${PREBUILD_STATES.join(', ')}`);
  }
  return states as PrebuildState[];
}

/** A page size: 1–100, default 30. */
export function parseLimit(value: string | null, field = 'limit'): number {
  if (value === null) return 30;
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 100) throw badRequest(field, 'must be an integer from 1 to 100');
  return Number(value);
}

/** A report period: `<n>d` or `<n>h` (1h … 365d), as milliseconds. Default 7d. */
export function parsePeriod(value: string | null, field = 'period'): { label: string; ms: number } {
  const label = value ?? '7d';
  const m = /^([1-9]\d{0,3})([dh])$/.exec(label);
  if (!m) throw badRequest(field, 'must be a number of days or hours, like 7d or 12h');
  const ms = Number(m[1]) * (m[2] === 'd' ? 86_400_000 : 3_600_000);
  if (ms > 365 * 86_400_000) throw badRequest(field, 'must be at most 365d');
  return { label, ms };
}

/** Query parameters a route accepts; any other is a 400 naming it. */
export function onlyParams(query: URLSearchParams, allowed: string[]): void {
  for (const key of query.keys()) if (!allowed.includes(key)) throw badRequest(key, `unknown parameter; accepted: ${allowed.join(', ') || 'none'}`);
}

/** Body keys a route accepts; any other is a 400 naming it. */
export function onlyKeys(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) if (!allowed.includes(key)) throw badRequest(key, `unknown field; accepted: ${allowed.join(', ')}`);
}

/** What `PATCH …/configurations/{name}` changes: overrides to set, to clear (`null`), and `paused`. */
export interface ConfigurationUpdate {
  set: ConfigurationOverrides;
  clear: Array<keyof ConfigurationOverrides>;
  paused?: boolean;
}

/**
 * Parses an update body: `commitInterval` (1–10000), `triggerFiles` (≤ 50 globs),
 * `retention` (1–100), `paused` (boolean); `null` clears an override.
 */
export function parseConfigurationUpdate(body: Record<string, unknown>): ConfigurationUpdate {
  onlyKeys(body, [...OVERRIDABLE_SETTINGS, 'paused']);
  if (Object.keys(body).length === 0) throw badRequest('body', `give at least one of ${[...OVERRIDABLE_SETTINGS, 'paused'].join(', ')}`);
  const out: ConfigurationUpdate = { set: {}, clear: [] };
  for (const key of OVERRIDABLE_SETTINGS) {
    if (!(key in body)) continue;
    const v = body[key];
    if (v === null) {
      out.clear.push(key);
      continue;
    }
    if (key === 'triggerFiles') {
      if (!Array.isArray(v) || v.length > 50 || !v.every((g) => typeof g === 'string' && g.length > 0 && g.length <= 200)) {
        throw badRequest(key, 'must be a list of at most 50 non-empty globs');
      }
      out.set.triggerFiles = v as string[];
    } else {
      const max = key === 'retention' ? 100 : 10_000;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw badRequest(key, `must be an integer from 1 to ${max}`);
      out.set[key] = v;
    }
  }
  if ('paused' in body) {
    if (typeof body.paused !== 'boolean') throw badRequest('paused', 'must be true or false');
    out.paused = body.paused;
  }
  return out;
}
