import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiTokenRecord, Store, TokenScope } from '../store/types.js';
import { ApiError } from './http.js';

/** Prefix of every token the app issues (lets secret scanners recognise them). */
export const TOKEN_PREFIX = 'pbt_';

/** Who is calling: the token's id, name and scopes (never the secret). */
export interface Principal {
  tokenId: number;
  name: string;
  scopes: TokenScope[];
}

/** A fresh secret token: `pbt_` + 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** Hex sha256 of a token: what the store keeps. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Parses token scopes as given on the command line: installation ids (positive
 * integers) or `*` (every installation).
 * @throws Error naming the bad scope
 */
export function parseScopes(values: string[]): TokenScope[] {
  if (values.length === 0) throw new Error('give at least one scope: an installation id, or * for every installation');
  return values.map((v) => {
    const s = v.trim();
    if (s === '*') return '*';
    if (!/^[1-9]\d{0,15}$/.test(s)) throw new Error(`scope "${v}" is neither an installation id nor *`);
    return Number(s);
  });
}

/**
 * Issues a token: stores its hash with the scopes and returns the secret, which is
 * shown once and never stored or logged.
 */
export async function issueToken(store: Store, name: string, scopes: TokenScope[]): Promise<{ token: string; record: ApiTokenRecord }> {
  const token = generateToken();
  const record = await store.createToken({ name, tokenHash: hashToken(token), scopes });
  return { token, record };
}

/** The bearer token of a request's `Authorization` header, or null. */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * Checks a token against the store.
 * @throws ApiError 401 when there is no token, or it is unknown or revoked
 */
export async function authenticate(store: Store, token: string | null): Promise<Principal> {
  if (!token) throw new ApiError(401, 'authentication required: send Authorization: Bearer <token> (prebuilds token create)');
  const record = await store.useToken(hashToken(token));
  if (!record) throw new ApiError(401, 'invalid or revoked token');
  return principalOf(record);
}

/** True when the principal may act on this installation's repositories. */
export function canAccess(principal: Principal, installationId: number): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(installationId);
}

/** True for admin tokens (scope `*`). */
export function isAdmin(principal: Principal): boolean {
  return principal.scopes.includes('*');
}

/**
 * Checks the principal may see an installation's repository or prebuild. A token of
 * another installation gets the same 404 as for something that does not exist, so it
 * cannot tell which repositories have the app (issue 14).
 * @throws ApiError 404 with `notFoundMessage` when the token is not scoped to the installation
 */
export function requireAccess(principal: Principal, installationId: number, notFoundMessage: string): void {
  if (!canAccess(principal, installationId)) throw new ApiError(404, notFoundMessage);
}

/** The principal of a stored token. */
export function principalOf(record: ApiTokenRecord): Principal {
  return { tokenId: record.id, name: record.name, scopes: record.scopes };
}
