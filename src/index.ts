import type { ApplicationFunction } from 'probot';
import { prebuildsApp } from './app.js';
import { readAppEnv, runtimeOptionsFromEnv, webhookOptionsFromEnv } from './env.js';
import { openStore } from './store/index.js';

/**
 * Entry point for `probot run` (`npm start`): opens the store at `DATABASE_PATH`
 * (default `./data/prebuilds.sqlite`) and loads the app with its own webhook endpoint.
 * Probot reads `APP_ID`, `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GHE_HOST` … from the
 * environment, and without an app id runs its registration flow from `app.yml`; the
 * app's own variables are in src/env.ts.
 */
const appFn: ApplicationFunction = async (app, options) => {
  const settings = readAppEnv(process.env);
  const webhooks = webhookOptionsFromEnv(process.env);
  const store = await openStore(settings.databasePath, settings.sqliteSynchronous);
  await prebuildsApp({ store, runtime: runtimeOptionsFromEnv(process.env), webhooks })(app, options);
};

export default appFn;
