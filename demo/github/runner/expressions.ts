/**
 * A subset of GitHub Actions expressions (`${{ … }}`): context access
 * (`inputs.x`, `github.event.inputs.x`, `github.sha`, `vars.X`, `secrets.X`,
 * `env.X`, `steps.id.outputs.x`, `runner.os`, `job.status`, `a['b']`), string /
 * number / boolean / null literals, `||`, `&&`, `!`, `==`, `!=`, parentheses and,
 * in `if:`, the status functions `success()`, `failure()`, `always()`,
 * `cancelled()`, and `toJSON(value)` (pretty-printed JSON, as GitHub writes it). Anything else throws {@link ExpressionError} — never a silent empty string.
 * Semantics follow GitHub: `||`/`&&` return an operand, `==` on strings ignores
 * case, a missing property is `null` (interpolated as '').
 */

/** An expression the subset cannot evaluate, or a syntax error. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(`${message} in expression: ${expression}`);
  }
}

/** A value an expression produces. */
export type ExprValue = string | number | boolean | null | { [k: string]: unknown } | unknown[];

/** The named contexts; an absent context name is an error, an absent property is `null`. */
export interface ExprContext {
  contexts: Record<string, unknown>;
  /** Job status for status functions (`if:` only); absent: they are errors. */
  status?: 'success' | 'failure' | 'cancelled';
}

type Token = { t: 'str' | 'num' | 'id' | 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError('Unterminated string', src);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^-?(0x[0-9a-f]+|[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?)/i.exec(src.slice(i))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['||', '&&', '==', '!=', '<=', '>='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('()[].!<>,*'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else throw new ExpressionError(`Unexpected character '${c}'`, src);
    }
  }
  return out;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'];

/** Truthiness as GitHub defines it: false, 0, NaN, '' and null are falsy. */
export function truthy(v: unknown): boolean {
  return !(v === false || v === 0 || v === '' || v === null || v === undefined || Number.isNaN(v));
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
}

function looseEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b && (typeof a !== 'object' || a === null || b === null)) return a === b;
  if (typeof a === 'object' && a !== null) return a === b;
  return toNumber(a) === toNumber(b);
}

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly src: string,
    private readonly ctx: ExprContext,
  ) {}

  parse(): ExprValue {
    const v = this.or();
    if (this.i < this.toks.length) throw new ExpressionError(`Unexpected '${this.toks[this.i]!.v}'`, this.src);
    return v;
  }
  private peek(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.peek(v)) throw new ExpressionError(`Expected '${v}'`, this.src);
    this.i++;
  }
  private or(): ExprValue {
    let left = this.and();
    while (this.peek('||')) {
      this.i++;
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  private and(): ExprValue {
    let left = this.eq();
    while (this.peek('&&')) {
      this.i++;
      const right = this.eq();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  private eq(): ExprValue {
    let left = this.unary();
    while (this.peek('==') || this.peek('!=')) {
      const op = this.toks[this.i++]!.v;
      const right = this.unary();
      left = op === '==' ? looseEquals(left, right) : !looseEquals(left, right);
    }
    if (this.peek('<') || this.peek('>') || this.peek('<=') || this.peek('>=')) {
      throw new ExpressionError('Comparison operators other than == and != are not supported by the stand-in', this.src);
    }
    return left;
  }
  private unary(): ExprValue {
    if (this.peek('!')) {
      this.i++;
      return !truthy(this.unary());
    }
    return this.primary();
  }
  private primary(): ExprValue {
    const t = this.toks[this.i++];
    if (!t) throw new ExpressionError('Unexpected end of expression', this.src);
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'op' && t.v === '(') {
      const v = this.or();
      this.expect(')');
      return v;
    }
    if (t.t !== 'id') throw new ExpressionError(`Unexpected '${t.v}'`, this.src);
    if (t.v === 'true') return true;
    if (t.v === 'false') return false;
    if (t.v === 'null') return null;
    if (this.peek('(')) return this.call(t.v);
    if (!(t.v in this.ctx.contexts)) throw new ExpressionError(`Unrecognized named-value: '${t.v}'`, this.src);
    let value: unknown = this.ctx.contexts[t.v];
    for (;;) {
      let key: string;
      if (this.peek('.')) {
        this.i++;
        const k = this.toks[this.i++];
        if (!k || k.t !== 'id') throw new ExpressionError("Expected a property name after '.'", this.src);
        key = k.v;
      } else if (this.peek('[')) {
        this.i++;
        key = String(this.or());
        this.expect(']');
      } else break;
      value = lookup(value, key);
    }
    return (value ?? null) as ExprValue;
  }
  private call(name: string): ExprValue {
    if (name.toLowerCase() === 'tojson') {
      this.expect('(');
      const value = this.or();
      this.expect(')');
      return JSON.stringify(value ?? null, null, 2);
    }
    this.expect('(');
    let depth = 1;
    let args = 0;
    while (depth > 0) {
      const t = this.toks[this.i++];
      if (!t) throw new ExpressionError(`Expected ')'`, this.src);
      if (t.t === 'op' && t.v === '(') depth++;
      else if (t.t === 'op' && t.v === ')') depth--;
      else args++;
    }
    if (!STATUS_FUNCTIONS.includes(name))
      throw new ExpressionError(`Unrecognized function: '${name}' (the stand-in supports toJSON, ${STATUS_FUNCTIONS.join(', ')})`, this.src);
    if (args > 0) throw new ExpressionError(`Function '${name}' takes no arguments`, this.src);
    const status = this.ctx.status;
    if (!status) throw new ExpressionError(`Function '${name}' is only allowed in 'if'`, this.src);
    if (name === 'always') return true;
    if (name === 'success') return status === 'success';
    if (name === 'failure') return status === 'failure';
    return status === 'cancelled';
  }
}

function lookup(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) return /^\d+$/.test(key) ? value[Number(key)] : null;
  const obj = value as Record<string, unknown>;
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return found === undefined ? null : obj[found];
}

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(expression: string, ctx: ExprContext): ExprValue {
  return new Parser(tokenize(expression), expression, ctx).parse();
}

/** How a value is written into a string: null → '', objects as JSON. */
export function stringify(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v, null, 2);
  return String(v);
}

/** Replaces every `${{ expr }}` in `template` with its value (non-strings pass through unchanged). */
export function interpolate(template: unknown, ctx: ExprContext): string {
  if (typeof template !== 'string') return stringify(template);
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => stringify(evaluate(expr.trim(), ctx)));
}

/**
 * Evaluates an `if:` condition (with or without `${{ }}`). Without a status
 * function, GitHub's implicit `success() && (…)` applies.
 * @param condition `undefined` means the default `success()`
 */
export function evaluateIf(condition: unknown, ctx: ExprContext): boolean {
  if (condition === undefined || condition === null || condition === '') return ctx.status === 'success';
  if (typeof condition === 'boolean') return condition && ctx.status === 'success';
  let expr = String(condition).trim();
  const m = /^\$\{\{([\s\S]*)\}\}$/.exec(expr);
  if (m) expr = m[1]!.trim();
  const usesStatus = tokenize(expr).some((t, i, all) => t.t === 'id' && STATUS_FUNCTIONS.includes(t.v) && all[i + 1]?.v === '(');
  const value = truthy(evaluate(expr, ctx));
  return usesStatus ? value : ctx.status === 'success' && value;
}
