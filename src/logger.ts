import { getTransformStream } from '@probot/pino';
import { pino, type Logger } from 'pino';

/**
 * Request and response fields never written to logs: API tokens (`Authorization`),
 * the Prebuilds page session (`Cookie`, `Set-Cookie`), webhook signatures. Probot's
 * HTTP logger (pino-http) logs request headers at info level; bodies it never logs, and
 * the app's webhook endpoint logs only delivery ids, events and statuses.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** `pretty` (default, Probot's format) or `json`. */
  format?: 'json' | 'pretty';
  /** Where JSON lines go; default stdout. Tests pass a stream to read what was logged. */
  destination?: NodeJS.WritableStream;
}

/**
 * The app's logger: Probot's (pino through @probot/pino's transform, so `LOG_FORMAT`
 * and `LOG_LEVEL` behave as with `probot run`), with {@link REDACTED_PATHS} censored.
 */
export async function createLogger(options: LoggerOptions = {}): Promise<Logger> {
  const transform = await getTransformStream({ logFormat: options.format ?? 'pretty' });
  transform.pipe((options.destination ?? pino.destination(1)) as NodeJS.WritableStream);
  return pino({ level: options.level ?? 'info', name: 'prebuilds', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, transform);
}
