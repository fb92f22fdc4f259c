import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, type Principal } from '../api/auth.js';
import { cancelPrebuild, pauseConfiguration, rerunPrebuild } from '../api/commands.js';
import type { ManagementDeps } from '../api/deps.js';
import { ApiError, notFound, readText, requestPath, SECURITY_HEADERS } from '../api/http.js';
import { listConfigurations, listDecisions, listPrebuilds, valueReport, valueSeries } from '../api/queries.js';
import { matchRoute, type Route } from '../api/router.js';
import { parseConfigurationSegment, parseId, parseRepo, parseSha } from '../api/validate.js';
import { loginPage, repoPage } from './render.js';
import { clearedCookie, csrfToken, endSession, parseForm, sameOrigin, sessionCookie, sessionId, sessionPrincipal, startSession, validCsrf } from './session.js';
import { whyPage } from './why.js';

/**
 * The Prebuilds page (`/prebuilds/<owner>/<repo>`) as a Probot 14 server handler:
 * server-rendered HTML, a login form taking an API token, and forms that POST to
 * page routes calling the same code as the API (then redirect back, 303).
 */

interface PageContext {
  req: IncomingMessage;
  res: ServerResponse;
  m: ManagementDeps;
  url: URL;
}

/** The period the page's charts cover, ms (30 days). */
const CHART_PERIOD_MS = 30 * 86_400_000;
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    ...headers,
  });
  res.end(body);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}

/** A safe place to go after signing in: a page path of this app, nothing else. */
function safeNext(next: string | undefined): string {
  return next && /^\/prebuilds\/[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(next) ? next : '/prebuilds';
}

/** The request's live session: who it is and the session id (the CSRF key), or null. */
async function session(ctx: PageContext): Promise<{ principal: Principal; secret: string } | null> {
  const secret = sessionId(ctx.req);
  if (!secret) return null;
  const principal = await sessionPrincipal(ctx.m.app.store, secret, (ctx.m.now ?? Date.now)());
  return principal ? { principal, secret } : null;
}

const NOTICES: Record<string, string> = {
  rerun: 'Rerun requested: the new prebuild is at the top of the history.',
  cancel: 'Prebuild cancelled.',
  pause: 'Configuration paused: pushes wait until it is resumed.',
  resume: 'Configuration resumed.',
};

async function showRepo(ctx: PageContext, owner: string, repo: string, error: ApiError | null = null): Promise<void> {
  const s = await session(ctx);
  const path = `/prebuilds/${owner}/${repo}`;
  if (!s) return send(ctx.res, 401, loginPage(safeNext(path), null));
  const ref = parseRepo(owner, repo);
  const configurations = await listConfigurations(ctx.m, s.principal, ref);
  const withHistory = await Promise.all(
    configurations.map(async (view) => ({
      view,
      history: (await listPrebuilds(ctx.m, s.principal, { repo: ref, configuration: view.name, limit: 20 })).prebuilds,
    })),
  );
  const report = await valueReport(ctx.m, s.principal, ref, { label: '7d', ms: 7 * 86_400_000 });
  const now = (ctx.m.now ?? Date.now)();
  const charts = { since: now - CHART_PERIOD_MS, until: now, series: await valueSeries(ctx.m, s.principal, ref, CHART_PERIOD_MS) };
  const done = ctx.url.searchParams.get('done');
  send(
    ctx.res,
    error ? error.status : 200,
    repoPage({
      owner,
      repo,
      configurations: withHistory,
      report,
      charts,
      csrf: csrfToken(s.secret),
      notice: done ? (NOTICES[done] ?? null) : null,
      error: error?.message ?? null,
      now,
    }),
  );
}

/** `GET /prebuilds/{owner}/{repo}/why?sha=`: the decisions recorded for a commit. */
async function showWhy(ctx: PageContext, owner: string, repo: string): Promise<void> {
  const s = await session(ctx);
  if (!s) return send(ctx.res, 401, loginPage(safeNext(`/prebuilds/${owner}/${repo}`), null));
  const ref = parseRepo(owner, repo);
  const sha = parseSha(ctx.url.searchParams.get('sha') ?? undefined);
  send(ctx.res, 200, whyPage({ owner, repo, sha, decisions: await listDecisions(ctx.m, s.principal, ref, sha) }));
}

/** Runs a page form's action after the CSRF checks, then redirects back to the repository page. */
async function formAction(ctx: PageContext, owner: string, repo: string, done: string, act: (principal: Principal) => Promise<unknown>): Promise<void> {
  const form = parseForm(await readText(ctx.req));
  const s = await session(ctx);
  if (!s) return send(ctx.res, 401, loginPage(safeNext(`/prebuilds/${owner}/${repo}`), 'Your session ended: sign in again.'));
  if (!sameOrigin(ctx.req) || !validCsrf(s.secret, form.csrf))
    return send(ctx.res, 403, loginPage(safeNext(`/prebuilds/${owner}/${repo}`), 'The form was not sent from this page (CSRF check failed).'));
  try {
    await act(s.principal);
  } catch (error) {
    if (error instanceof ApiError) return showRepo(ctx, owner, repo, error);
    throw error;
  }
  redirect(ctx.res, `/prebuilds/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}?done=${done}`);
}

const PAGE_ROUTES: Route<PageContext>[] = [
  { method: 'GET', template: '/prebuilds', handle: async (ctx) => send(ctx.res, 200, loginPage('/prebuilds', null)) },
  {
    method: 'POST',
    template: '/prebuilds/login',
    async handle(ctx) {
      const form = parseForm(await readText(ctx.req));
      const next = safeNext(form.next);
      if (!sameOrigin(ctx.req)) return send(ctx.res, 403, loginPage(next, 'Sign in from this site only.'));
      let principal: Principal;
      try {
        principal = await authenticate(ctx.m.app.store, form.token?.trim() || null);
      } catch {
        return send(ctx.res, 401, loginPage(next, 'That token is not valid (or was revoked).'));
      }
      const id = await startSession(ctx.m.app.store, principal, (ctx.m.now ?? Date.now)());
      redirect(ctx.res, next, { 'set-cookie': sessionCookie(ctx.req, id) });
    },
  },
  {
    method: 'POST',
    template: '/prebuilds/logout',
    async handle(ctx) {
      const form = parseForm(await readText(ctx.req));
      const secret = sessionId(ctx.req);
      if (secret && (!sameOrigin(ctx.req) || !validCsrf(secret, form.csrf))) return send(ctx.res, 403, loginPage('/prebuilds', 'CSRF check failed.'));
      if (secret) await endSession(ctx.m.app.store, secret);
      redirect(ctx.res, '/prebuilds', { 'set-cookie': clearedCookie(ctx.req) });
    },
  },
  { method: 'GET', template: '/prebuilds/{owner}/{repo}', handle: (ctx, p) => showRepo(ctx, p.owner!, p.repo!) },
  { method: 'GET', template: '/prebuilds/{owner}/{repo}/why', handle: (ctx, p) => showWhy(ctx, p.owner!, p.repo!) },
  {
    method: 'POST',
    template: '/prebuilds/{owner}/{repo}/prebuilds/{id}/rerun',
    handle: (ctx, p) => formAction(ctx, p.owner!, p.repo!, 'rerun', async (who) => rerunPrebuild(ctx.m, who, await inRepo(ctx.m, p))),
  },
  {
    method: 'POST',
    template: '/prebuilds/{owner}/{repo}/prebuilds/{id}/cancel',
    handle: (ctx, p) => formAction(ctx, p.owner!, p.repo!, 'cancel', async (who) => cancelPrebuild(ctx.m, who, await inRepo(ctx.m, p))),
  },
  {
    method: 'POST',
    template: '/prebuilds/{owner}/{repo}/configurations/{name}/pause',
    handle: (ctx, p) =>
      formAction(ctx, p.owner!, p.repo!, 'pause', (who) =>
        pauseConfiguration(ctx.m, who, parseRepo(p.owner!, p.repo!), parseConfigurationSegment(p.name), true),
      ),
  },
  {
    method: 'POST',
    template: '/prebuilds/{owner}/{repo}/configurations/{name}/resume',
    handle: (ctx, p) =>
      formAction(ctx, p.owner!, p.repo!, 'resume', (who) =>
        pauseConfiguration(ctx.m, who, parseRepo(p.owner!, p.repo!), parseConfigurationSegment(p.name), false),
      ),
  },
];

/**
 * The prebuild id of a page route.
 * @throws ApiError 400 for a bad id, 404 when the prebuild is not of the page's repository
 */
async function inRepo(m: ManagementDeps, p: Record<string, string>): Promise<number> {
  const repo = parseRepo(p.owner!, p.repo!);
  const id = parseId(p.id);
  const found = await m.app.store.getPrebuild(id);
  if (!found || found.owner !== repo.owner || found.repo !== repo.repo) throw notFound(`prebuild #${id} is not a prebuild of ${repo.owner}/${repo.repo}`);
  return id;
}

/**
 * The page's server handler: answers `/prebuilds` and everything under it, returns
 * false for other paths.
 */
export function pageHandler(m: ManagementDeps): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const target = requestPath(req);
    if (!target) return false;
    const { url, path } = target;
    if (!(path === '/prebuilds' || path.startsWith('/prebuilds/'))) return false;
    const ctx: PageContext = { req, res, m, url };
    try {
      const found = matchRoute(PAGE_ROUTES, req.method ?? 'GET', path);
      if (!found) send(res, 404, loginPage('/prebuilds', 'No such page.'));
      else if ('allowed' in found) send(res, 405, 'Method not allowed', { allow: found.allowed.join(', '), 'content-type': 'text/plain; charset=utf-8' });
      else await found.route.handle(ctx, found.params);
    } catch (error) {
      if (error instanceof ApiError) {
        send(res, error.status, loginPage('/prebuilds', error.message));
      } else {
        m.app.log.error({ err: error, method: req.method, path }, 'Prebuilds page request failed');
        if (!res.headersSent) send(res, 500, 'Internal error: see the app log.', { 'content-type': 'text/plain; charset=utf-8' });
      }
    }
    return true;
  };
}
