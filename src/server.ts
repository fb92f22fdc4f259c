import net from 'node:net';
import type { Logger } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { PROBOT_WEBHOOK_PATH_OFF, prebuildsApp, type WebhookEndpointOptions } from './app.js';
import type { ActionsTokenOptions } from './api/oidc.js';
import { createLogger } from './logger.js';
import type { Runtime, RuntimeOptions } from './runtime.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';
import { DEFAULT_WEBHOOK_PATH } from './webhooks/receiver.js';

/** Options of {@link startAppServer}. */
export interface AppServerOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  appId: string | number;
  /** PEM private key of the GitHub App. */
  privateKey: string;
  webhookSecret: string;
  /** REST base URL, e.g. `http://127.0.0.1:8080/api/v3` for a GitHub Enterprise Server. Default api.github.com. */
  baseUrl?: string;
  /** SQLite file of the store. */
  databasePath: string;
  /** PostgreSQL: connections in the store's pool (`DATABASE_POOL_SIZE`). Default 4. */
  databasePoolSize?: number;
  /** SQLite durability: `full` (default) or `acknowledged` (see `sqliteDurability`). */
  sqliteSynchronous?: 'full' | 'acknowledged';
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug';
  /** Passed to the runtime (reconciler period in ms, retries). */
  runtime?: Pick<RuntimeOptions, 'reconcileIntervalMs' | 'reconcileGraceMs' | 'scheduleIntervalMs' | 'processor' | 'github' | 'dirStores'>;
  /** How restore reports' OIDC tokens are checked (default GitHub's issuer, audience `prebuilds-for-github`). */
  restoreReports?: ActionsTokenOptions;
  /**
   * Octokit's throttling and retries (GitHub's secondary rate limits: writes at most one
   * per second per installation). Default true; tests against a fake GitHub turn it off.
   */
  githubRateLimits?: boolean;
  /** Where JSON log lines go (tests read them); default pretty logs on stdout. */
  logDestination?: NodeJS.WritableStream;
  /** The webhook endpoint: path (default `/api/github/webhooks`), body limit, memory budget, body time limit. */
  webhooks?: Omit<WebhookEndpointOptions, 'secret'>;
}

/** A running app server. */
export interface AppServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Where GitHub delivers webhooks: `url` + the webhook path (default `/api/github/webhooks`). */
  webhookUrl: string;
  store: Store;
  runtime: Runtime;
  log: Logger;
  /** Resolves when every recorded delivery is processed. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the app as a real HTTP server (Probot's `Server`), the way `npm start` runs
 * it, but configured in code: used by the demo, the tests and the benchmarks.
 * @throws when the port is taken or the store cannot be opened
 */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const store = await openStore(options.databasePath, { sqliteSynchronous: options.sqliteSynchronous, poolSize: options.databasePoolSize });
  // Management API tokens travel in Authorization and the page's cookie: never log them.
  const log = await createLogger({
    level: options.logLevel ?? 'warn',
    format: options.logDestination ? 'json' : 'pretty',
    destination: options.logDestination,
  });
  const ProbotWithDefaults = Probot.defaults({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.webhookSecret,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.githubRateLimits === false ? { Octokit: UnthrottledOctokit } : {}),
    log,
  });
  const host = options.host ?? '127.0.0.1';
  // Probot's Server reads port 0 as "3000": ask the OS for a free port instead.
  const port = options.port || (await freePort(host));
  // The app's own webhook endpoint answers GitHub; Probot's middleware gets a path no request has.
  const server = new Server({ Probot: ProbotWithDefaults, port, host, log, webhookPath: PROBOT_WEBHOOK_PATH_OFF });
  let runtime: Runtime | undefined;
  await server.load(
    prebuildsApp({
      store,
      onRuntime: (r) => (runtime = r),
      runtime: options.runtime,
      restoreReports: options.restoreReports,
      webhooks: { ...options.webhooks, secret: options.webhookSecret },
    }),
  );
  await server.start();
  const url = `http://${host}:${port}`;
  return {
    url,
    webhookUrl: `${url}${options.webhooks?.path ?? DEFAULT_WEBHOOK_PATH}`,
    store,
    runtime: runtime!,
    log,
    idle: () => runtime!.idle(),
    async stop() {
      await runtime!.stop();
      await server.stop();
      await store.close();
    },
  };
}

/**
 * ProbotOctokit with throttling and retries off. Probot sets its own throttle options
 * on every instance, so they are overridden in the constructor.
 */
class UnthrottledOctokit extends ProbotOctokit {
  constructor(options: ConstructorParameters<typeof ProbotOctokit>[0] = {}) {
    super({ ...options, throttle: { ...(options.throttle ?? {}), enabled: false }, retry: { enabled: false } } as never);
  }
}

/** A TCP port free on `host` right now (the OS picks it). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
