import type { ApplicationFunction } from 'probot';
import { prebuildsApp } from './app.js';
import { readAppEnv, restoreReportOptionsFromEnv, runtimeOptionsFromEnv, webhookOptionsFromEnv } from './env.js';
import type { Runtime } from './runtime.js';
import { openStore } from './store/index.js';

/**
 * Entry point for `probot run` (`npm start`): opens the store at `DATABASE_URL` (a
 * `postgres://` URL: several replicas may share it) or `DATABASE_PATH` (SQLite, default
 * `./data/prebuilds.sqlite`) and loads the app with its own webhook endpoint. Probot
 * reads `APP_ID`, `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GHE_HOST` … from the environment,
 * and without an app id runs its registration flow from `app.yml`; the app's own
 * variables are in src/env.ts.
 */
const appFn: ApplicationFunction = async (app, options) => {
  const settings = readAppEnv(process.env);
  const webhooks = webhookOptionsFromEnv(process.env);
  const store = await openStore(settings.databaseUrl ?? settings.databasePath, {
    poolSize: settings.databasePoolSize,
    sqliteSynchronous: settings.sqliteSynchronous,
  });
  let runtime: Runtime | null = null;
  await prebuildsApp({
    store,
    runtime: runtimeOptionsFromEnv(process.env),
    webhooks,
    restoreReports: restoreReportOptionsFromEnv(process.env),
    onRuntime: (r) => (runtime = r),
  })(app, options);
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

export default appFn;
