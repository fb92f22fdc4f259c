/**
 * Authentication as GitHub does it for Apps: an RS256 JWT signed with the app's
 * private key (`iss` = app id, `exp` at most 10 minutes after `iat`) for `/app/*`
 * endpoints, and installation tokens (`Authorization: token …` or `Bearer …`)
 * for everything else.
 */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { StandInState } from './state.js';

/** The credential carried by a request's `Authorization` header, if any. */
export function credential(headers: IncomingHttpHeaders): string | null {
  const h = headers.authorization;
  if (!h) return null;
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(h.trim());
  return m ? m[1]! : null;
}

/**
 * Verifies an app JWT.
 * @returns `null` when valid, else GitHub's error message for it
 */
export function verifyAppJwt(state: StandInState, jwt: string): string | null {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'A JSON web token could not be decoded';
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string };
  let payload: { iss?: string | number; iat?: number; exp?: number };
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return 'A JSON web token could not be decoded';
  }
  if (header.alg !== 'RS256') return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey(state.app.publicKey), Buffer.from(s, 'base64url'));
  if (!ok) return 'A JSON web token could not be decoded';
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= now) {
    return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
  }
  if (typeof payload.iat !== 'number' || payload.iat > now + 60)
    return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
  if (payload.exp - payload.iat > 600) return "'Expiration time' claim ('exp') is too far in the future";
  if (String(payload.iss) !== String(state.app.id)) return "'Issuer' claim ('iss') must be an Integer";
  return null;
}

/** A new RSA key pair for a GitHub App (PEM: PKCS#1 private key, SPKI public key), as GitHub issues one. */
export function appKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}
