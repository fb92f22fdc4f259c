import type { IncomingMessage, ServerResponse } from 'node:http';
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import type { HandledPayloads } from '../github/payloads.js';
import { BodyMemory, readBoundedBody } from './body.js';

/** Where GitHub delivers webhooks unless `WEBHOOK_PATH` says otherwise (Probot's default). */
export const DEFAULT_WEBHOOK_PATH = '/api/github/webhooks';
/** GitHub caps webhook payloads at 25 MB (docs: "Webhook events and payloads", payload cap). */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/**
 * The events the app records (one handler each in the runtime). Typed by
 * the handled payloads, so an event given a handler must be added here. Every other
 * event is acknowledged and not stored; `ping` is answered `pong`.
 */
export const RECORDED_EVENTS: { readonly [E in keyof HandledPayloads]: true } = {
  push: true,
  pull_request: true,
  workflow_run: true,
  check_run: true,
  installation: true,
  installation_repositories: true,
};

/** A verified delivery handed to the app: its headers and parsed payload. */
export interface VerifiedDelivery {
  /** `X-GitHub-Delivery` */
  id: string;
  /** `X-GitHub-Event` */
  name: string;
  payload: unknown;
  /** The body as it arrived (the JSON text `payload` was parsed from), stored as is. */
  payloadJson?: string;
  /** The GitHub headers worth keeping after the payload is pruned (lower-case names). */
  headers: Record<string, string>;
}

/** Options of {@link webhookReceiver}. */
export interface WebhookReceiverOptions {
  /** The app's webhook secret (`WEBHOOK_SECRET`). */
  secret: string;
  /** Path GitHub posts to; default {@link DEFAULT_WEBHOOK_PATH}. */
  path?: string;
  /** Records a delivery durably (a redelivery changes nothing); the 2xx is sent only after it resolves. Throwing answers 500. */
  record(delivery: VerifiedDelivery): Promise<void>;
  log: Logger;
  /** Largest body, bytes; default {@link GITHUB_MAX_PAYLOAD_BYTES}. */
  maxBodyBytes?: number;
  /**
   * Bytes of large request bodies held at once over every open request, default
   * 4 × maxBodyBytes (a whole number of bodies; at least one); a sixteenth more (at least
   * 1 MB) is kept for bodies declared at most 1 MB long.
   */
  memoryBytes?: number;
  /** The whole body must arrive within this many ms; default 10000 (GitHub gives up on a delivery after 10 s). */
  bodyTimeoutMs?: number;
}

/** The GitHub headers kept with a recorded delivery. */
const KEPT_HEADERS = [
  'x-github-delivery',
  'x-github-event',
  'x-github-hook-id',
  'x-github-hook-installation-target-id',
  'x-github-hook-installation-target-type',
  'user-agent',
  'content-length',
];
const JSON_TYPE = /^\s*application\/json\s*(?:;|$)/i;
const EVENT = /^[a-z][a-z_]{0,63}$/;
const DELIVERY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * The webhook endpoint, a Probot 14 server handler (it replaces Probot's webhook
 * middleware, whose body reading is unbounded and which logs rejected bodies). In order:
 * path and method; `Content-Type`, `X-GitHub-Event`, `X-GitHub-Delivery` and
 * `X-Hub-Signature-256` present and well-formed (400/415, body unread); the body read
 * up to the limit (413 at the first byte over it, or at once from `Content-Length`)
 * within the memory budget (503) and the time limit (408); the HMAC-SHA256 signature
 * verified before any parse (401, {@link sameSignature}); then JSON (400).
 * Events without a handler are answered 202 and not stored. A handled event is
 * answered 200 only once `record` resolved, i.e. the delivery is committed (SPEC.md
 * rule 9); a failing store answers 500 and GitHub shows the delivery as failed.
 * Bodies and signatures are never logged.
 */
export function webhookReceiver(options: WebhookReceiverOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  if (!options.secret) throw new Error('a webhook secret is required (WEBHOOK_SECRET): unsigned deliveries are never accepted');
  const path = normalize(options.path ?? DEFAULT_WEBHOOK_PATH);
  const maxBytes = options.maxBodyBytes ?? GITHUB_MAX_PAYLOAD_BYTES;
  const slabs = Math.max(1, Math.floor((options.memoryBytes ?? 4 * maxBytes) / maxBytes));
  const memory = new BodyMemory(maxBytes, slabs, Math.min(1 << 20, maxBytes), Math.max(1 << 20, Math.floor((slabs * maxBytes) / 16)));
  const timeoutMs = options.bodyTimeoutMs ?? 10_000;
  const log = options.log;
  const refusals = new RefusalLog(log);

  return async (req, res) => {
    let pathname: string;
    try {
      pathname = normalize(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false;
    }
    if (pathname !== path) return false;
    if (req.method !== 'POST') return refuse(req, res, 405, `use POST to deliver webhooks to ${path}`, { allow: 'POST' });
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    if (!JSON_TYPE.test(header('content-type') ?? '')) return refuse(req, res, 415, 'Content-Type must be application/json');
    const name = header('x-github-event');
    const id = header('x-github-delivery');
    const signature = header('x-hub-signature-256');
    const missing = [!name && 'X-GitHub-Event', !id && 'X-GitHub-Delivery', !signature && 'X-Hub-Signature-256'].filter(Boolean);
    if (missing.length) return refuse(req, res, 400, `required headers missing: ${missing.join(', ')}`);
    if (!EVENT.test(name!)) return refuse(req, res, 400, 'X-GitHub-Event is not an event name');
    if (!DELIVERY.test(id!)) return refuse(req, res, 400, 'X-GitHub-Delivery is not a delivery id');
    if (!SIGNATURE.test(signature!)) return refuse(req, res, 401, 'X-Hub-Signature-256 is not sha256=<64 hex digits>');

    const hmac = crypto.createHmac('sha256', options.secret);
    const read = await readBoundedBody(req, memory, timeoutMs, hmac);
    if ('status' in read) {
      refusals.note(read.status, { delivery: id, event: name }, read.message);
      return refuse(req, res, read.status, read.message, read.status === 503 ? { 'retry-after': '1' } : {});
    }
    try {
      if (read.body.length === 0 || !sameSignature(hmac.digest(), signature!)) {
        refusals.note(401, { delivery: id, event: name }, 'the signature does not match the webhook secret');
        return answer(res, 401, { error: 'signature does not match the webhook secret' });
      }
      if (name === 'ping') return answer(res, 200, { delivery: id, recorded: false, reason: 'pong' });
      if (!Object.hasOwn(RECORDED_EVENTS, name!)) {
        log.debug({ delivery: id, event: name }, 'event without a handler acknowledged, not stored');
        return answer(res, 202, { delivery: id, recorded: false, reason: `the app does not handle ${name} events` });
      }
      let payload: unknown;
      const text = read.body.toString('utf8');
      try {
        payload = JSON.parse(text);
      } catch {
        refusals.note(400, { delivery: id, event: name }, 'a signed body is not JSON');
        return answer(res, 400, { error: 'the body is not JSON' });
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return answer(res, 400, { error: 'the body is not a JSON object' });
      const headers: Record<string, string> = {};
      for (const h of KEPT_HEADERS) {
        const v = header(h);
        if (v !== undefined) headers[h] = v.slice(0, 200);
      }
      try {
        await options.record({ id: id!, name: name!, payload, payloadJson: text, headers });
      } catch (error) {
        log.error(
          { delivery: id, event: name, err: { message: (error as Error).message } },
          'could not record a webhook delivery; GitHub sees it failed (redeliver it)',
        );
        return answer(res, 500, { error: 'the delivery could not be stored; redeliver it' });
      }
      return answer(res, 200, { delivery: id, recorded: true });
    } finally {
      read.release();
    }
  };
}

/**
 * GitHub's `X-Hub-Signature-256` check: `sha256=` + the hex HMAC-SHA256 of the raw body
 * keyed by the webhook secret (docs: "Validating webhook deliveries"), compared in
 * constant time. The HMAC is computed over the bytes as they arrive (what
 * @octokit/webhooks-methods' `verify` computes over a decoded string), so a forged
 * 25 MB body is never decoded, copied or hashed in one block.
 * @param digest the HMAC-SHA256 of the body
 */
export function sameSignature(digest: Buffer, signature: string): boolean {
  if (!SIGNATURE.test(signature)) return false;
  return crypto.timingSafeEqual(digest, Buffer.from(signature.slice('sha256='.length), 'hex'));
}

/**
 * Logs refused webhook requests without letting a flood of them flood the log: each
 * one at debug level (delivery id, event, status; never the body), and at warn level
 * the first of a quiet period, then one summary of the counts by status per `periodMs`.
 */
class RefusalLog {
  private counts = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    private readonly periodMs = 10_000,
  ) {}

  note(status: number, fields: { delivery?: string; event?: string }, message: string): void {
    this.log.debug({ ...fields, status }, `webhook refused: ${message}`);
    if (!this.timer) {
      this.log.warn({ ...fields, status }, `webhook refused: ${message} (further refusals are summarised every ${this.periodMs / 1000} s)`);
      this.timer = setTimeout(() => this.flush(), this.periodMs);
      this.timer.unref();
      return;
    }
    this.counts.set(status, (this.counts.get(status) ?? 0) + 1);
  }

  private flush(): void {
    this.timer = null;
    if (this.counts.size === 0) return;
    const byStatus = Object.fromEntries(this.counts);
    this.counts = new Map();
    this.log.warn(
      { byStatus },
      `webhook requests refused in the last ${this.periodMs / 1000} s: ${Object.entries(byStatus)
        .map(([s, n]) => `${s} ×${n}`)
        .join(', ')}`,
    );
    this.timer = setTimeout(() => this.flush(), this.periodMs);
    this.timer.unref();
  }
}

function normalize(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = `${JSON.stringify(body)}\n`;
  if (!res.headersSent)
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
  return true;
}

/** After refusing a request whose body is not read, what is still discarded before the connection is cut. */
const LINGER = { ms: 2000, bytes: 4 * 1024 * 1024 };

/**
 * Answers a request whose body is not (all) read. The rest of the body is discarded,
 * never kept: if it ends within `LINGER` the connection stays usable (keep-alive); if
 * the sender goes on, the connection is cut. Cutting at once would reset it with unread
 * bytes pending, and the sender would often never see the answer.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): true {
  if (req.complete) return answer(res, status, { error: message }, headers);
  let discarded = 0;
  const cut = () => {
    if (!req.complete) req.socket.destroy();
  };
  const timer = setTimeout(cut, LINGER.ms);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER.bytes) cut();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
  return answer(res, status, { error: message }, headers);
}
