import nock from 'nock';
import { matchOperation, validateResponse } from './openapi.js';

/** One request nock answered for github.com, and what was wrong with it, if anything. */
export interface RecordedCall {
  method: string;
  path: string;
  status: number;
  problem: string | null;
}

const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };

/**
 * Persistent nock interceptors standing in for api.github.com in app tests: an
 * installation token for any installation, 404 for every contents path (a repository
 * without prebuild configuration), 404 for anything else. Every request is recorded
 * with a problem when its method and path are not a documented REST operation
 * (@octokit/openapi) or the reply does not validate against that operation's schema.
 */
export function githubReplies(origin: string): RecordedCall[] {
  const calls: RecordedCall[] = [];
  const record = (method: string, uri: string, status: number, body: unknown) => {
    const path = uri.split('?')[0]!;
    let problem: string | null = null;
    const op = matchOperation(method, path);
    if (!op) problem = `undocumented endpoint ${method} ${path}`;
    else {
      const errors = validateResponse(method, path, status, body);
      if (errors) problem = `${method} ${path} ${status}: ${errors}`;
    }
    calls.push({ method, path, status, problem });
    return [status, body] as [number, unknown];
  };
  nock(origin)
    .persist()
    .post(/^\/app\/installations\/\d+\/access_tokens$/)
    .reply((uri) =>
      record('POST', uri, 201, {
        token: 'ghs_test',
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: { actions: 'write', checks: 'write', contents: 'read', metadata: 'read' },
        repository_selection: 'all',
      }),
    )
    .get(/^\/repos\/[^/]+\/[^/]+\/contents\/.*/)
    .reply((uri) => record('GET', uri, 404, notFound))
    .get(/.*/)
    .reply((uri) => record('GET', uri, 404, notFound))
    .post(/.*/)
    .reply((uri) => record('POST', uri, 404, notFound))
    .patch(/.*/)
    .reply((uri) => record('PATCH', uri, 404, notFound));
  return calls;
}
