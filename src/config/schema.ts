/**
 * JSON Schema validation of `.github/prebuilds.yml` with ajv v8 against the published
 * `schema/prebuilds.schema.json` (imported, so the validator and the published file
 * cannot disagree; the bundler inlines it into the action). ajv errors are turned
 * into {@link ConfigProblem}s with positions and readable messages.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schema/prebuilds.schema.json' with { type: 'json' };
import type { ConfigProblem } from './model.js';
import { type KeySegment, type YamlPositions, clip, formatKeyPath, problemAt } from './positions.js';
import { suggest } from './suggest.js';
import { describeType, isObject } from './values.js';

/** The published JSON Schema of `.github/prebuilds.yml`, as loaded from `schema/prebuilds.schema.json`. */
export const PREBUILDS_SCHEMA = schema;

/** Keys allowed in one `prebuilds:` entry (from the schema). */
export const ENTRY_KEYS: readonly string[] = Object.keys(schema.definitions.prebuild.properties);
/** Most entries one `prebuilds:` list may have (the schema's `maxItems`). */
export const MAX_PREBUILD_ENTRIES: number = schema.properties.prebuilds.maxItems;
/** Keys allowed at the top of the file (from the schema). */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(schema.properties);

let compiled: ValidateFunction | undefined;

/** The compiled validator (ajv, all errors, strict mode), compiled once. */
export function prebuildsValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

const PATTERN_MESSAGES: Record<string, string> = {
  schedule: 'must be a cron expression with five fields (minute hour day-of-month month day-of-week)',
  workflow: 'must be the file name of a workflow in `.github/workflows/`, ending in `.yml` or `.yaml`',
  notify: 'must name a user (`@octocat`) or a team (`@org/team`)',
};

/** Converts an ajv instance path (`/prebuilds/0/retention`) to segments, using the value to tell indexes from keys. */
export function pointerToSegments(pointer: string, value: unknown): KeySegment[] {
  if (pointer === '') return [];
  const out: KeySegment[] = [];
  let cur: unknown = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(key)) {
      out.push(Number(key));
      cur = cur[Number(key)];
    } else {
      out.push(key);
      cur = isObject(cur) && Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    }
  }
  return out;
}

function valueAt(value: unknown, segments: readonly KeySegment[]): unknown {
  let cur = value;
  for (const s of segments) {
    if (typeof s === 'number') cur = Array.isArray(cur) ? cur[s] : undefined;
    else cur = isObject(cur) && Object.prototype.hasOwnProperty.call(cur, s) ? cur[s] : undefined;
  }
  return cur;
}

/** `retention`, `notify[1]`: the tail of a key path from its last named key, for messages. */
function label(segments: readonly KeySegment[]): string {
  let i = segments.length - 1;
  while (i > 0 && typeof segments[i] === 'number') i--;
  return formatKeyPath(segments.slice(Math.max(0, i))) || 'the file';
}

/** One ajv error as a problem of `file`, positioned with `positions`. */
function toProblem(file: string, e: ErrorObject, value: unknown, positions: YamlPositions): ConfigProblem {
  const segments = pointerToSegments(e.instancePath, value);
  const actual = valueAt(value, segments);
  const name = `\`${label(segments)}\``;
  const lastKey = [...segments].reverse().find((s): s is string => typeof s === 'string');
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = segments.length === 0 ? TOP_LEVEL_KEYS : ENTRY_KEYS;
      const hint = suggest(key, known);
      const where = segments.length === 0 ? 'at the top of the file' : 'in a prebuild entry';
      const message = `unknown key \`${clip(key)}\` ${where}${hint ? `; did you mean \`${hint}\`?` : `; known keys: ${known.join(', ')}`}`;
      return problemAt(file, positions.keyAt([...segments, key]), message, [...segments, key]);
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return problemAt(file, positions.valueAt(segments), `missing \`${missing}:\` (a list of prebuild configurations)`, segments);
    }
    case 'type':
      return problemAt(
        file,
        positions.valueAt(segments),
        `${name} must be ${typeWords(String((e.params as { type: string }).type))}, found ${describeType(actual)}`,
        segments,
      );
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => `\`${String(v)}\``);
      const hint = typeof actual === 'string' ? suggest(actual, (e.params as { allowedValues: unknown[] }).allowedValues.map(String)) : undefined;
      const found = typeof actual === 'string' ? `\`${clip(actual)}\`` : describeType(actual);
      return problemAt(
        file,
        positions.valueAt(segments),
        `${name} must be one of ${allowed.join(', ')}; found ${found}${hint ? `; did you mean \`${hint}\`?` : ''}`,
        segments,
      );
    }
    case 'not':
      return problemAt(file, positions.keyAt([...segments, 'gitpod']), 'use either `devcontainer` or `gitpod` in one entry, not both', [...segments, 'gitpod']);
    case 'pattern':
      return problemAt(
        file,
        positions.valueAt(segments),
        `${name} ${PATTERN_MESSAGES[lastKey ?? ''] ?? `must match ${String((e.params as { pattern: string }).pattern)}`}`,
        segments,
      );
    case 'minLength':
      return problemAt(file, positions.valueAt(segments), `${name} must not be empty`, segments);
    default:
      return problemAt(file, positions.valueAt(segments), `${name} ${e.message ?? 'is not valid'}`, segments);
  }
}

function typeWords(type: string): string {
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    boolean: '`true` or `false`',
    array: 'a list',
    object: 'a mapping of keys to values',
    'string,array': 'a string or a list of strings',
  };
  return words[type] ?? type;
}

/**
 * Validates a parsed prebuilds.yml document against the schema.
 * @returns problems (empty when valid) and, for each, the entry index it concerns (`-1` for the top level)
 */
export function validatePrebuilds(file: string, value: unknown, positions: YamlPositions): Array<{ problem: ConfigProblem; entry: number }> {
  const validate = prebuildsValidator();
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => {
    const segments = pointerToSegments(e.instancePath, value);
    const entry = segments[0] === 'prebuilds' && typeof segments[1] === 'number' ? segments[1] : -1;
    return { problem: toProblem(file, e, value, positions), entry };
  });
}
