/**
 * Evaluates the template tokens of a workflow or action file (as
 * `@actions/workflow-parser` read them) with GitHub's expression library,
 * `@actions/expressions`: contexts (`github`, `inputs`, `vars`, `secrets`, `env`,
 * `steps`, `runner`, `job`, `matrix`, …), GitHub's functions (`format`, `toJSON`,
 * `fromJSON`, `contains`, …) and, in `if:`, the status functions `success()`,
 * `failure()`, `cancelled()` and `always()`. A string with `${{ }}` inside is one
 * `format(…)` expression (the parser's doing), so interpolation is GitHub's too.
 * `hashFiles(…)` (hash-files.ts) is there when the context names the workspace.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { hashFiles } from './hash-files.js';
import type { BasicExpressionToken } from '@actions/workflow-parser/templates/tokens/basic-expression-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isBasicExpression, isLiteral, isMapping, isSequence } from '@actions/workflow-parser/templates/tokens/type-guards';

/** An expression that does not parse or evaluate (GitHub: "The template is not valid."). */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** The named contexts (plain JSON values) and, in `if:`, the job status the status functions read. */
export interface ExprContext {
  contexts: Record<string, unknown>;
  /** Job status for the status functions (`if:` only); absent: they are unknown functions. */
  status?: 'success' | 'failure' | 'cancelled';
  /** The job's workspace, where `hashFiles` looks; absent: `hashFiles` is an unknown function. */
  workspace?: string;
}

function statusFunctions(status: NonNullable<ExprContext['status']>): FunctionDefinition[] {
  const fn = (name: string, value: boolean): FunctionDefinition => ({ name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) });
  return [fn('success', status === 'success'), fn('failure', status === 'failure'), fn('cancelled', status === 'cancelled'), fn('always', true)];
}

/** Parse trees of expressions evaluated without functions of their own (dispatches: `run-name`, job names), by text and context names. */
const trees = new Map<string, ReturnType<Parser['parse']>>();
const TREES_KEPT = 500;

/** The parse tree of `expression` (cached when no status function or `hashFiles` is given: nothing else differs between calls). */
function parse(expression: string, contextNames: string[], functions: FunctionDefinition[]): ReturnType<Parser['parse']> {
  if (functions.length > 0) return new Parser(new Lexer(expression).lex().tokens, contextNames, functions).parse();
  const key = `${contextNames.join(',')}\0${expression}`;
  let tree = trees.get(key);
  if (!tree) {
    tree = new Parser(new Lexer(expression).lex().tokens, contextNames, functions).parse();
    if (trees.size >= TREES_KEPT) trees.delete(trees.keys().next().value!);
    trees.set(key, tree);
  }
  return tree;
}

/**
 * Evaluates one expression (the text inside `${{ }}`).
 * @throws TemplateError when it does not parse (an unknown context or function included) or evaluate
 */
export function evaluateExpression(expression: string, ctx: ExprContext): data.ExpressionData {
  const functions = ctx.status ? statusFunctions(ctx.status) : [];
  const workspace = ctx.workspace;
  if (workspace !== undefined)
    functions.push({
      name: 'hashFiles',
      minArgs: 1,
      maxArgs: 255,
      call: (...args) =>
        new data.StringData(
          hashFiles(
            workspace,
            args.map((a) => a.coerceString()),
          ),
        ),
    });
  try {
    const names = Object.keys(ctx.contexts);
    const tree = parse(expression, names, functions);
    // Only the contexts the expression can name are converted (a superset: every name its text contains).
    const lower = expression.toLowerCase();
    const used: Record<string, unknown> = {};
    for (const name of names) if (lower.includes(name.toLowerCase())) used[name] = ctx.contexts[name];
    const contexts = JSON.parse(JSON.stringify(used), data.reviver) as data.Dictionary;
    // The evaluator looks function names up lower-cased.
    return new Evaluator(tree, contexts, new Map(functions.map((f) => [f.name.toLowerCase(), f]))).evaluate();
  } catch (err) {
    throw new TemplateError(`${(err as Error).message} in expression: ${expression}`);
  }
}

/** An expression result as plain JSON (null for null). */
export function plain(value: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(value, data.replacer) ?? 'null');
}

/**
 * Evaluates a token to plain JSON: literals as they are, expressions evaluated,
 * mappings and sequences item by item.
 * @throws TemplateError for a bad expression or an `${{ insert }}` (not supported)
 */
export function evaluateToken(token: TemplateToken | undefined, ctx: ExprContext): unknown {
  if (token === undefined) return null;
  if (isBasicExpression(token)) return plain(evaluateExpression(token.expression, ctx));
  if (isLiteral(token)) return (token as unknown as { value?: unknown }).value ?? null;
  if (isMapping(token)) {
    const out: Record<string, unknown> = {};
    for (const { key, value } of token) out[String(evaluateToken(key, ctx))] = evaluateToken(value, ctx);
    return out;
  }
  if (isSequence(token)) return [...token].map((item) => evaluateToken(item, ctx));
  throw new TemplateError(`'${String(token)}' (an insert expression) is not supported by the stand-in`);
}

/** Writes a value into a string field as the runner does: null → '', mappings and sequences as JSON. */
export function asString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  if (typeof value === 'number') return new data.NumberData(value).coerceString();
  return String(value);
}

/** Evaluates a string field (`run:`, a `with:` value, a name). */
export function evaluateString(token: TemplateToken | undefined, ctx: ExprContext): string {
  return asString(evaluateToken(token, ctx));
}

/** Evaluates a mapping of strings (`env:`, `with:`); absent: {}. */
export function evaluateStringMap(token: TemplateToken | undefined, ctx: ExprContext): Record<string, string> {
  if (token === undefined) return {};
  const value = evaluateToken(token, ctx);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new TemplateError(`A mapping was expected, not ${asString(value)}`);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, asString(v)]));
}

/**
 * Evaluates an `if:` condition as the parser converted it (`success() && (…)` added when
 * it names no status function); absent: `success()`.
 */
export function evaluateCondition(condition: BasicExpressionToken | undefined, ctx: ExprContext & { status: NonNullable<ExprContext['status']> }): boolean {
  if (condition === undefined) return ctx.status === 'success';
  return truthy(evaluateExpression(condition.expression, ctx));
}
