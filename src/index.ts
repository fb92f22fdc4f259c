import type { ApplicationFunction } from 'probot';
import { prebuildsApp } from './app.js';
import { readAppEnv } from './env.js';
import { openStore } from './store/index.js';

/**
 * Entry point for `probot run` (`npm start`): opens the store at `DATABASE_PATH`
 * (default `./data/prebuilds.sqlite`) and loads the app. Probot reads `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `GHE_HOST` … from the environment, and without an
 * app id runs its registration flow from `app.yml`.
 */
const appFn: ApplicationFunction = async (app, options) => {
  const settings = readAppEnv(process.env);
  const store = await openStore(settings.databasePath);
  const { reconcileIntervalMs, reconcileGraceMs, scheduleIntervalMs } = settings;
  await prebuildsApp({ store, runtime: { reconcileIntervalMs, reconcileGraceMs, scheduleIntervalMs } })(app, options);
};

export default appFn;
