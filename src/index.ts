import type { ApplicationFunction } from 'probot';
import { prebuildsApp, type WebhookEndpointOptions } from './app.js';
import { openStore } from './store/index.js';

/**
 * Entry point for `probot run` (`npm start`): opens the store at `DATABASE_PATH`
 * (default `./data/prebuilds.sqlite`) and loads the app. Probot reads `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GHE_HOST` … from the environment, and without an
 * app id runs its registration flow from `app.yml`.
 */
const appFn: ApplicationFunction = async (app, options) => {
  const webhooks = webhookOptionsFromEnv(process.env);
  const store = await openStore();
  await prebuildsApp({ store, runtime: runtimeOptionsFromEnv(process.env), webhooks })(app, options);
};

const whole = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole non-negative number, got "${raw}"`);
  return n;
};

/**
 * The webhook endpoint from the environment: `WEBHOOK_SECRET` (required), `WEBHOOK_PATH`
 * (default `/api/github/webhooks`), `WEBHOOK_MAX_BODY_BYTES` (default 26214400, GitHub's
 * 25 MB cap), `WEBHOOK_MEMORY_BYTES` (request bodies held at once, default four bodies),
 * `WEBHOOK_BODY_TIMEOUT_MS` (default 10000, GitHub's delivery timeout).
 * @throws Error naming the variable when the secret is missing or a number is not whole
 */
export function webhookOptionsFromEnv(env: NodeJS.ProcessEnv): WebhookEndpointOptions {
  const secret = env.WEBHOOK_SECRET;
  if (!secret) throw new Error('WEBHOOK_SECRET is not set: the app accepts only deliveries signed with the secret set in the GitHub App settings');
  return {
    secret,
    path: env.WEBHOOK_PATH || undefined,
    maxBodyBytes: whole(env, 'WEBHOOK_MAX_BODY_BYTES') || undefined,
    memoryBytes: whole(env, 'WEBHOOK_MEMORY_BYTES') || undefined,
    bodyTimeoutMs: whole(env, 'WEBHOOK_BODY_TIMEOUT_MS') || undefined,
  };
}

/**
 * Runtime periods from the environment, all in milliseconds:
 * `RECONCILE_INTERVAL_MS` (default 60000; 0 turns the reconciler off),
 * `RECONCILE_GRACE_MS` (how old a dispatched run must be before it is checked, default 120000),
 * `SCHEDULE_INTERVAL_MS` (default 60000), `DELIVERY_PAYLOAD_RETENTION_MS` (how long a
 * processed delivery keeps its payload, default 0), `DELIVERY_PRUNE_INTERVAL_MS` (how
 * often payloads past it are dropped, default 10000).
 * @throws Error naming the variable when a value is not a non-negative integer
 */
export function runtimeOptionsFromEnv(env: NodeJS.ProcessEnv): {
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
  scheduleIntervalMs?: number;
  processor: { payloadRetentionMs?: number; pruneIntervalMs?: number };
} {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${raw}"`);
    return n;
  };
  return {
    reconcileIntervalMs: read('RECONCILE_INTERVAL_MS'),
    reconcileGraceMs: read('RECONCILE_GRACE_MS'),
    scheduleIntervalMs: read('SCHEDULE_INTERVAL_MS'),
    processor: { payloadRetentionMs: read('DELIVERY_PAYLOAD_RETENTION_MS'), pruneIntervalMs: read('DELIVERY_PRUNE_INTERVAL_MS') },
  };
}

export default appFn;
