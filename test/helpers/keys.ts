import crypto from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';

/** A fresh RSA key pair for a test GitHub App (PEM). */
export function appKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** Delivers a webhook over HTTP like GitHub does; returns the status and body. */
export async function deliver(
  url: string,
  secret: string,
  event: string,
  payload: unknown,
  options: { id?: string; signature?: string } = {},
): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': options.id ?? crypto.randomUUID(),
      'x-hub-signature-256': options.signature ?? (await sign(secret, body)),
      'user-agent': 'GitHub-Hookshot/test',
    },
    body,
  });
  return { status: response.status, text: await response.text() };
}
