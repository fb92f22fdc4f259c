import crypto from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { sign } from '@octokit/webhooks-methods';
import { issueToken } from '../../src/api/auth.js';
import { openStore } from '../../src/store/index.js';
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { startAppProcess, type AppProcess } from '../helpers/app-process.js';
import { appKeyPair } from '../helpers/github.js';
import { rawPost } from '../helpers/raw-http.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Issue 14: fast-check against the running app (`npm start` in its own process,
 * GitHub played by the stand-in). Random headers, bodies and sizes, signed and not,
 * to the webhook endpoint; random methods, paths, tokens and bodies to the management
 * API and the page. The process stays up, its memory stays bounded, and exactly the
 * signed, well-formed deliveries of handled events are recorded.
 */
const SECRET = 'fuzz-secret';
const MB = 1024 * 1024;
const HANDLED = ['push', 'pull_request', 'workflow_run', 'check_run', 'installation'];
const printable = (max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: max });

/** One generated webhook request and whether the app must record it. */
interface WebhookCase {
  contentType: { value: string | undefined; ok: boolean };
  event: { value: string | undefined; handled: boolean; ok: boolean };
  id: { value: string | undefined; ok: boolean };
  body: { bytes: Buffer; object: boolean };
  signature: 'valid' | 'wrong-secret' | 'garbage' | 'missing';
  /** Extra bytes declared and sent past the body (to cross the 25 MB limit). */
  oversize: boolean;
}

const contentType = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON').map((value) => ({ value, ok: true })),
  fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonp').map((value) => ({ value, ok: false })),
);
const event = fc.oneof(
  fc.constantFrom(...HANDLED).map((value) => ({ value, handled: true, ok: true })),
  fc.constantFrom('star', 'issues', 'ping', 'repository_dispatch').map((value) => ({ value, handled: false, ok: true })),
  fc.constantFrom(undefined, '', 'PUSH', 'push; rm -rf', '../push', 'x'.repeat(70)).map((value) => ({ value, handled: false, ok: false })),
);
const deliveryId = fc.oneof(
  { weight: 3, arbitrary: fc.uuid().map((value) => ({ value, ok: true })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(undefined, '', 'in side' /* inner space: HTTP trims a header value's outer spaces */, '../../etc', 'x'.repeat(101), '%00')
      .map((value) => ({ value, ok: false })),
  },
);
const jsonObject = fc
  .dictionary(printable(12), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 })
  .map((o) => ({ bytes: Buffer.from(JSON.stringify(o)), object: true }));
const body = fc.oneof(
  { weight: 4, arbitrary: jsonObject },
  {
    weight: 1,
    arbitrary: jsonObject.chain((o) =>
      fc
        .integer({ min: 1, max: 3 * MB })
        .map((n) => ({ bytes: Buffer.from(JSON.stringify({ ...JSON.parse(o.bytes.toString()), pad: 'p'.repeat(n) })), object: true })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue()
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => ({ bytes: Buffer.from(JSON.stringify(v) ?? 'null'), object: false })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((a) => ({ bytes: Buffer.from(a), object: false })) },
  { weight: 1, arbitrary: fc.constant({ bytes: Buffer.alloc(0), object: false }) },
);
const anyCase: fc.Arbitrary<WebhookCase> = fc.record({
  contentType,
  event,
  id: deliveryId,
  body,
  signature: fc.constantFrom('valid', 'valid', 'valid', 'wrong-secret', 'garbage', 'missing'),
  oversize: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
});
/** Half the cases look like GitHub's (the body may still be odd); the other half are anything. */
const webhookCase: fc.Arbitrary<WebhookCase> = fc.oneof(
  fc.record({
    contentType: fc.constant({ value: 'application/json', ok: true }),
    event: fc.constantFrom(...HANDLED).map((value) => ({ value, handled: true, ok: true })),
    id: fc.uuid().map((value) => ({ value, ok: true })),
    body,
    signature: fc.constant('valid' as const),
    oversize: fc.constant(false),
  }),
  anyCase,
);

describe('fuzzing the running app', () => {
  const keys = appKeyPair();
  let tmp: ReturnType<typeof tempDir>;
  let gh: StandIn;
  let app: AppProcess;
  let databasePath: string;
  let admin: string;
  let scoped: string;

  beforeAll(async () => {
    tmp = tempDir();
    databasePath = path.join(tmp.dir, 'prebuilds.sqlite');
    gh = await startStandIn({ appId: 1, publicKey: keys.publicKey, webhookSecret: SECRET });
    app = await startAppProcess({
      secret: SECRET,
      privateKey: keys.privateKey,
      databasePath,
      cwd: tmp.dir,
      githubApiUrl: gh.apiUrl,
      env: { LOG_LEVEL: 'warn' },
    });
    const store = await openStore(databasePath);
    admin = (await issueToken(store, 'fuzz-admin', ['*'])).token;
    scoped = (await issueToken(store, 'fuzz-scoped', [1])).token;
    await store.close();
  });
  afterAll(async () => {
    await app?.stop();
    await gh?.stop();
    tmp?.cleanup();
  });

  it('the webhook endpoint records exactly the signed, well-formed deliveries of handled events', async () => {
    const expected = new Set<string>();
    const sent = new Set<string>();
    const start = app.memory();
    await fc.assert(
      fc.asyncProperty(webhookCase, async (c) => {
        const headers: Record<string, string> = { 'user-agent': 'GitHub-Hookshot/fuzz' };
        if (c.contentType.value !== undefined) headers['content-type'] = c.contentType.value;
        if (c.event.value !== undefined) headers['x-github-event'] = c.event.value;
        if (c.id.value !== undefined) headers['x-github-delivery'] = c.id.value;
        const text = c.body.bytes.toString('utf8');
        if (c.signature === 'valid')
          headers['x-hub-signature-256'] = c.body.bytes.length ? await sign(SECRET, text) : 'sha256=' + crypto.createHmac('sha256', SECRET).digest('hex');
        if (c.signature === 'wrong-secret') headers['x-hub-signature-256'] = await sign('not-the-secret', text || ' ');
        if (c.signature === 'garbage') headers['x-hub-signature-256'] = 'sha256=' + crypto.randomBytes(32).toString('hex');
        // A valid signature over bytes that are not valid UTF-8 signs the string, not the bytes: count it as wrong.
        const signedBytes = c.signature === 'valid' && Buffer.from(text, 'utf8').equals(c.body.bytes) && c.body.bytes.length > 0;
        const record = c.contentType.ok && c.event.ok && c.event.handled && c.id.ok && signedBytes && c.body.object && !c.oversize;
        if (c.id.value && sent.has(c.id.value)) return; // uuids repeat only when fast-check shrinks
        if (c.id.value) sent.add(c.id.value);
        if (record) expected.add(c.id.value!);
        const answer = c.oversize
          ? await rawPost(app.webhookUrl, headers, c.body.bytes.length ? c.body.bytes : Buffer.from(' '), { size: 25 * MB + 1, chunkBytes: MB })
          : await rawPost(app.webhookUrl, headers, c.body.bytes);
        const status = answer.status;
        if (record) expect({ status, error: answer.error }).toEqual({ status: 200 });
        else if (status === 200) expect(c.event.value === 'ping' && signedBytes).toBe(true);
        else expect(status === null || status === 202 || (status >= 400 && status < 500) || status === 503).toBe(true);
        expect(app.child.exitCode).toBeNull();
      }),
      { numRuns: 200, endOnFailure: true },
    );
    const db = new Database(databasePath, { readonly: true });
    const stored = new Set((db.prepare('SELECT id FROM deliveries').all() as Array<{ id: string }>).map((r) => r.id));
    db.close();
    expect([...stored].sort()).toEqual([...expected].sort());
    expect(expected.size).toBeGreaterThan(20);
    expect(app.memory().peakMb - start.rssMb).toBeLessThan(107 + 100);
    expect((await fetch(`${app.url}/ping`)).status).toBe(200);
  }, 300_000);

  it('the management API and the page answer anything with a 4xx or a success, never a 500, and stay up', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'api',
        'prebuilds',
        'repos',
        'octo',
        'app',
        'configurations',
        'devcontainer',
        'pause',
        'resume',
        'rerun',
        'cancel',
        'logs',
        'decisions',
        'report',
        'login',
        'logout',
        '1',
        '999999999999',
        '..',
        '.',
        '~',
        '~Qm9i',
        '%2F',
        '%ZZ',
        '%00',
        'a'.repeat(300),
      ),
      printable(20).map((s) => encodeURIComponent(s)),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS'),
      root: fc.constantFrom('/api', '/api/repos/octo/app', '/api/prebuilds', '/prebuilds', '/prebuilds/octo/app', ''),
      segments: fc.array(segment, { maxLength: 5 }),
      query: fc.option(
        printable(40).map((s) => `?${s.replace(/#/g, '')}`),
        { nil: '' },
      ),
      auth: fc.constantFrom('admin', 'scoped', 'garbage', 'none', 'cookie'),
      contentType: fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain'),
      body: fc.oneof(
        fc.constant(undefined),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        printable(200),
        fc.constant('x'.repeat(70_000)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.auth === 'admin') headers.authorization = `Bearer ${admin}`;
        if (r.auth === 'scoped') headers.authorization = `Bearer ${scoped}`;
        if (r.auth === 'garbage') headers.authorization = 'Bearer pbt_' + 'x'.repeat(43);
        if (r.auth === 'cookie') headers.cookie = `prebuilds_session=pbs_${'A'.repeat(43)}`;
        if (r.contentType) headers['content-type'] = r.contentType;
        const url = `${app.url}${r.root}/${r.segments.join('/')}${r.query}`;
        let status: number;
        try {
          const response = await fetch(url, {
            method: r.method,
            headers,
            body: r.method === 'GET' || r.body === undefined ? undefined : r.body,
            redirect: 'manual',
          });
          await response.arrayBuffer();
          status = response.status;
        } catch (error) {
          throw new Error(`${r.method} ${url}: ${(error as Error).message}`);
        }
        expect(status === 502 || status < 500).toBe(true);
        expect(app.child.exitCode).toBeNull();
      }),
      { numRuns: 300, endOnFailure: true },
    );
    // A request target that is not a path (`//` reads as an empty host) is nobody's: 404, not 500.
    expect((await fetch(`${app.url}//`, { method: 'POST', body: 'x' })).status).toBe(404);
    expect((await fetch(`${app.url}/ping`)).status).toBe(200);
    expect(app.output()).not.toContain(admin);
    expect(app.output()).not.toContain(scoped);
  }, 300_000);
});
