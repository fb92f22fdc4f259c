/**
 * Small helpers shared by the parsers: own-property access (hostile keys like
 * `__proto__` or `constructor` must not reach the prototype), type names for
 * messages, a locator abstraction over JSONC and YAML positions, and path rules.
 */
import path from 'node:path';
import type { ConfigProblem } from './model.js';
import { type KeySegment, type Position, problemAt } from './positions.js';

/** A plain JSON/YAML object (not an array, not null). */
export type PlainObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The own property `key` of `obj`, never an inherited one. */
export function own(obj: PlainObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** True when `obj` has its own property `key`. */
export function has(obj: PlainObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `a string`, `an array`, `null`, … for messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  return typeof value;
}

/** Where nodes of one parsed file are: value and key positions by key path. */
export interface Locator {
  valueAt(segments: readonly KeySegment[]): Position;
  keyAt(segments: readonly KeySegment[]): Position;
}

/**
 * Collects problems of one file with positions taken from a {@link Locator}, and
 * warnings: things that do not stop the configuration but that a person should know
 * (an ignored key, a Gitpod-only command).
 */
export class ProblemSink {
  readonly problems: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];
  constructor(
    readonly file: string,
    readonly locator: Locator,
  ) {}

  /** A problem about the value at `segments` (wrong type, bad value). */
  atValue(segments: readonly KeySegment[], message: string): void {
    this.problems.push(problemAt(this.file, this.locator.valueAt(segments), message, segments));
  }

  /** A problem about the key at `segments` (unknown key, duplicate name). */
  atKey(segments: readonly KeySegment[], message: string): void {
    this.problems.push(problemAt(this.file, this.locator.keyAt(segments), message, segments));
  }

  /** A warning about the value at `segments`. */
  warnAtValue(segments: readonly KeySegment[], message: string): void {
    this.warnings.push(problemAt(this.file, this.locator.valueAt(segments), message, segments));
  }

  /** A warning about the key at `segments` (an unknown or ignored key). */
  warnAtKey(segments: readonly KeySegment[], message: string): void {
    this.warnings.push(problemAt(this.file, this.locator.keyAt(segments), message, segments));
  }
}

/**
 * Normalises a repository-relative path (`./a/../b` → `b`, `.` for the root).
 * Returns `null` when it is absolute or escapes the repository (`../x`).
 */
export function normalizeRepoPath(p: string): string | null {
  if (p === '' || p.includes('\0')) return null;
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed)) return null;
  const n = path.posix.normalize(slashed).replace(/\/+$/, '');
  if (n === '..' || n.startsWith('../')) return null;
  return n === '' ? '.' : n;
}

/** Directory of a repository-relative file (`.` for a file at the root). */
export function repoDirname(file: string): string {
  return path.posix.dirname(file);
}

/**
 * Resolves `p`, written relative to the folder `baseDir` (repository-relative), to a
 * repository-relative path; `null` when the result leaves the repository.
 */
export function resolveFrom(baseDir: string, p: string): string | null {
  const slashed = p.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return null;
  return normalizeRepoPath(path.posix.join(baseDir, slashed));
}

/**
 * Checks that an object is at most `maxDepth` levels deep and has at most `maxNodes`
 * nodes (counting shared YAML alias targets once per reference). Iterative, so it
 * is safe on hostile input. Returns the path of the first node past a limit, or `null`.
 */
export function findOversizedNode(value: unknown, maxDepth = 1000, maxNodes = 1_000_000): { segments: KeySegment[]; reason: 'depth' | 'size' } | null {
  const work: Array<{ v: unknown; depth: number; segments: KeySegment[] }> = [{ v: value, depth: 0, segments: [] }];
  let count = 0;
  while (work.length > 0) {
    const { v, depth, segments } = work.pop()!;
    if (++count > maxNodes) return { segments, reason: 'size' };
    if (depth > maxDepth) return { segments, reason: 'depth' };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) work.push({ v: v[i], depth: depth + 1, segments: depth < 50 ? [...segments, i] : segments });
    } else if (isObject(v)) {
      for (const k of Object.keys(v)) work.push({ v: v[k], depth: depth + 1, segments: depth < 50 ? [...segments, k] : segments });
    }
  }
  return null;
}
