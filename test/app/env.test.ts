import { AppEnv, readAppEnv } from '../../src/env.js';

describe('the environment the app reads (src/env.ts)', () => {
  it('defaults: SQLite at its default path, info level, pretty logs, runtime defaults', () => {
    expect(readAppEnv({})).toEqual({ databasePath: undefined, logLevel: 'info', logFormat: 'pretty', reconcileIntervalMs: undefined, reconcileGraceMs: undefined, scheduleIntervalMs: undefined });
  });

  it('reads every variable it names', () => {
    const env = { [AppEnv.DatabasePath]: '/var/lib/prebuilds.sqlite', [AppEnv.LogLevel]: 'debug', [AppEnv.LogFormat]: 'json', [AppEnv.ReconcileIntervalMs]: '0', [AppEnv.ReconcileGraceMs]: '5000', [AppEnv.ScheduleIntervalMs]: '30000' };
    expect(readAppEnv(env)).toEqual({ databasePath: '/var/lib/prebuilds.sqlite', logLevel: 'debug', logFormat: 'json', reconcileIntervalMs: 0, reconcileGraceMs: 5000, scheduleIntervalMs: 30000 });
  });

  it('names the variable when a value is wrong', () => {
    expect(() => readAppEnv({ RECONCILE_INTERVAL_MS: '1.5' })).toThrow('RECONCILE_INTERVAL_MS must be a whole number of milliseconds, got "1.5"');
    expect(() => readAppEnv({ SCHEDULE_INTERVAL_MS: '-1' })).toThrow(/SCHEDULE_INTERVAL_MS/);
    expect(() => readAppEnv({ LOG_LEVEL: 'verbose' })).toThrow('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"');
  });
});
