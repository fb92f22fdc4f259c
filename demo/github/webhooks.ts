/**
 * Webhook deliveries as GitHub makes them: a JSON POST with `X-GitHub-Event`,
 * `X-GitHub-Delivery` (a UUID), `X-Hub-Signature-256` (HMAC-SHA256 of the body
 * with the webhook secret) and `X-Hub-Signature` (SHA-1), a 10 s timeout, no
 * retries. Deliveries are sent one at a time, in order (per queue: deliveries of
 * different queues, e.g. one per repository, go out concurrently).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';

/** One delivery and its outcome. */
export interface Delivery {
  id: string;
  event: string;
  action: string | null;
  payload: unknown;
  /** HTTP status of the app's answer, or `null` when it failed to answer. */
  status: number | null;
  /** The app's answer body. */
  text: string;
  error: string | null;
  durationMs: number;
}

/** How to deliver one webhook differently from GitHub (tests of the app's refusals and deduplication). */
export interface DeliveryOptions {
  /** The delivery GUID (`X-GitHub-Delivery`); default a new UUID. */
  id?: string;
  /** Sign with this secret instead of the webhook secret. */
  secret?: string;
  /** Send this `X-Hub-Signature-256` as is. */
  signature?: string;
  /** Deliveries of one queue go one at a time, in order; default the one common queue. */
  queue?: string;
}

/**
 * The headers GitHub sends with a webhook delivery: the event, the delivery GUID, the
 * hook and App ids, and both signatures of `body` with `secret` (`X-Hub-Signature-256`
 * unless `signature` is given as is, and the SHA-1 `X-Hub-Signature`).
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers
 */
export async function webhookHeaders(o: {
  secret: string;
  appId: number;
  event: string;
  id: string;
  body: string;
  signature?: string;
}): Promise<Record<string, string>> {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/stand-in',
    'x-github-event': o.event,
    'x-github-delivery': o.id,
    'x-github-hook-id': '1',
    'x-github-hook-installation-target-type': 'integration',
    'x-github-hook-installation-target-id': String(o.appId),
    'x-hub-signature-256': o.signature ?? (await sign(o.secret, o.body)),
    'x-hub-signature': `sha1=${createHmac('sha1', o.secret).update(o.body).digest('hex')}`,
  };
}

/** Sends webhooks to one URL, sequentially; keeps every delivery. */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  private chains = new Map<string, Promise<unknown>>();
  /** The app's webhook URL; deliveries before it is set are recorded with an error. */
  url: string | null = null;

  constructor(
    private readonly secret: string,
    private readonly appId: number,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * Queues a delivery.
   * @returns the delivery once the app answered (or failed to)
   */
  send(event: string, payload: { action?: string } & object, options: DeliveryOptions = {}): Promise<Delivery> {
    const queue = options.queue ?? '';
    const p = (this.chains.get(queue) ?? Promise.resolve()).then(() => this.deliver(event, payload, options));
    const settled = p.catch(() => undefined);
    this.chains.set(queue, settled);
    void settled.then(() => {
      if (this.chains.get(queue) === settled) this.chains.delete(queue);
    });
    return p;
  }

  /** Resolves when every queued delivery has been made. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async deliver(event: string, payload: { action?: string } & object, options: DeliveryOptions): Promise<Delivery> {
    const body = JSON.stringify(payload);
    const secret = options.secret ?? this.secret;
    const delivery: Delivery = {
      id: options.id ?? randomUUID(),
      event,
      action: payload.action ?? null,
      payload,
      status: null,
      text: '',
      error: null,
      durationMs: 0,
    };
    this.deliveries.push(delivery);
    const started = Date.now();
    if (!this.url) {
      delivery.error = 'no webhook URL configured';
      return delivery;
    }
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: await webhookHeaders({
          secret,
          appId: this.appId,
          event,
          id: delivery.id,
          body,
          ...(options.signature !== undefined ? { signature: options.signature } : {}),
        }),
      });
      delivery.text = await res.text();
      delivery.status = res.status;
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      delivery.error =
        (err as Error).name === 'TimeoutError'
          ? `timed out after ${this.timeoutMs} ms`
          : `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message ?? String(cause)})` : ''}`;
    }
    delivery.durationMs = Date.now() - started;
    return delivery;
  }
}
