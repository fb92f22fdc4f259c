/**
 * `npm start`: runs the app the way `probot run` does (environment: `APP_ID`,
 * `PRIVATE_KEY`, `WEBHOOK_SECRET`, `WEBHOOK_PATH`, `PORT`, `GHE_HOST`, …; without an
 * app id, Probot's registration flow from `app.yml`), with a logger that never writes
 * tokens, cookies or webhook bodies, and the app's own webhook endpoint in place of
 * Probot's middleware (which is given a path no request has).
 */
import { run } from 'probot';
import { PROBOT_WEBHOOK_PATH_OFF } from './app.js';
import { AppEnv, readAppEnv } from './env.js';
import appFn from './index.js';
import { createLogger } from './logger.js';

const { logLevel: level, logFormat: format } = readAppEnv(process.env);
// Read lazily: Probot loads `.env` into process.env before it reads its options.
const env = new Proxy(process.env, { get: (target, key) => (key === AppEnv.WebhookPath ? PROBOT_WEBHOOK_PATH_OFF : target[key as string]) });
await run(appFn, { log: await createLogger({ level, format }), env });
