/**
 * The benchmarks' webhook sender: signed deliveries as GitHub sends them (the stand-in's
 * `webhookHeaders`), POSTed over `node:http` with kept-alive connections and nothing kept
 * afterwards. The load generator shares the two cores with the app under test: the
 * stand-in's `WebhookSender` (`fetch`, every delivery kept for the demo's log) cost it
 * about 1 ms of CPU per delivery, time the app then could not use.
 */
import http from 'node:http';
import { webhookHeaders } from '../demo/github/index.js';

/** POSTs signed webhooks; {@link close} when done. */
export class WebhookPoster {
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(
    private readonly secret: string,
    private readonly appId = 1,
  ) {}

  /**
   * Sends one delivery to `url` (the app's webhook URL), no timeout.
   * @returns the HTTP status of the answer
   * @throws Error when the connection fails (a killed app, a reset)
   */
  async post(url: string, event: string, id: string, payload: object): Promise<number> {
    const body = JSON.stringify(payload);
    const headers = await webhookHeaders({ secret: this.secret, appId: this.appId, event, id, body });
    headers['content-length'] = String(Buffer.byteLength(body));
    const target = this.target(url);
    return new Promise<number>((resolve, reject) => {
      const req = http.request({ method: 'POST', agent: this.agent, hostname: target.hostname, port: target.port, path: target.path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  private targets = new Map<string, { hostname: string; port: string; path: string }>();

  /** `url` parsed once (a URL string costs `http.request` a parse per call). */
  private target(url: string): { hostname: string; port: string; path: string } {
    let t = this.targets.get(url);
    if (!t) {
      const u = new URL(url);
      if (u.protocol !== 'http:') throw new Error(`the webhook poster sends over http only, not to ${url}`);
      t = { hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || '80', path: `${u.pathname}${u.search}` };
      this.targets.set(url, t);
    }
    return t;
  }

  /**
   * A `fetch` for the action's client (action/src/app-report.ts) over the same kept-alive
   * connections: a string body, plain-object headers and a signal, as that client sends
   * them; the answer is a `Response` read to the end. Node's `fetch` costs the bench
   * process several times the CPU of `node:http` per request, all of it on the app's cores.
   */
  readonly fetch = ((input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const target = this.target(String(input));
    const body = typeof init.body === 'string' ? init.body : '';
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
      return Promise.reject(new TypeError('the bench fetch sends string bodies only'));
    }
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined), 'content-length': String(Buffer.byteLength(body)) };
    return new Promise<Response>((resolve, reject) => {
      const req = http.request(
        {
          method: init.method ?? 'GET',
          agent: this.agent,
          hostname: target.hostname,
          port: target.port,
          path: target.path,
          headers,
          signal: init.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const empty = status === 204 || status === 205 || status === 304;
            resolve(new Response(empty ? null : Buffer.concat(chunks).toString('utf8'), { status }));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }) as typeof fetch;

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
