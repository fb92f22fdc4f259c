import nock from 'nock';
import { matchOperation, validateResponse } from '../helpers/openapi.js';

export { documentedExample as example } from '../helpers/openapi.js';

/** One request the mock answered, and what was wrong with it (undocumented endpoint, invalid reply). */
export interface MockCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
  problem: string | null;
}

type Reply = [number, unknown] | [number, unknown, Record<string, string>];
type Responder = (m: RegExpMatchArray, call: { query: URLSearchParams; body: unknown }) => Reply;

const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

/**
 * api.github.com answered by nock: an installation token for any installation,
 * routes a test adds with {@link GitHubMock.on} (the newest first), 404 for
 * anything else. Every exchange is recorded with a problem when the request is not
 * a documented REST operation or the reply does not validate against its schema.
 */
export class GitHubMock {
  readonly calls: MockCall[] = [];
  private routes: Array<{ method: string; re: RegExp; respond: Responder }> = [];

  constructor(readonly origin = 'https://api.github.com') {
    const scope = nock(origin).persist();
    for (const method of ['get', 'post', 'patch', 'delete', 'put'] as const) {
      scope[method](/.*/).reply((uri, body) => this.answer(method.toUpperCase(), uri, body) as never);
    }
    this.on('POST', /^\/app\/installations\/(\d+)\/access_tokens$/, () => [
      201,
      { token: 'ghs_test', expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { actions: 'write', checks: 'write', contents: 'read', issues: 'write', metadata: 'read' }, repository_selection: 'all' },
    ]);
  }

  /** Answers `method` requests whose path (no query) matches `re`. */
  on(method: string, re: RegExp, respond: Responder): this {
    this.routes.unshift({ method, re, respond });
    return this;
  }

  /** Calls that were not documented or whose replies did not validate. */
  problems(): MockCall[] {
    return this.calls.filter((c) => c.problem !== null);
  }

  /** Recorded calls of a method whose path matches. */
  made(method: string, re: RegExp): MockCall[] {
    return this.calls.filter((c) => c.method === method && re.test(c.path));
  }

  private answer(method: string, uri: string, rawBody: unknown): Reply {
    const [path, search] = uri.split('?') as [string, string | undefined];
    const query = new URLSearchParams(search ?? '');
    const body = typeof rawBody === 'string' && rawBody ? safeJson(rawBody) : rawBody;
    let reply: Reply = [404, notFound];
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const m = path.match(r.re);
      if (m) {
        reply = r.respond(m, { query, body });
        break;
      }
    }
    let problem: string | null = null;
    if (!matchOperation(method, path)) problem = `undocumented endpoint ${method} ${path}`;
    else if (reply[0] !== 302 && reply[0] !== 204) {
      const errors = validateResponse(method, path, reply[0], reply[1]);
      if (errors) problem = `${method} ${path} ${reply[0]}: ${errors}`;
    }
    this.calls.push({ method, path, query, body, status: reply[0], problem });
    return reply;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
