import path from 'node:path';
import { createRequire } from 'node:module';
import nock from 'nock';
import { startAppServer, type AppServer } from '../../src/server.js';
import { appKeyPair, deliver } from '../helpers/keys.js';
import { tempDir } from '../helpers/tmp.js';
import { githubReplies, type RecordedCall } from '../helpers/github-nock.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, unknown>>;
}>;
const EVENTS = ['push', 'pull_request', 'workflow_run', 'check_run', 'installation', 'ping'];
const SECRET = 'webhook-secret';

describe('every @octokit/webhooks-examples delivery of the handled events', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: AppServer;
  let calls: RecordedCall[];

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    calls = githubReplies('https://api.github.com');
    tmp = tempDir();
    server = await startAppServer({
      appId: 1,
      privateKey: appKeyPair().privateKey,
      webhookSecret: SECRET,
      databasePath: path.join(tmp.dir, 'prebuilds.sqlite'),
      logLevel: 'fatal',
      fetch: globalThis.fetch,
      githubRateLimits: false,
      runtime: { reconcileIntervalMs: 0, processor: { maxAttempts: 1 } },
    });
  });
  afterAll(async () => {
    await server.stop();
    nock.cleanAll();
    nock.enableNetConnect();
    tmp.cleanup();
  });

  const cases = examples
    .filter((e) => EVENTS.includes(e.name))
    .flatMap((e) => e.examples.map((payload, i) => [`${e.name} #${i} ${String(payload.action ?? '')}`, e.name, payload] as const));

  it.each(cases)('%s gets a 2xx and leaves the app serving', async (_title, event, payload) => {
    const response = await deliver(server.webhookUrl, SECRET, event, payload);
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(300);
    await server.idle();
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
  });

  it('processed every delivery without error, each once', async () => {
    await server.idle();
    const db = (server.store as unknown as { db: { prepare(sql: string): { all(): Array<{ error: string | null }> } } }).db;
    const rows = db.prepare('SELECT error FROM deliveries').all();
    // `ping` has no handler: answered, never stored (issue 14).
    expect(rows).toHaveLength(cases.filter((c) => c[1] !== 'ping').length);
    expect(rows.filter((r) => r.error !== null)).toEqual([]);
  });

  it('answered only documented GitHub endpoints (checked by the nock replies)', () => {
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.problem)).toEqual([]);
  });

  it('refuses a delivery with a wrong signature and records nothing', async () => {
    const before = (await server.store.pendingDeliveries(1000)).length;
    const push = cases.find((c) => c[1] === 'push')![2];
    const response = await deliver(server.webhookUrl, SECRET, 'push', push, { signature: 'sha256=' + '0'.repeat(64), id: 'forged' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const unsigned = await deliver(server.webhookUrl, 'another-secret', 'push', push, { id: 'forged-2' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect((await server.store.pendingDeliveries(1000)).length).toBe(before);
    const db = (server.store as unknown as { db: { prepare(sql: string): { get(...a: unknown[]): unknown } } }).db;
    expect(db.prepare('SELECT id FROM deliveries WHERE id = ?').get('forged')).toBeUndefined();
  });

  it('the same delivery twice is recorded once', async () => {
    const push = cases.find((c) => c[1] === 'push')![2];
    const a = await deliver(server.webhookUrl, SECRET, 'push', push, { id: 'same-delivery' });
    const b = await deliver(server.webhookUrl, SECRET, 'push', push, { id: 'same-delivery' });
    expect([a.status, b.status]).toEqual([200, 200]);
    await server.idle();
    const db = (server.store as unknown as { db: { prepare(sql: string): { all(...a: unknown[]): unknown[] } } }).db;
    expect(db.prepare('SELECT id FROM deliveries WHERE id = ?').all('same-delivery')).toHaveLength(1);
  });
});
