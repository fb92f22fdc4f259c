/**
 * GitHub's REST description (@octokit/openapi `api.github.com.json`) as a test
 * oracle: which documented operation a request is, and whether a response body
 * validates against the schema documented for its status. OpenAPI 3.0 schemas
 * are converted to JSON Schema (`nullable: true` → `null` allowed) and checked
 * with ajv (strict mode off; `date-time` and `uri` formats checked, other formats ignored).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Ajv, ValidateFunction } from 'ajv';
import { githubAjv } from './ajv.js';

const require = createRequire(import.meta.url);

interface OpenApiDoc {
  paths: Record<string, Record<string, OperationObject | unknown>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, ResponseObject> };
}
interface OperationObject {
  operationId?: string;
  responses: Record<string, ResponseObject | { $ref: string }>;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

/** A documented operation a request matched. */
export interface MatchedOperation {
  /** Path template as documented, e.g. `/repos/{owner}/{repo}/contents/{path}`. */
  template: string;
  /** Lower-case HTTP method. */
  method: string;
  operationId: string;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

let doc: OpenApiDoc | null = null;
let ajv: Ajv | null = null;
const validators = new Map<string, ValidateFunction>();
let templates: Array<{ template: string; segments: string[]; literals: number }> | null = null;

function load(): OpenApiDoc {
  if (!doc) {
    const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
    doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDoc;
  }
  return doc;
}

/**
 * Converts an OpenAPI 3.0 schema to JSON Schema: `nullable` becomes a `null`
 * type (or an `anyOf` with `{type: 'null'}`), `#/components/…` refs point into
 * the document registered as `gh`.
 */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable' || k === 'example' || k === 'examples') continue;
    if (k === '$ref' && typeof v === 'string') out[k] = v.startsWith('#/') ? `gh${v}` : v;
    else if (k === 'properties' || k === 'patternProperties' || k === 'definitions') {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, toJsonSchema(s)]));
    } else out[k] = toJsonSchema(v);
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string' && out.$ref === undefined) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function validator(): Ajv {
  if (!ajv) {
    const d = load();
    ajv = githubAjv({ validateSchema: false });
    const schemas = Object.fromEntries(Object.entries(d.components.schemas).map(([k, v]) => [k, toJsonSchema(v)]));
    ajv.addSchema({ $id: 'gh', components: { schemas } });
  }
  return ajv;
}

function index(): NonNullable<typeof templates> {
  if (!templates) {
    templates = Object.keys(load().paths).map((template) => {
      const segments = template.split('/');
      return { template, segments, literals: segments.filter((s) => s && !s.startsWith('{')).length };
    });
    templates.sort((a, b) => b.literals - a.literals);
  }
  return templates;
}

function matchTemplate(segments: string[], path: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const m = /^\{([\w-]+)\}$/.exec(seg);
    if (m && i === segments.length - 1 && path.length > i) {
      // A last parameter may hold slashes when not percent-encoded (contents paths, refs).
      const rest = path.slice(i);
      if (rest.length > 1 && m[1] !== 'path' && m[1] !== 'ref' && m[1] !== 'basehead') return null;
      params[m[1]!] = rest.map(decodeURIComponent).join('/');
      return rest.every((s) => s !== '') || m[1] === 'path' ? params : null;
    }
    if (i >= path.length) return null;
    if (m) {
      if (path[i] === '') return null;
      params[m[1]!] = decodeURIComponent(path[i]!);
    } else if (seg !== path[i]) return null;
  }
  return segments.length === path.length ? params : null;
}

/**
 * The documented operation for `method` + `path` (a request path, percent-encoded
 * as sent, with or without a `/api/v3` prefix and query string).
 * @returns the operation, or `null` when GitHub documents no such operation
 */
export function matchOperation(method: string, path: string): MatchedOperation | null {
  const m = method.toLowerCase();
  let clean = path.split('?')[0]!;
  if (clean.startsWith('/api/v3/')) clean = clean.slice('/api/v3'.length);
  if (clean.length > 1 && clean.endsWith('/') && !clean.includes('/contents/')) clean = clean.slice(0, -1);
  const parts = clean.split('/');
  const d = load();
  for (const t of index()) {
    const op = d.paths[t.template]?.[m] as OperationObject | undefined;
    if (!op || !METHODS.includes(m)) continue;
    const params = matchTemplate(t.segments, parts);
    if (params) return { template: t.template, method: m, operationId: op.operationId ?? '', params };
  }
  return null;
}

function resolveResponse(r: ResponseObject | { $ref: string }): ResponseObject {
  if ('$ref' in r && typeof r.$ref === 'string') {
    const name = r.$ref.replace('#/components/responses/', '');
    return load().components.responses[name] ?? {};
  }
  return r as ResponseObject;
}

/**
 * Validates a response against the schema documented for its operation and status.
 * @param body parsed JSON, `null`/`undefined`/`''` for an empty body, or a string for non-JSON bodies
 * A 4xx status the operation does not document is checked against GitHub's
 * generic error shapes (`validation-error` for 422, `basic-error` otherwise),
 * since GitHub returns those from every endpoint; other undocumented statuses are problems.
 * @returns `null` when valid, else a readable list of problems (undocumented
 *   endpoint or status, a body where none is documented, schema errors)
 */
export function validateResponse(method: string, path: string, status: number, body: unknown): string | null {
  const op = matchOperation(method, path);
  if (!op) return `undocumented endpoint ${method.toUpperCase()} ${path}`;
  const operation = load().paths[op.template]![op.method] as OperationObject;
  let documented = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
  if (!documented && status >= 400 && status < 500) {
    // GitHub's description omits many error statuses every endpoint can return
    // (401, 404, 422, …); hold those to GitHub's error shapes instead.
    documented = load().components.responses[status === 422 ? 'validation_failed' : 'not_found']!;
  }
  if (!documented)
    return `status ${status} is not documented for ${method.toUpperCase()} ${op.template} (documented: ${Object.keys(operation.responses).join(', ')})`;
  const response = resolveResponse(documented);
  const empty = body === null || body === undefined || body === '';
  const jsonContent = response.content?.['application/json'];
  if (!response.content) return empty ? null : `${status} for ${op.template} is documented without a body, got ${JSON.stringify(body).slice(0, 200)}`;
  if (!jsonContent?.schema) return null;
  if (typeof body === 'string' && Object.keys(response.content).some((ct) => ct !== 'application/json')) return null;
  const key = `${op.template} ${op.method} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const compiled = validator().compile(toJsonSchema(jsonContent.schema) as object);
    validators.set(key, compiled);
    validate = compiled;
  }
  if (validate(body)) return null;
  return (validate.errors ?? [])
    .slice(0, 12)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('; ');
}

type ExampleObject = { value?: unknown; $ref?: string };

const examplesDoc = () =>
  load() as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { examples?: Record<string, ExampleObject> }> }> }>>;
    components: { examples: Record<string, ExampleObject> };
  };

/** A deep copy of the example GitHub documents for an operation's response (`@octokit/openapi`). */

export function documentedExample(method: string, template: string, status: number, name?: string): any {
  const doc = examplesDoc();
  const content = doc.paths[template]?.[method.toLowerCase()]?.responses[String(status)]?.content?.['application/json'];
  const examples = content?.examples ?? {};
  let chosen = name ? examples[name] : Object.values(examples)[0];
  if (chosen?.$ref) chosen = doc.components.examples[chosen.$ref.split('/').pop()!];
  const inner = chosen?.value as { $ref?: string } | undefined;
  if (inner && typeof inner.$ref === 'string') chosen = doc.components.examples[inner.$ref.split('/').pop()!];
  if (!chosen || chosen.value === undefined) throw new Error(`no documented example for ${method} ${template} ${status}`);
  return structuredClone(chosen.value);
}
