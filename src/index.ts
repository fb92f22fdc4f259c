import type { ApplicationFunction } from 'probot';
import { prebuildsApp } from './app.js';
import type { Runtime } from './runtime.js';
import { openStore } from './store/index.js';

/**
 * Entry point for `probot run` (`npm start`): opens the store at `DATABASE_URL` (a
 * `postgres://` URL: several replicas may share it) or `DATABASE_PATH` (SQLite, default
 * `./data/prebuilds.sqlite`) and loads the app. Probot reads `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GHE_HOST` … from the environment, and without an
 * app id runs its registration flow from `app.yml`.
 */
const appFn: ApplicationFunction = async (app, options) => {
  const store = await openStore();
  let runtime: Runtime | null = null;
  await prebuildsApp({ store, runtime: runtimeOptionsFromEnv(process.env), onRuntime: (r) => (runtime = r) })(app, options);
  // A rolling deploy stops replicas with SIGTERM: finish the deliveries in hand and release
  // the rest at once for the other replicas (a SIGKILL leaves them to expire: DELIVERY_LEASE_MS).
  process.once('SIGTERM', () => {
    app.log.info('SIGTERM: finishing the deliveries in progress, then exiting');
    void (async () => {
      await runtime?.stop();
      await store.close();
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'could not stop cleanly');
        process.exit(1);
      },
    );
  });
};

/**
 * Runtime periods from the environment, all in milliseconds:
 * `RECONCILE_INTERVAL_MS` (default 60000; 0 turns the reconciler off),
 * `RECONCILE_GRACE_MS` (how old a dispatched run must be before it is checked, default 120000),
 * `SCHEDULE_INTERVAL_MS` (default 60000),
 * `DELIVERY_LEASE_MS` (how long a replica's claim on a delivery holds without renewal:
 * how soon another replica takes over a dead one's deliveries, default 60000).
 * @throws Error naming the variable when a value is not a non-negative integer
 */
export function runtimeOptionsFromEnv(env: NodeJS.ProcessEnv): {
  reconcileIntervalMs?: number;
  reconcileGraceMs?: number;
  scheduleIntervalMs?: number;
  processor?: { leaseMs?: number };
} {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${raw}"`);
    return n;
  };
  const leaseMs = read('DELIVERY_LEASE_MS');
  return {
    reconcileIntervalMs: read('RECONCILE_INTERVAL_MS'),
    reconcileGraceMs: read('RECONCILE_GRACE_MS'),
    scheduleIntervalMs: read('SCHEDULE_INTERVAL_MS'),
    ...(leaseMs ? { processor: { leaseMs } } : {}),
  };
}

export default appFn;
