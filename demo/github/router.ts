/**
 * The HTTP side of the stand-in: a `node:http` server that serves GitHub's REST
 * paths under `/api/v3` (as GitHub Enterprise Server does), authenticates,
 * routes by GitHub's path templates, and records every exchange.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { credential, verifyAppJwt } from './auth.js';
import { errorBody } from './payloads/rest.js';
import type { Overrides } from './overrides.js';
import type { StandInState } from './state.js';

/** A routed request: path parameters are percent-decoded. */
export interface RouteRequest {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** What a handler answers: a JSON `body`, or raw `text` with a `contentType`. */
export interface Reply {
  status: number;
  body?: unknown;
  text?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One endpoint. `template` is GitHub's path template (as in @octokit/openapi);
 * a final `{path}` parameter takes the rest of the path. `auth`: `app` needs the
 * app's JWT, `installation` an installation token, `none` nothing (signed URLs).
 */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  template: string;
  auth: 'app' | 'installation' | 'none';
  /** Mounted under `/api/v3` (default) or at the server root (`false`). */
  api?: boolean;
  handle(req: RouteRequest): Promise<Reply> | Reply;
}

/** Shorthand for a JSON reply. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

/** GitHub's 404. */
export function notFound(): Reply {
  return json(404, errorBody('Not Found', 404));
}

/** A path template split once: literal segments, `{name}` parameters, and whether a final `{path}` takes the rest. */
interface CompiledTemplate {
  /** Literal segment, or the parameter's name with `param` set. */
  segments: Array<{ literal: string; param: null } | { literal: null; param: string }>;
  /** The last segment is `{path}`: it takes the rest of the path (one segment at least). */
  tail: boolean;
}

const compiled = new Map<string, CompiledTemplate>();

function compileTemplate(template: string): CompiledTemplate {
  let c = compiled.get(template);
  if (!c) {
    const t = template.split('/');
    const segments = t.map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      return m ? { literal: null, param: m[1]! } : { literal: seg, param: null };
    });
    c = { segments, tail: segments.at(-1)?.param === 'path' };
    compiled.set(template, c);
  }
  return c;
}

function matchSegments(c: CompiledTemplate, p: string[]): Record<string, string> | null {
  const n = c.segments.length;
  if (c.tail ? p.length < n : p.length !== n) return null;
  for (let i = 0; i < n; i++) {
    const seg = c.segments[i]!;
    // A parameter takes a non-empty segment; the tail `{path}` may be empty (the root directory).
    if (seg.param === null ? seg.literal !== p[i] : p[i] === '' && !(c.tail && i === n - 1)) return null;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const seg = c.segments[i]!;
    if (seg.param === null) continue;
    params[seg.param] = c.tail && i === n - 1 ? p.slice(i).map(decodeURIComponent).join('/') : decodeURIComponent(p[i]!);
  }
  return params;
}

/** Path parameters of `path` under a GitHub path template, or `null` when it does not match. */
export function matchTemplate(template: string, path: string): Record<string, string> | null {
  return matchSegments(compileTemplate(template), path.split('/'));
}

async function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The `x-ratelimit-reset` GitHub would send now (an hour ahead, Unix seconds), computed once a second. */
let resetAt = { second: -1, value: '' };
function rateLimitReset(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== resetAt.second) resetAt = { second, value: String(second + 3600) };
  return resetAt.value;
}

function send(res: ServerResponse, reply: Reply): { body: unknown; contentType: string | null } {
  const headers: Record<string, string> = {
    'x-github-request-id': randomUUID().toUpperCase(),
    'x-github-media-type': 'github.v3; format=json',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-reset': rateLimitReset(),
    'x-ratelimit-resource': 'core',
    ...reply.headers,
  };
  if (reply.text !== undefined) {
    const ct = reply.contentType ?? 'text/plain; charset=utf-8';
    res.writeHead(reply.status, { ...headers, 'content-type': ct });
    res.end(reply.text);
    return { body: Buffer.isBuffer(reply.text) ? reply.text.toString('utf8') : reply.text, contentType: ct };
  }
  if (reply.body === undefined || reply.status === 204 || reply.status === 304) {
    res.writeHead(reply.status, headers);
    res.end();
    return { body: null, contentType: null };
  }
  const ct = 'application/json; charset=utf-8';
  res.writeHead(reply.status, { ...headers, 'content-type': ct });
  res.end(JSON.stringify(reply.body));
  return { body: reply.body, contentType: ct };
}

function authenticate(state: StandInState, auth: Route['auth'], headers: IncomingHttpHeaders): Reply | null {
  if (auth === 'none') return null;
  const cred = credential(headers);
  if (!cred) return json(401, errorBody('Requires authentication', 401));
  if (auth === 'app') {
    const problem = verifyAppJwt(state, cred);
    return problem ? json(401, errorBody(problem, 401)) : null;
  }
  if (!state.tokenValid(cred)) return json(401, errorBody('Bad credentials', 401));
  return null;
}

/**
 * Creates (does not start) the HTTP server for `routes`. Routes with more literal
 * segments win over parameterised ones (`/commits/{ref}/check-runs` before `/commits/{ref}`).
 * @param onError called with handler exceptions (they become 500s)
 * @param overrides per-test replies, consulted before the routes
 * @param recordResponses keep response bodies in the exchange log (off for long runs: the benchmark)
 */
export function createRouter(state: StandInState, routes: Route[], onError: (err: unknown) => void, overrides?: Overrides, recordResponses = true): Server {
  const ordered = [...routes].sort((a, b) => literalCount(b.template) - literalCount(a.template));
  // The routes that can match a path of n segments (API or not), in `ordered`'s order, built on first use.
  const candidates = new Map<string, Array<{ r: Route; t: CompiledTemplate }>>();
  const candidatesFor = (isApi: boolean, n: number) => {
    const key = `${isApi}:${n}`;
    let list = candidates.get(key);
    if (!list) {
      list = ordered
        .filter((r) => (r.api ?? true) === isApi)
        .map((r) => ({ r, t: compileTemplate(r.template) }))
        .filter(({ t }) => (t.tail ? n >= t.segments.length : n === t.segments.length));
      candidates.set(key, list);
    }
    return list;
  };
  return createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const method = (req.method ?? 'GET').toUpperCase();
      const rawText = await readBody(req);
      const isApi = url.pathname === '/api/v3' || url.pathname.startsWith('/api/v3/');
      const path = isApi ? url.pathname.slice('/api/v3'.length) || '/' : url.pathname;
      let template: string | null = null;
      let body: unknown = undefined;
      let reply: Reply | 'network-error';
      let overridden = false;
      try {
        if (rawText.length > 0) {
          try {
            body = JSON.parse(rawText);
          } catch {
            body = rawText;
          }
        }
        const segments = path.split('/');
        let hit: { r: Route; params: Record<string, string> } | undefined;
        for (const { r, t } of candidatesFor(isApi, segments.length)) {
          if (r.method !== method) continue;
          const params = matchSegments(t, segments);
          if (params) {
            hit = { r, params };
            break;
          }
        }
        const override = isApi ? overrides?.take(method, path) : null;
        const routeReq = (params: Record<string, string>): RouteRequest => ({
          method,
          params,
          query: url.searchParams,
          body: body ?? {},
          headers: req.headers,
        });
        const serve = async (): Promise<Reply> => (hit ? hit.r.handle(routeReq(hit.params)) : notFound());
        const auth = hit?.r.auth ?? (override?.template.startsWith('/app/') ? 'app' : 'installation');
        const denied = hit || override ? authenticate(state, auth, req.headers) : null;
        if (denied) {
          template = hit?.r.template ?? override!.template;
          reply = denied;
        } else if (override) {
          template = override.template;
          overridden = true;
          const o = override.reply;
          reply = typeof o === 'function' ? await o(routeReq(override.params), serve) : o;
        } else if (!hit) {
          reply = notFound();
        } else {
          template = hit.r.template;
          reply = typeof body === 'string' ? json(400, errorBody('Problems parsing JSON', 400)) : await serve();
        }
      } catch (err) {
        onError(err);
        reply = json(500, errorBody('Server Error', 500));
      }
      const exchange = { method, path, template, query: url.search, requestBody: body ?? null, overridden };
      if (reply === 'network-error') {
        res.socket?.destroy();
        state.exchanges.push({ ...exchange, status: 0, responseBody: null, contentType: null });
        return;
      }
      const sent = send(res, reply);
      state.exchanges.push({ ...exchange, status: reply.status, responseBody: recordResponses ? sent.body : null, contentType: sent.contentType });
    })();
  });
}

function literalCount(template: string): number {
  return template.split('/').filter((s) => s && !s.startsWith('{')).length;
}
