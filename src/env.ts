import path from 'node:path';
import type { WebhookEndpointOptions } from './app.js';
import { DirStore } from './lifecycle/snapshot/dir-store.js';
import { sqliteDurability } from './store/index.js';

/**
 * Every environment variable the app itself reads, in one place (Probot reads its own:
 * `APP_ID`, `PRIVATE_KEY`, `PRIVATE_KEY_PATH`, `WEBHOOK_SECRET`, `WEBHOOK_PATH`, `PORT`,
 * `HOST`, `GHE_HOST`, `GHE_PROTOCOL`; see the README's table). Nothing else in src/
 * touches `process.env`, except `${localEnv:…}` substitution, which is the Dev Container
 * specification's own use of the host environment.
 */
export const AppEnv = {
  /** The SQLite file (default `./data/prebuilds.sqlite`). */
  DatabasePath: 'DATABASE_PATH',
  /** A `postgres://` URL: the PostgreSQL store, which several replicas share (wins over `DATABASE_PATH`). */
  DatabaseUrl: 'DATABASE_URL',
  /** PostgreSQL connections per replica (default 10). */
  DatabasePoolSize: 'DATABASE_POOL_SIZE',
  /** How long a replica's claim on a delivery holds without renewal, ms (default 60000): how soon another replica takes over a dead one's deliveries. */
  DeliveryLeaseMs: 'DELIVERY_LEASE_MS',
  /** pino level: `fatal` … `trace` (default `info`). */
  LogLevel: 'LOG_LEVEL',
  /** `json` for one JSON object per line, anything else for pretty output. */
  LogFormat: 'LOG_FORMAT',
  /** Reconciler period, ms (default 60000; 0 turns it off). */
  ReconcileIntervalMs: 'RECONCILE_INTERVAL_MS',
  /** Age of a dispatched run before the reconciler checks it, ms (default 120000). */
  ReconcileGraceMs: 'RECONCILE_GRACE_MS',
  /** How often schedules are checked, ms (default 60000; 0 turns them off). */
  ScheduleIntervalMs: 'SCHEDULE_INTERVAL_MS',
  /** SQLite durability: `full` (default) or `acknowledged`. */
  SqliteSynchronous: 'SQLITE_SYNCHRONOUS',
  /** The webhook secret (required; Probot reads it too). */
  WebhookSecret: 'WEBHOOK_SECRET',
  /** Where webhooks arrive (default `/api/github/webhooks`). */
  WebhookPath: 'WEBHOOK_PATH',
  /** Largest delivery body, bytes (default GitHub's 25 MB cap). */
  WebhookMaxBodyBytes: 'WEBHOOK_MAX_BODY_BYTES',
  /** Request bodies held in memory at once, bytes (default four bodies). */
  WebhookMemoryBytes: 'WEBHOOK_MEMORY_BYTES',
  /** How long a delivery body may take to arrive, ms (default 10000). */
  WebhookBodyTimeoutMs: 'WEBHOOK_BODY_TIMEOUT_MS',
  /** How long a processed delivery keeps its payload, ms (default 0). */
  DeliveryPayloadRetentionMs: 'DELIVERY_PAYLOAD_RETENTION_MS',
  /** How often payloads past their retention are dropped, ms (default 10000). */
  DeliveryPruneIntervalMs: 'DELIVERY_PRUNE_INTERVAL_MS',
  /** Directory stores (`dir:`) the app can reach, absolute paths separated by `:`; their snapshots are deleted with the rest. */
  DirStores: 'PREBUILDS_DIR_STORES',
} as const;

/** Environment variable listing the directory stores the app can reach. */
export const DIR_STORES_ENV = AppEnv.DirStores;

/**
 * The directory stores named by {@link DIR_STORES_ENV}: absolute paths only
 * (relative ones are ignored: the app's working directory means nothing to a runner).
 */
export function dirStoresFromEnv(env: Readonly<Record<string, string | undefined>>): DirStore[] {
  const roots = (env[DIR_STORES_ENV] ?? '').split(':').map((p) => p.trim());
  return [...new Set(roots.filter((p) => path.isAbsolute(p)))].map((p) => new DirStore(p));
}

/** pino's levels, as `LOG_LEVEL` takes them. */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The app's settings read from the environment. */
export interface AppSettings {
  databasePath: string | undefined;
  /** `DATABASE_URL`, when set. */
  databaseUrl: string | undefined;
  databasePoolSize: number | undefined;
  logLevel: (typeof LEVELS)[number];
  logFormat: 'json' | 'pretty';
  reconcileIntervalMs: number | undefined;
  reconcileGraceMs: number | undefined;
  scheduleIntervalMs: number | undefined;
  /** SQLite durability (`SQLITE_SYNCHRONOUS`). */
  sqliteSynchronous: 'full' | 'acknowledged';
}

/**
 * Reads {@link AppEnv} from an environment (`process.env`).
 * @throws Error naming the variable when a value is not valid (a period that is not a
 *   non-negative whole number of milliseconds, an unknown log level)
 */
export function readAppEnv(env: Readonly<Record<string, string | undefined>>): AppSettings {
  const ms = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${raw}"`);
    return n;
  };
  const positive = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
    return n;
  };
  const level = env[AppEnv.LogLevel] || 'info';
  if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`${AppEnv.LogLevel} must be one of ${LEVELS.join(', ')}, got "${level}"`);
  return {
    databasePath: env[AppEnv.DatabasePath] || undefined,
    databaseUrl: env[AppEnv.DatabaseUrl] || undefined,
    databasePoolSize: positive(AppEnv.DatabasePoolSize),
    logLevel: level as AppSettings['logLevel'],
    logFormat: env[AppEnv.LogFormat] === 'json' ? 'json' : 'pretty',
    reconcileIntervalMs: ms(AppEnv.ReconcileIntervalMs),
    reconcileGraceMs: ms(AppEnv.ReconcileGraceMs),
    scheduleIntervalMs: ms(AppEnv.ScheduleIntervalMs),
    sqliteSynchronous: sqliteDurability(env[AppEnv.SqliteSynchronous]),
  };
}

const whole = (env: Readonly<Record<string, string | undefined>>, name: string): number | undefined => {
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
export function webhookOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): WebhookEndpointOptions {
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
export function runtimeOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): {
  dirStores: DirStore[];
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
  scheduleIntervalMs?: number;
  processor: { payloadRetentionMs?: number; pruneIntervalMs?: number; leaseMs?: number };
} {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${raw}"`);
    return n;
  };
  return {
    dirStores: dirStoresFromEnv(env),
    reconcileIntervalMs: read('RECONCILE_INTERVAL_MS'),
    reconcileGraceMs: read('RECONCILE_GRACE_MS'),
    scheduleIntervalMs: read('SCHEDULE_INTERVAL_MS'),
    processor: {
      payloadRetentionMs: read('DELIVERY_PAYLOAD_RETENTION_MS'),
      pruneIntervalMs: read('DELIVERY_PRUNE_INTERVAL_MS'),
      ...(read(AppEnv.DeliveryLeaseMs) ? { leaseMs: read(AppEnv.DeliveryLeaseMs) } : {}),
    },
  };
}

