/**
 * `npm start`: runs the app the way `probot run` does (environment: `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `PORT`, `GHE_HOST`, …; without an app id, Probot's
 * registration flow from `app.yml`), with a logger that never writes tokens or cookies.
 */
import { run } from 'probot';
import appFn from './index.js';
import { readAppEnv } from './env.js';
import { createLogger } from './logger.js';

const { logLevel: level, logFormat: format } = readAppEnv(process.env);
await run(appFn, { log: await createLogger({ level, format }) });
