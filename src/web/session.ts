import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { principalOf, type Principal } from '../api/auth.js';
import type { Store } from '../store/types.js';

/**
 * The Prebuilds page's session: after a person signs in with an API token, the page
 * keeps an opaque random id in an `HttpOnly; SameSite=Strict` cookie scoped to
 * `/prebuilds` (never the token itself); the store keeps the id's sha256, the token it
 * stands for and its expiry. Signing out deletes it, and so does revoking the token.
 * Every form carries a per-session CSRF token (an HMAC keyed by the session id).
 */

/** Name of the session cookie. */
export const SESSION_COOKIE = 'prebuilds_session';
/** Session lifetime, seconds (8 hours). */
export const SESSION_MAX_AGE = 8 * 3600;
/** Prefix of session ids (the cookie's value). */
export const SESSION_PREFIX = 'pbs_';

/** Hex sha256 of a session id: what the store keeps. */
function hashSession(id: string): string {
  return crypto.createHash('sha256').update(id, 'utf8').digest('hex');
}

/**
 * Starts a session for a signed-in token (`pbs_` + 32 random bytes, base64url).
 * @returns the session id for the cookie
 */
export async function startSession(store: Store, principal: Principal, now = Date.now()): Promise<string> {
  const id = SESSION_PREFIX + crypto.randomBytes(32).toString('base64url');
  await store.createSession({ idHash: hashSession(id), tokenId: principal.tokenId, createdAt: now, expiresAt: now + SESSION_MAX_AGE * 1000 });
  return id;
}

/** The principal of a live session (unexpired, not signed out, its token not revoked), or null. */
export async function sessionPrincipal(store: Store, id: string, now = Date.now()): Promise<Principal | null> {
  const token = await store.useSession(hashSession(id), now);
  return token ? principalOf(token) : null;
}

/** Ends a session (sign-out): its id is refused from now on. */
export async function endSession(store: Store, id: string): Promise<void> {
  await store.revokeSession(hashSession(id));
}

/** Cookies of a request (`Cookie` header), by name. */
export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed cookie value is ignored
    }
  }
  return out;
}

/** The session id of a request's cookie, or null when it has none (or not one of this app's form). */
export function sessionId(req: IncomingMessage): string | null {
  const v = parseCookies(req)[SESSION_COOKIE];
  return v && /^pbs_[A-Za-z0-9_-]{43}$/.test(v) ? v : null;
}

/** True when the request came over HTTPS (directly, or through a proxy saying so). */
function isHttps(req: IncomingMessage): boolean {
  return (
    Boolean((req.socket as { encrypted?: boolean }).encrypted) ||
    String(req.headers['x-forwarded-proto'] ?? '')
      .split(',')[0]
      ?.trim() === 'https'
  );
}

/** `Set-Cookie` value that starts a session (`Secure` over HTTPS). */
export function sessionCookie(req: IncomingMessage, id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/prebuilds; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE}${isHttps(req) ? '; Secure' : ''}`;
}

/** `Set-Cookie` value that ends the session. */
export function clearedCookie(req: IncomingMessage): string {
  return `${SESSION_COOKIE}=; Path=/prebuilds; HttpOnly; SameSite=Strict; Max-Age=0${isHttps(req) ? '; Secure' : ''}`;
}

/** The CSRF token of a session: HMAC-SHA256 keyed by the session id, base64url. */
export function csrfToken(sessionSecret: string): string {
  return crypto.createHmac('sha256', sessionSecret).update('prebuilds-page-csrf').digest('base64url');
}

/** Constant-time check of a form's CSRF token against the session's. */
export function validCsrf(sessionSecret: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(csrfToken(sessionSecret));
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * False for a cross-site POST: browsers say where a request comes from in
 * `Sec-Fetch-Site` (which page scripts cannot forge), older ones in `Origin`. A
 * defence in depth beside the CSRF token and the SameSite cookie. Requests with
 * neither header (curl, scripts) pass: they carry no ambient cookie.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (typeof origin !== 'string' || origin === 'null') return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** A form body (`application/x-www-form-urlencoded`) as a map; later duplicates win. */
export function parseForm(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}
