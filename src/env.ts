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
} as const;

/** pino's levels, as `LOG_LEVEL` takes them. */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The app's settings read from the environment. */
export interface AppSettings {
  databasePath: string | undefined;
  logLevel: (typeof LEVELS)[number];
  logFormat: 'json' | 'pretty';
  reconcileIntervalMs: number | undefined;
  reconcileGraceMs: number | undefined;
  scheduleIntervalMs: number | undefined;
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
  const level = env[AppEnv.LogLevel] || 'info';
  if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`${AppEnv.LogLevel} must be one of ${LEVELS.join(', ')}, got "${level}"`);
  return {
    databasePath: env[AppEnv.DatabasePath] || undefined,
    logLevel: level as AppSettings['logLevel'],
    logFormat: env[AppEnv.LogFormat] === 'json' ? 'json' : 'pretty',
    reconcileIntervalMs: ms(AppEnv.ReconcileIntervalMs),
    reconcileGraceMs: ms(AppEnv.ReconcileGraceMs),
    scheduleIntervalMs: ms(AppEnv.ScheduleIntervalMs),
  };
}
