/**
 * Source positions for configuration problems: offset → 1-based line/column, key
 * paths (`prebuilds[0].retention`), and a position index for YAML documents built
 * from js-yaml's `listener` events (js-yaml itself keeps no positions).
 */
import yaml from 'js-yaml';
import type { ConfigProblem } from './model.js';

/** A path into a parsed document: object keys and array indexes. */
export type KeySegment = string | number;

/** A 1-based line and column (columns count UTF-16 code units, as editors do for BMP text). */
export interface Position {
  line: number;
  column: number;
}

/**
 * Maps character offsets of `text` to 1-based positions. `\n`, `\r\n` and lone `\r`
 * end a line. Offsets past the end clamp to the end of the text.
 */
export function positionMapper(text: string): (offset: number) => Position {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return (offset: number) => {
    const o = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - starts[lo]! + 1 };
  };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Shortens text quoted in messages (keys can be megabytes long in hostile input). */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Formats a path the way problems show it: `prebuilds[0].retention`,
 * `onCreateCommand.install`, `postCreateCommand["Configure Build Tools"]`.
 */
export function formatKeyPath(segments: readonly KeySegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(clip(s))}]`;
  }
  return out;
}

/** Builds a {@link ConfigProblem}; `keyPath` is omitted when `segments` is empty. */
export function problemAt(file: string, pos: Position, message: string, segments?: readonly KeySegment[]): ConfigProblem {
  const p: ConfigProblem = { file, line: Math.max(1, pos.line), column: Math.max(1, pos.column), message };
  if (segments && segments.length > 0) p.keyPath = formatKeyPath(segments);
  return p;
}

/** Skips spaces, line breaks and `#` comments (YAML trivia) from `offset`. */
function skipYamlTrivia(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else break;
  }
  return i;
}

interface EventNode {
  start: number;
  result: unknown;
  children: EventNode[];
}

interface Located {
  value: Position;
  key?: Position;
}

/**
 * Where each node of a YAML document starts, by key path. Lookups fall back to the
 * nearest indexed ancestor, so a position is always available (line 1, column 1 at worst).
 */
export class YamlPositions {
  private readonly byPath = new Map<string, Located>();

  /** Position of the value at `segments` (the node itself). */
  valueAt(segments: readonly KeySegment[]): Position {
    return this.lookup(segments, false);
  }

  /** Position of the key naming `segments` (for unknown keys); the value's position for array items. */
  keyAt(segments: readonly KeySegment[]): Position {
    return this.lookup(segments, true);
  }

  /** @internal used by {@link loadYamlWithPositions} */
  set(segments: readonly KeySegment[], located: Located): void {
    this.byPath.set(pathId(segments), located);
  }

  private lookup(segments: readonly KeySegment[], key: boolean): Position {
    for (let n = segments.length; n >= 0; n--) {
      const found = this.byPath.get(pathId(segments.slice(0, n)));
      if (found) return (key && n === segments.length && found.key) || found.value;
    }
    return { line: 1, column: 1 };
  }
}

function pathId(segments: readonly KeySegment[]): string {
  return JSON.stringify(segments);
}

/** Maximum number of indexed YAML nodes (aliases can make a small text a huge tree). */
const MAX_INDEXED_NODES = 100_000;

/** Result of {@link loadYamlWithPositions}: the value and its positions, or the syntax problem. */
export type YamlLoadResult = { ok: true; value: unknown; positions: YamlPositions } | { ok: false; problem: ConfigProblem };

/**
 * Loads one YAML document (js-yaml v4, YAML 1.2 core schema) and indexes where each
 * node starts. Syntax errors (and js-yaml's nesting limit, `maxDepth` 100) come
 * back as a problem at js-yaml's mark; nothing is thrown.
 * @param file repository-relative path used in the problem
 */
export function loadYamlWithPositions(file: string, text: string): YamlLoadResult {
  const root: EventNode = { start: 0, result: undefined, children: [] };
  const stack: EventNode[] = [root];
  let value: unknown;
  try {
    value = yaml.load(text, {
      filename: file,
      listener(event, state) {
        if (event === 'open') {
          const node: EventNode = { start: state.position, result: undefined, children: [] };
          stack[stack.length - 1]!.children.push(node);
          stack.push(node);
        } else if (stack.length > 1) {
          stack.pop()!.result = state.result;
        }
      },
    });
  } catch (error) {
    return { ok: false, problem: yamlErrorProblem(file, error) };
  }
  const positions = new YamlPositions();
  const at = positionMapper(text);
  const top = root.children[0];
  if (top) indexYaml(text, at, top, positions);
  return { ok: true, value, positions };
}

/** Turns a js-yaml exception (or any error thrown while loading) into a problem at its mark. */
export function yamlErrorProblem(file: string, error: unknown): ConfigProblem {
  if (error instanceof yaml.YAMLException) {
    const mark = error.mark as { line?: number; column?: number } | undefined;
    const reason = error.reason || 'invalid YAML';
    return problemAt(file, { line: (mark?.line ?? 0) + 1, column: (mark?.column ?? 0) + 1 }, `YAML syntax error: ${reason}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return problemAt(file, { line: 1, column: 1 }, `could not read YAML: ${clip(message, 200)}`);
}

/** js-yaml sometimes wraps a node in another open/close pair with the same result: keep the innermost. */
function unwrap(node: EventNode): EventNode {
  let n = node;
  while (n.children.length === 1 && Object.is(n.children[0]!.result, n.result)) n = n.children[0]!;
  return n;
}

function indexYaml(text: string, at: (o: number) => Position, top: EventNode, positions: YamlPositions): void {
  const work: Array<{ node: EventNode; path: KeySegment[]; key?: Position }> = [{ node: top, path: [] }];
  let count = 0;
  while (work.length > 0 && count++ < MAX_INDEXED_NODES) {
    const { node: raw, path, key } = work.pop()!;
    const node = unwrap(raw);
    // An empty value (`name:`) has no text of its own: point at its key.
    const located: Located = { value: node.result === null && key ? key : at(skipYamlTrivia(text, node.start)) };
    if (key) located.key = key;
    positions.set(path, located);
    const result = node.result;
    if (Array.isArray(result)) {
      node.children.forEach((child, i) => {
        if (i < result.length) work.push({ node: child, path: [...path, i] });
      });
    } else if (result !== null && typeof result === 'object') {
      // Children alternate key, value; a key without a value (`{a, b: 1}`) or a merge
      // (`<<: *x`) breaks the rhythm, so a pair is only taken when the value matches.
      const kids = node.children;
      const obj = result as Record<string, unknown>;
      let i = 0;
      while (i < kids.length) {
        const keyNode = unwrap(kids[i]!);
        const k = keyNode.result;
        const name = typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' ? String(k) : undefined;
        const own = name !== undefined && Object.prototype.hasOwnProperty.call(obj, name);
        const next = kids[i + 1];
        if (own && next && Object.is(unwrap(next).result, obj[name])) {
          work.push({ node: next, path: [...path, name], key: at(skipYamlTrivia(text, keyNode.start)) });
          i += 2;
        } else {
          if (own) work.push({ node: keyNode, path: [...path, name], key: at(skipYamlTrivia(text, keyNode.start)) });
          i += 1;
        }
      }
    }
  }
}
