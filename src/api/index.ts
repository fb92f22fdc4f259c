import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, bearerToken } from './auth.js';
import type { ManagementDeps } from './deps.js';
import { ApiError, sendError, sendJson } from './http.js';
import { matchRoute } from './router.js';
import { API_ROUTES } from './routes.js';
import { RESTORE_REPORT_PATH } from './restore-report.js';
import { reportRestore } from './restores.js';

export type { ManagementDeps } from './deps.js';

/** Paths under `/api/` that belong to others (Probot's webhook route). */
const NOT_OURS = new Set(['/api/github/webhooks']);

/**
 * The management API as a Probot 14 server handler (register it with the app
 * function's `addHandler`): answers every request under `/api/` except the webhook
 * path, and returns false for anything else so the next handler runs.
 * Authentication is `Authorization: Bearer <token>`, an API token, except for restore
 * reports (`POST /api/restores`), which carry the job's GitHub Actions OIDC token; no token is ever logged.
 */
export function apiHandler(m: ManagementDeps): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false; // not a path (e.g. `//`, which reads as a host): not ours, the server answers 404
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!(path === '/api' || path.startsWith('/api/')) || NOT_OURS.has(path)) return false;
    try {
      if (path === RESTORE_REPORT_PATH) {
        // Restore mode's reports carry a GitHub Actions OIDC token, not an API token.
        if (!m.actionsTokens) throw new ApiError(404, 'restore reports are not accepted by this app');
        if (req.method !== 'POST') {
          sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: 'POST' });
          return true;
        }
        const reply = await reportRestore(m, m.actionsTokens, req);
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
