import path from 'node:path';
import type { WebhookEndpointOptions } from './app.js';
import { GITHUB_ACTIONS_ISSUER, type ActionsTokenOptions } from './api/oidc.js';
import { DEFAULT_RESTORE_AUDIENCE } from './api/restore-report.js';
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
  /** PostgreSQL connections per replica (default 4). */
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
  /** Issuer of the OIDC tokens restore reports carry (default `https://token.actions.githubusercontent.com`; GHES: `https://HOST/_services/token`). */
  OidcIssuer: 'PREBUILDS_OIDC_ISSUER',
  /** The audience restore reports' tokens must have (default `prebuilds-for-github`; the restore action's `audience` input must match). */
  OidcAudience: 'PREBUILDS_OIDC_AUDIENCE',
} as const;

/**
 * How restore reports' OIDC tokens are checked: `PREBUILDS_OIDC_ISSUER` (default
 * GitHub.com's Actions issuer) and `PREBUILDS_OIDC_AUDIENCE` (default `prebuilds-for-github`).
 * @throws Error naming the variable when the issuer is not an http(s) URL
 */
export function restoreReportOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): ActionsTokenOptions {
  const issuer = env[AppEnv.OidcIssuer] || GITHUB_ACTIONS_ISSUER;
  if (!/^https?:\/\/[^\s/]+/.test(issuer)) throw new Error(`${AppEnv.OidcIssuer} must be an http(s) URL, got "${issuer}"`);
  return { issuer: issuer.replace(/\/+$/, ''), audience: env[AppEnv.OidcAudience] || DEFAULT_RESTORE_AUDIENCE };
}

/** The default restore report options (GitHub.com's issuer, the default audience). */
export function defaultRestoreReportOptions(): ActionsTokenOptions {
  return restoreReportOptionsFromEnv({});
}

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

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A whole number from the environment, or undefined when the variable is unset or empty.
 * @throws Error naming the variable when the value is not a whole number of at least `min`
 */
function wholeNumber(env: Env, name: string, min: number, unit: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be a ${min > 0 ? 'positive ' : ''}whole number${unit}, got "${raw}"`);
  return n;
}
const ms = (env: Env, name: string) => wholeNumber(env, name, 0, ' of milliseconds');
const bytes = (env: Env, name: string) => wholeNumber(env, name, 0, ' of bytes');

/**
 * Reads {@link AppEnv} from an environment (`process.env`).
 * @throws Error naming the variable when a value is not valid (a period that is not a
 *   non-negative whole number of milliseconds, an unknown log level)
 */
export function readAppEnv(env: Env): AppSettings {
  const level = env[AppEnv.LogLevel] || 'info';
  if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`${AppEnv.LogLevel} must be one of ${LEVELS.join(', ')}, got "${level}"`);
  return {
    databasePath: env[AppEnv.DatabasePath] || undefined,
    databaseUrl: env[AppEnv.DatabaseUrl] || undefined,
    databasePoolSize: wholeNumber(env, AppEnv.DatabasePoolSize, 1, ''),
    logLevel: level as AppSettings['logLevel'],
    logFormat: env[AppEnv.LogFormat] === 'json' ? 'json' : 'pretty',
    reconcileIntervalMs: ms(env, AppEnv.ReconcileIntervalMs),
    reconcileGraceMs: ms(env, AppEnv.ReconcileGraceMs),
    scheduleIntervalMs: ms(env, AppEnv.ScheduleIntervalMs),
    sqliteSynchronous: sqliteDurability(env[AppEnv.SqliteSynchronous]),
  };
}

/**
 * The webhook endpoint from the environment: `WEBHOOK_SECRET` (required), `WEBHOOK_PATH`
 * (default `/api/github/webhooks`), `WEBHOOK_MAX_BODY_BYTES` (default 26214400, GitHub's
 * 25 MB cap), `WEBHOOK_MEMORY_BYTES` (request bodies held at once, default four bodies),
 * `WEBHOOK_BODY_TIMEOUT_MS` (default 10000, GitHub's delivery timeout).
 * @throws Error naming the variable when the secret is missing or a number is not whole
 */
export function webhookOptionsFromEnv(env: Env): WebhookEndpointOptions {
  const secret = env[AppEnv.WebhookSecret];
  if (!secret) throw new Error('WEBHOOK_SECRET is not set: the app accepts only deliveries signed with the secret set in the GitHub App settings');
  return {
    secret,
    path: env[AppEnv.WebhookPath] || undefined,
    maxBodyBytes: bytes(env, AppEnv.WebhookMaxBodyBytes) || undefined,
    memoryBytes: bytes(env, AppEnv.WebhookMemoryBytes) || undefined,
    bodyTimeoutMs: ms(env, AppEnv.WebhookBodyTimeoutMs) || undefined,
  };
}

/**
 * The runtime's options from the environment, periods in milliseconds:
 * `RECONCILE_INTERVAL_MS` (default 60000; 0 turns the reconciler off),
 * `RECONCILE_GRACE_MS` (how old a dispatched run must be before it is checked, default 120000),
 * `SCHEDULE_INTERVAL_MS` (default 60000), `DELIVERY_PAYLOAD_RETENTION_MS` (how long a
 * processed delivery keeps its payload, default 0), `DELIVERY_PRUNE_INTERVAL_MS` (how
 * often payloads past it are dropped, default 10000), `DELIVERY_LEASE_MS` (a replica's
 * claim on a delivery, default 60000), and the directory stores (`PREBUILDS_DIR_STORES`).
 * @throws Error naming the variable when a value is not a non-negative integer
 */
export function runtimeOptionsFromEnv(env: Env): {
  dirStores: DirStore[];
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
  scheduleIntervalMs?: number;
  processor: { payloadRetentionMs?: number; pruneIntervalMs?: number; leaseMs?: number };
} {
  return {
    dirStores: dirStoresFromEnv(env),
    reconcileIntervalMs: ms(env, AppEnv.ReconcileIntervalMs),
    reconcileGraceMs: ms(env, AppEnv.ReconcileGraceMs),
    scheduleIntervalMs: ms(env, AppEnv.ScheduleIntervalMs),
    processor: {
      payloadRetentionMs: ms(env, AppEnv.DeliveryPayloadRetentionMs),
      pruneIntervalMs: ms(env, AppEnv.DeliveryPruneIntervalMs),
      ...(ms(env, AppEnv.DeliveryLeaseMs) ? { leaseMs: ms(env, AppEnv.DeliveryLeaseMs) } : {}),
    },
  };
}
