import path from 'node:path';
import { createRequire } from 'node:module';
import { startAppServer, type AppServer } from '../../src/server.js';
import { startGitHub, testAppKeys, type TestGitHub } from '../helpers/github.js';
import { APP_ID, WEBHOOK_SECRET } from '../helpers/ids.js';
import { tempDir } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples/api.github.com/index.json') as Array<{
  name: string;
  examples: Array<Record<string, any>>;
}>;
const EVENTS = ['push', 'pull_request', 'workflow_run', 'check_run', 'installation', 'ping'];

describe('every @octokit/webhooks-examples delivery of the handled events', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: AppServer;
  let gh: TestGitHub;

  beforeAll(async () => {
    gh = await startGitHub();
    // The examples' repositories exist on the fake, empty, on the examples' installations.
    for (const payload of examples.filter((e) => EVENTS.includes(e.name)).flatMap((e) => e.examples)) {
      const installationId = payload.installation?.id;
      if (!installationId) continue;
      for (const r of [payload.repository, ...(payload.repositories ?? [])].filter(Boolean)) {
        const [owner, name] = String(r.full_name).split('/') as [string, string];
        if (!gh.standIn.state.repo(owner, name)) gh.standIn.createMemoryRepo(name, { owner, installationId });
      }
    }
    tmp = tempDir();
    server = await startAppServer({
      appId: APP_ID,
      privateKey: testAppKeys().privateKey,
      webhookSecret: WEBHOOK_SECRET,
      baseUrl: gh.apiUrl,
      databasePath: path.join(tmp.dir, 'prebuilds.sqlite'),
      logLevel: 'fatal',
      githubRateLimits: false,
      runtime: { reconcileIntervalMs: 0, processor: { maxAttempts: 1 } },
    });
    gh.standIn.setWebhookUrl(server.webhookUrl);
  });
  afterAll(async () => {
    await server.stop();
    await gh.stop();
    tmp.cleanup();
  });

  const cases = examples
    .filter((e) => EVENTS.includes(e.name))
    .flatMap((e) => e.examples.map((payload, i) => [`${e.name} #${i} ${String(payload.action ?? '')}`, e.name, payload] as const));

  it.each(cases)('%s gets a 2xx and leaves the app serving', async (_title, event, payload) => {
    const response = await gh.standIn.send(event, payload);
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

  it('answered only documented GitHub endpoints (checked by the fake against @octokit/openapi)', () => {
    expect(gh.calls.length).toBeGreaterThan(0);
    expect(gh.problems()).toEqual([]);
  });

  it('refuses a delivery with a wrong signature and records nothing', async () => {
    const before = (await server.store.pendingDeliveries(1000)).length;
    const push = cases.find((c) => c[1] === 'push')![2];
    const response = await gh.standIn.send('push', push, { signature: 'sha256=' + '0'.repeat(64), id: 'forged' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const unsigned = await gh.standIn.send('push', push, { secret: 'another-secret', id: 'forged-2' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect((await server.store.pendingDeliveries(1000)).length).toBe(before);
    const db = (server.store as unknown as { db: { prepare(sql: string): { get(...a: unknown[]): unknown } } }).db;
    expect(db.prepare('SELECT id FROM deliveries WHERE id = ?').get('forged')).toBeUndefined();
  });

  it('the same delivery twice is recorded once', async () => {
    const push = cases.find((c) => c[1] === 'push')![2];
    const a = await gh.standIn.send('push', push, { id: 'same-delivery' });
    const b = await gh.standIn.send('push', push, { id: 'same-delivery' });
    expect([a.status, b.status]).toEqual([200, 200]);
    await server.idle();
    const db = (server.store as unknown as { db: { prepare(sql: string): { all(...a: unknown[]): unknown[] } } }).db;
    expect(db.prepare('SELECT id FROM deliveries WHERE id = ?').all('same-delivery')).toHaveLength(1);
  });
});
