/**
 * `npm start`: runs the app the way `probot run` does (environment: `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `PORT`, `GHE_HOST`, …; without an app id, Probot's
 * registration flow from `app.yml`), with a logger that never writes tokens or cookies.
 */
import { run } from 'probot';
import appFn from './index.js';
import { createLogger } from './logger.js';

const level = (process.env.LOG_LEVEL as 'info' | undefined) ?? 'info';
const format = process.env.LOG_FORMAT === 'json' ? 'json' : 'pretty';
await run(appFn, { log: await createLogger({ level, format }) });
