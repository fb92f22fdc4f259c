import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, bearerToken } from './auth.js';
import type { ManagementDeps } from './deps.js';
import { ApiError, requestPath, sendError, sendJson } from './http.js';
import { matchRoute, type Route } from './router.js';
import { API_ROUTES } from './routes.js';
import { RESTORE_REPORT_PATH } from './restore-report.js';
import { RESULT_REPORT_TEMPLATE } from './result-report.js';
import { reportRestore } from './restores.js';
import { reportResult } from './results.js';
import type { ActionsTokenVerifier } from './oidc.js';

export type { ManagementDeps } from './deps.js';

/** Paths under `/api/` that belong to others (Probot's webhook route). */
const NOT_OURS = new Set(['/api/github/webhooks']);

/** What a route of the action's reports gets: the request, the app and the OIDC token verifier. */
interface ActionsContext {
  req: IncomingMessage;
  m: ManagementDeps;
  verifier: ActionsTokenVerifier;
}

/** Routes the action calls with the job's GitHub Actions OIDC token instead of an API token. */
const ACTIONS_ROUTES: Route<ActionsContext>[] = [
  { method: 'POST', template: RESTORE_REPORT_PATH, handle: ({ m, verifier, req }) => reportRestore(m, verifier, req) },
  { method: 'POST', template: RESULT_REPORT_TEMPLATE, handle: ({ m, verifier, req }, p) => reportResult(m, verifier, req, p.id!) },
];

/**
 * The management API as a Probot 14 server handler (register it with the app
 * function's `addHandler`): answers every request under `/api/` except the webhook
 * path, and returns false for anything else so the next handler runs.
 * Authentication is `Authorization: Bearer <token>`, an API token, except for the
 * action's reports (`POST /api/restores`, `POST /api/prebuilds/{id}/result`), which carry
 * the job's GitHub Actions OIDC token; no token is ever logged.
 */
export function apiHandler(m: ManagementDeps): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const target = requestPath(req);
    if (!target) return false;
    const { url, path } = target;
    if (!(path === '/api' || path.startsWith('/api/')) || NOT_OURS.has(path)) return false;
    try {
      const report = matchRoute(ACTIONS_ROUTES, req.method ?? 'GET', path);
      if (report) {
        // The action's reports carry a GitHub Actions OIDC token, not an API token.
        if (!m.actionsTokens) throw new ApiError(404, 'reports of the action are not accepted by this app');
        if ('allowed' in report) {
          sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: report.allowed.join(', ') });
          return true;
        }
        const reply = (await report.route.handle({ req, m, verifier: m.actionsTokens }, report.params)) as { status: number; body: unknown };
        sendJson(res, reply.status, reply.body);
        return true;
      }
      const found = matchRoute(API_ROUTES, req.method ?? 'GET', path);
      if (!found) throw new ApiError(404, `no route ${req.method} ${path}`);
      if ('allowed' in found) {
        sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: found.allowed.join(', ') });
        return true;
      }
      const principal = await authenticate(m.app.store, bearerToken(req));
      const reply = (await found.route.handle({ req, query: url.searchParams, principal, m }, found.params)) as { status: number; body: unknown };
      sendJson(res, reply.status, reply.body);
    } catch (error) {
      if (!(error instanceof ApiError)) m.app.log.error({ err: error, method: req.method, path }, 'management API request failed');
      sendError(res, error);
    }
    return true;
  };
}
