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
  await prebuildsApp({ store })(app, options);
};

export default appFn;
