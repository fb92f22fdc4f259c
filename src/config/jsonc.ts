/**
 * JSONC loading for devcontainer.json: accepts what @devcontainers/cli accepts
 * (comments, trailing commas; REFERENCE.md "Dev Container lifecycle" / Parsing) but
 * reports real syntax errors with a position, and keeps the syntax tree so later
 * problems can point at the offending key or value.
 */
import { type Node, type ParseError, createScanner, findNodeAtLocation, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { ConfigProblem } from './model.js';
import { type KeySegment, type Position, clip, positionMapper, problemAt } from './positions.js';
import type { Locator } from './values.js';

const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected `:`',
  CommaExpected: 'expected `,`',
  CloseBraceExpected: 'expected `}`',
  CloseBracketExpected: 'expected `]`',
  EndOfFileExpected: 'expected the end of the file after the top-level value',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'unterminated `/*` comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string (control characters must be escaped)',
};

/** At most this many duplicate-key warnings per file. */
const MAX_DUPLICATE_WARNINGS = 20;
/** Only the first syntax error is reported: later ones are usually its echoes. */
const MAX_SYNTAX_PROBLEMS = 1;
/** Nesting deeper than this is refused (jsonc-parser's parser and our consumers recurse). */
export const MAX_JSON_DEPTH = 500;
/** jsonc-parser `SyntaxKind` values (a const enum, unusable under isolatedModules). */
const TOKEN_OPEN_BRACE = 1;
const TOKEN_CLOSE_BRACE = 2;
const TOKEN_OPEN_BRACKET = 3;
const TOKEN_CLOSE_BRACKET = 4;
const TOKEN_EOF = 17;

/** A loaded JSONC document: its plain value, a locator into the text, and warnings (duplicate keys). */
export interface JsoncDocument {
  value: unknown;
  locator: Locator;
  warnings: ConfigProblem[];
}

/** Result of {@link loadJsonc}. */
export type JsoncLoadResult = { ok: true; doc: JsoncDocument } | { ok: false; problems: ConfigProblem[] };

/**
 * Parses JSONC text. Syntax errors (and nesting deeper than {@link MAX_JSON_DEPTH})
 * come back as problems with a 1-based line and column; never throws.
 * @param file repository-relative path for the problems
 */
export function loadJsonc(file: string, text: string): JsoncLoadResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const at = positionMapper(body);
  const tooDeep = firstTooDeepOffset(body);
  if (tooDeep !== null) {
    return { ok: false, problems: [problemAt(file, at(tooDeep), `nesting deeper than ${MAX_JSON_DEPTH} levels is not supported`)] };
  }
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(body, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  } catch (error) {
    return { ok: false, problems: [problemAt(file, { line: 1, column: 1 }, `could not parse JSON: ${String((error as Error)?.message ?? error)}`)] };
  }
  if (errors.length > 0 || root === undefined) {
    const problems = errors.slice(0, MAX_SYNTAX_PROBLEMS).map((e) => {
      const name = printParseErrorCode(e.error);
      return problemAt(file, at(e.offset), `JSON syntax error: ${MESSAGES[name] ?? name}`);
    });
    if (problems.length === 0) problems.push(problemAt(file, { line: 1, column: 1 }, 'JSON syntax error: the file is empty'));
    return { ok: false, problems };
  }
  const locator: Locator = {
    valueAt: (segments) => at(nodeAt(root, segments).offset),
    keyAt: (segments) => keyPosition(root, segments, at),
  };
  const warnings: ConfigProblem[] = [];
  const value = toValue(root, (key, segments) => {
    if (warnings.length < MAX_DUPLICATE_WARNINGS) {
      warnings.push(problemAt(file, at(key.offset), `duplicate key \`${clip(String(key.value))}\`: only its last value counts`, segments));
    }
  });
  return { ok: true, doc: { value, locator, warnings } };
}

/**
 * Offset of the first `{`/`[` nested deeper than {@link MAX_JSON_DEPTH}, found with
 * jsonc-parser's (iterative) scanner before the (recursive) parser runs; `null` if none.
 */
function firstTooDeepOffset(text: string): number | null {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== TOKEN_EOF; kind = scanner.scan()) {
    if (kind === TOKEN_OPEN_BRACE || kind === TOKEN_OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return scanner.getTokenOffset();
    } else if (kind === TOKEN_CLOSE_BRACE || kind === TOKEN_CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return null;
}

/** The node at `segments`, or the nearest existing ancestor. */
function nodeAt(root: Node, segments: readonly KeySegment[]): Node {
  for (let n = segments.length; n > 0; n--) {
    const found = findNodeAtLocation(root, segments.slice(0, n) as KeySegment[]);
    if (found) return found;
  }
  return root;
}

function keyPosition(root: Node, segments: readonly KeySegment[], at: (o: number) => Position): Position {
  const node = nodeAt(root, segments);
  const keyNode = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  return at((keyNode ?? node).offset);
}

/**
 * Converts a syntax tree to a plain value. Unlike jsonc-parser's `getNodeValue`, a
 * `__proto__` key becomes an own property instead of replacing the prototype. A
 * repeated key keeps its last value (as `JSON.parse` and the Dev Container CLI do)
 * and is passed to `onDuplicate` with its key path.
 */
function toValue(node: Node, onDuplicate: (key: Node, segments: KeySegment[]) => void, segments: KeySegment[] = []): unknown {
  switch (node.type) {
    case 'object': {
      const obj: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k || typeof k.value !== 'string') continue;
        const path = [...segments, k.value];
        if (Object.prototype.hasOwnProperty.call(obj, k.value)) onDuplicate(k, path);
        Object.defineProperty(obj, k.value, { value: v ? toValue(v, onDuplicate, path) : null, enumerable: true, writable: true, configurable: true });
      }
      return obj;
    }
    case 'array':
      return (node.children ?? []).map((child, i) => toValue(child, onDuplicate, [...segments, i]));
    default:
      return node.value ?? null;
  }
}
