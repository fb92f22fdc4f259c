/**
 * Helpers for tests that drive the GitHub stand-in directly (without the app):
 * an app key pair, JWTs, a webhook receiver, a working copy to commit and push
 * from, and a small REST client.
 */
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { verify } from '@octokit/webhooks-methods';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** An app JWT (RS256, iat 30 s in the past, exp 9 minutes ahead), as @octokit/auth-app makes it. */
export function appJwt(appId: number, privateKey: string, overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat: now - 30, exp: now + 540, iss: appId, ...overrides })}`;
  const sig = createSign('RSA-SHA256').update(data).sign(privateKey).toString('base64url');
  return `${data}.${sig}`;
}

/** One webhook the receiver got, with whether its signature verified. */
export interface Received {
  event: string;
  delivery: string;
  signatureOk: boolean;
  payload: { action?: string } & Record<string, unknown>;
}

/** A webhook receiver on 127.0.0.1 that verifies `X-Hub-Signature-256` with `secret`. */
export async function webhookReceiver(secret: string): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        event: String(req.headers['x-github-event']),
        delivery: String(req.headers['x-github-delivery']),
        signatureOk: await verify(secret, body, String(req.headers['x-hub-signature-256'] ?? '')).catch(() => false),
        payload: JSON.parse(body),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** A working copy whose `origin` is a stand-in bare repository. */
export class WorkingCopy {
  readonly dir: string;
  constructor(remote: string, branch = 'main') {
    this.dir = mkdtempSync(join(tmpdir(), 'wc-'));
    this.git('init', '-q', `--initial-branch=${branch}`);
    this.git('config', 'user.name', 'Dev Demo');
    this.git('config', 'user.email', 'dev@example.com');
    this.git('config', 'commit.gpgsign', 'false');
    this.git('remote', 'add', 'origin', remote);
  }
  /** Runs git in the working copy; returns trimmed stdout. */
  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8' }).trim();
  }
  /** Writes files (path → content; `null` deletes), commits everything, returns the sha. */
  commit(files: Record<string, string | null>, message: string): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) this.git('rm', '-q', path);
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }
  /** `git push origin <branch>` (force when asked). */
  push(branch = 'main', force = false): void {
    this.git('push', '-q', ...(force ? ['--force'] : []), 'origin', `HEAD:refs/heads/${branch}`);
  }
}

/** A tiny REST client for the stand-in. */
export function restClient(apiUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        authorization: `token ${token}`,
        accept: 'application/vnd.github+json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json as any, headers: res.headers };
  };
}

/** Obtains an installation token from the stand-in with the app's JWT. */
export async function installationToken(apiUrl: string, appId: number, privateKey: string, installationId = 1): Promise<string> {
  const res = await fetch(`${apiUrl}/app/installations/${installationId}/access_tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${appJwt(appId, privateKey)}`, accept: 'application/vnd.github+json' },
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A scratch directory. */
export function scratch(prefix = 'standin-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
