import type { ApplicationFunction } from 'probot';
import { prebuildsApp } from './app.js';
import { openStore } from './store/index.js';

/**
 * Entry point for `probot run` (`npm start`): opens the store at `DATABASE_PATH`
 * (default `./data/prebuilds.sqlite`) and loads the app. Probot reads `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GHE_HOST` … from the environment, and without an
 * app id runs its registration flow from `app.yml`.
 */
const appFn: ApplicationFunction = async (app, options) => {
  const store = await openStore();
  await prebuildsApp({ store, runtime: runtimeOptionsFromEnv(process.env) })(app, options);
};

/**
 * Runtime periods from the environment, all in milliseconds:
 * `RECONCILE_INTERVAL_MS` (default 60000; 0 turns the reconciler off),
 * `RECONCILE_GRACE_MS` (how old a dispatched run must be before it is checked, default 120000),
 * `SCHEDULE_INTERVAL_MS` (default 60000).
 * @throws Error naming the variable when a value is not a non-negative integer
 */
export function runtimeOptionsFromEnv(env: NodeJS.ProcessEnv): { reconcileIntervalMs?: number; reconcileGraceMs?: number; scheduleIntervalMs?: number } {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${raw}"`);
    return n;
  };
  return { reconcileIntervalMs: read('RECONCILE_INTERVAL_MS'), reconcileGraceMs: read('RECONCILE_GRACE_MS'), scheduleIntervalMs: read('SCHEDULE_INTERVAL_MS') };
}

export default appFn;
