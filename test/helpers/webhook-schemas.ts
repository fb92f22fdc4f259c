/**
 * Webhook payload validation against @octokit/webhooks-schemas (the JSON Schema
 * GitHub's payloads are documented with): definition `<event>$<action>`, or
 * `<event>$event` for events without actions (e.g. `push$event`).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { Ajv } from 'ajv';
import { githubAjv } from './ajv.js';

const require = createRequire(import.meta.url);
let ajv: Ajv | null = null;

function load(): Ajv {
  if (!ajv) {
    const schema = JSON.parse(readFileSync(require.resolve('@octokit/webhooks-schemas/schema.json'), 'utf8')) as Record<string, unknown>;
    ajv = githubAjv();
    ajv.addSchema({ ...schema, $id: 'webhooks' });
  }
  return ajv;
}

/**
 * Validates one payload.
 * @returns `null` when valid, else the definition used and the first errors
 */
export function validateWebhook(event: string, payload: { action?: unknown }): string | null {
  const def = `${event}$${typeof payload.action === 'string' ? payload.action : 'event'}`;
  const v = load().getSchema(`webhooks#/definitions/${def}`);
  if (!v) return `no schema definition ${def}`;
  if (v(payload)) return null;
  return `${def}: ${(v.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
    .join('; ')}`;
}
