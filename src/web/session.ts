import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * The Prebuilds page's session: the API token a person typed into the login form,
 * kept in an `HttpOnly; SameSite=Strict` cookie scoped to `/prebuilds`, and a
 * per-session CSRF token (an HMAC of the session's token) in every form.
 */

/** Name of the session cookie. */
export const SESSION_COOKIE = 'prebuilds_session';
/** Session lifetime, seconds (8 hours). */
export const SESSION_MAX_AGE = 8 * 3600;

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

/** The session's token, or null when not logged in. */
export function sessionToken(req: IncomingMessage): string | null {
  const v = parseCookies(req)[SESSION_COOKIE];
  return v && /^[A-Za-z0-9_-]{10,200}$/.test(v) ? v : null;
}

/** True when the request came over HTTPS (directly, or through a proxy saying so). */
function isHttps(req: IncomingMessage): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted) || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

/** `Set-Cookie` value that starts a session (`Secure` over HTTPS). */
export function sessionCookie(req: IncomingMessage, token: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/prebuilds; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE}${isHttps(req) ? '; Secure' : ''}`;
}

/** `Set-Cookie` value that ends the session. */
export function clearedCookie(req: IncomingMessage): string {
  return `${SESSION_COOKIE}=; Path=/prebuilds; HttpOnly; SameSite=Strict; Max-Age=0${isHttps(req) ? '; Secure' : ''}`;
}

/** The CSRF token of a session: HMAC-SHA256 keyed by the session's secret, base64url. */
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
