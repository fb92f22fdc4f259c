import { AppEnv, readAppEnv, restoreReportOptionsFromEnv, runtimeOptionsFromEnv, webhookOptionsFromEnv } from '../../src/env.js';

describe('the environment the app reads (src/env.ts)', () => {
  it('defaults: SQLite at its default path, info level, pretty logs, runtime defaults', () => {
    expect(readAppEnv({})).toEqual({
      databasePath: undefined,
      databaseUrl: undefined,
      databasePoolSize: undefined,
      logLevel: 'info',
      logFormat: 'pretty',
      reconcileIntervalMs: undefined,
      reconcileGraceMs: undefined,
      scheduleIntervalMs: undefined,
      sqliteSynchronous: 'full',
    });
  });

  it('reads every variable it names', () => {
    const env = {
      [AppEnv.DatabasePath]: '/var/lib/prebuilds.sqlite',
      [AppEnv.LogLevel]: 'debug',
      [AppEnv.LogFormat]: 'json',
      [AppEnv.ReconcileIntervalMs]: '0',
      [AppEnv.ReconcileGraceMs]: '5000',
      [AppEnv.ScheduleIntervalMs]: '30000',
    };
    expect(readAppEnv(env)).toEqual({
      databasePath: '/var/lib/prebuilds.sqlite',
      databaseUrl: undefined,
      databasePoolSize: undefined,
      logLevel: 'debug',
      logFormat: 'json',
      reconcileIntervalMs: 0,
      reconcileGraceMs: 5000,
      scheduleIntervalMs: 30000,
      sqliteSynchronous: 'full',
    });
  });

  it('names the variable when a value is wrong', () => {
    expect(() => readAppEnv({ RECONCILE_INTERVAL_MS: '1.5' })).toThrow('RECONCILE_INTERVAL_MS must be a whole number of milliseconds, got "1.5"');
    expect(() => readAppEnv({ SCHEDULE_INTERVAL_MS: '-1' })).toThrow(/SCHEDULE_INTERVAL_MS/);
    expect(() => readAppEnv({ LOG_LEVEL: 'verbose' })).toThrow('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"');
    expect(() => readAppEnv({ SQLITE_SYNCHRONOUS: 'off' })).toThrow(/SQLITE_SYNCHRONOUS/);
    expect(() => readAppEnv({ DATABASE_POOL_SIZE: '0' })).toThrow('DATABASE_POOL_SIZE must be a positive whole number, got "0"');
    expect(readAppEnv({ DATABASE_URL: 'postgres://db/prebuilds', DATABASE_POOL_SIZE: '20' })).toMatchObject({
      databaseUrl: 'postgres://db/prebuilds',
      databasePoolSize: 20,
    });
  });
});

describe('settings from the environment (npm start)', () => {
  it('the webhook endpoint needs WEBHOOK_SECRET and reads its limits', () => {
    expect(() => webhookOptionsFromEnv({})).toThrow(/WEBHOOK_SECRET is not set/);
    expect(webhookOptionsFromEnv({ WEBHOOK_SECRET: 's' })).toEqual({
      secret: 's',
      path: undefined,
      maxBodyBytes: undefined,
      memoryBytes: undefined,
      bodyTimeoutMs: undefined,
    });
    expect(
      webhookOptionsFromEnv({
        WEBHOOK_SECRET: 's',
        WEBHOOK_PATH: '/hooks',
        WEBHOOK_MAX_BODY_BYTES: '1000',
        WEBHOOK_MEMORY_BYTES: '4000',
        WEBHOOK_BODY_TIMEOUT_MS: '5000',
      }),
    ).toEqual({ secret: 's', path: '/hooks', maxBodyBytes: 1000, memoryBytes: 4000, bodyTimeoutMs: 5000 });
    expect(() => webhookOptionsFromEnv({ WEBHOOK_SECRET: 's', WEBHOOK_MAX_BODY_BYTES: '25MB' })).toThrow(/WEBHOOK_MAX_BODY_BYTES/);
  });

  it('payload retention and the prune period are whole milliseconds', () => {
    expect(runtimeOptionsFromEnv({ DELIVERY_PAYLOAD_RETENTION_MS: '86400000', DELIVERY_PRUNE_INTERVAL_MS: '60000' }).processor).toEqual({
      payloadRetentionMs: 86_400_000,
      pruneIntervalMs: 60_000,
    });
    expect(() => runtimeOptionsFromEnv({ DELIVERY_PAYLOAD_RETENTION_MS: '-1' })).toThrow(/DELIVERY_PAYLOAD_RETENTION_MS/);
  });

  it('restore reports: GitHub.com issuer and the default audience unless configured; the issuer must be a URL', () => {
    expect(restoreReportOptionsFromEnv({})).toEqual({ issuer: 'https://token.actions.githubusercontent.com', audience: 'prebuilds-for-github' });
    expect(
      restoreReportOptionsFromEnv({
        PREBUILDS_OIDC_ISSUER: 'https://ghe.example.com/_services/token/',
        PREBUILDS_OIDC_AUDIENCE: 'https://prebuilds.example.com',
      }),
    ).toEqual({
      issuer: 'https://ghe.example.com/_services/token',
      audience: 'https://prebuilds.example.com',
    });
    expect(() => restoreReportOptionsFromEnv({ PREBUILDS_OIDC_ISSUER: 'token.actions.githubusercontent.com' })).toThrow(/PREBUILDS_OIDC_ISSUER/);
  });
});
