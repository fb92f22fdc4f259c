import path from 'node:path';
import Database from 'better-sqlite3';
import { sign } from '@octokit/webhooks-methods';
import { startStandIn, type MemoryRepoContent, type StandIn } from '../../demo/github/index.js';
import { startAppProcess, type AppProcess } from '../helpers/app-process.js';
import { appKeyPair } from '../helpers/github.js';
import { rawPost } from '../helpers/raw-http.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Issue 14, failures 1, 2 and 8, against the app as `npm start` runs it (its own
 * process, so its memory and log are its own), GitHub played by the stand-in.
 */
const SECRET = 'endpoint-secret';
const MB = 1024 * 1024;
const LIMIT = 25 * MB;
const MARKER = 'BODY-MARKER-7f3c';

describe('the webhook endpoint on the open internet', () => {
  const keys = appKeyPair();
  let tmp: ReturnType<typeof tempDir>;
  let gh: StandIn;
  let app: AppProcess;
  let databasePath: string;
  let endpoint: MemoryRepoContent;
  let pushes = 0;

  const headers = (event: string, id: string, signature: string) => ({
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': id,
    'x-hub-signature-256': signature,
    'x-github-hook-id': '4242',
    'user-agent': 'GitHub-Hookshot/test',
  });
  const forged = 'sha256=' + '0'.repeat(64);
  const rows = (sql: string, ...args: unknown[]) => {
    const db = new Database(databasePath, { readonly: true });
    try {
      return db.prepare(sql).all(...args) as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  };
  const recorded = (id: string) => rows('SELECT id FROM deliveries WHERE id = ?', id).length === 1;
  const signedPush = async (id: string, padding = 0) => {
    // A new commit on main of octo-demo/endpoint each time, pushed as GitHub would describe it.
    endpoint.commit({ files: { 'README.md': `push ${++pushes}\n` } });
    const payload = await gh.pushPayload('endpoint', { branch: 'main' });
    const body = Buffer.from(JSON.stringify(padding ? { ...payload, padding: MARKER + 'x'.repeat(padding) } : payload));
    return { body, headers: headers('push', id, await sign(SECRET, body.toString('utf8'))) };
  };

  beforeAll(async () => {
    tmp = tempDir();
    databasePath = path.join(tmp.dir, 'prebuilds.sqlite');
    gh = await startStandIn({ appId: 1, publicKey: keys.publicKey, webhookSecret: SECRET });
    endpoint = gh.createMemoryRepo('endpoint').content;
    app = await startAppProcess({
      secret: SECRET,
      privateKey: keys.privateKey,
      databasePath,
      cwd: tmp.dir,
      githubApiUrl: gh.apiUrl,
      env: { LOG_LEVEL: 'debug', WEBHOOK_BODY_TIMEOUT_MS: '20000', DELIVERY_PRUNE_INTERVAL_MS: '200' },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await gh?.stop();
    tmp?.cleanup();
  });

  it('answers 413 from a Content-Length over 25 MB before reading the body', async () => {
    const body = Buffer.alloc(4 * MB, 'a');
    // Sent at a pace a real sender has (not faster than the answer can come back).
    const answer = await rawPost(app.webhookUrl, headers('push', 'too-big-declared', forged), body, {
      size: LIMIT + 1,
      contentLength: LIMIT + 1,
      chunkBytes: 256 * 1024,
      pauseMs: 20,
    });
    expect({ status: answer.status, error: answer.error }).toEqual({ status: 413 });
    expect(answer.written).toBeLessThan(LIMIT);
    expect(recorded('too-big-declared')).toBe(false);
  });

  it('stops reading a chunked body at the 25 MB limit with a 413', async () => {
    const body = Buffer.alloc(4 * MB, 'a');
    const answer = await rawPost(app.webhookUrl, headers('push', 'too-big-chunked', forged), body, {
      size: 100 * MB,
      contentLength: false,
      chunkBytes: 512 * 1024,
      pauseMs: 5,
    });
    expect(answer.status).toBe(413);
    // Stopped at the limit: what the sender wrote past it fills socket buffers (a few MB), then it is held back.
    expect(answer.written).toBeLessThan(LIMIT + 16 * MB);
    expect((await fetch(`${app.url}/ping`)).status).toBe(200);
  });

  it('refuses a wrong signature with 401 before parsing, and never logs the body', async () => {
    const notJson = Buffer.from(`${MARKER} this is not JSON ${'y'.repeat(MB)}`);
    const a = await rawPost(app.webhookUrl, headers('push', 'forged-1', forged), notJson);
    expect(a.status).toBe(401); // not 400: the body was never parsed
    const { body } = await signedPush('forged-2', 2 * MB);
    const wrongSignature = await sign('another-secret', body.toString('utf8'));
    const b = await rawPost(app.webhookUrl, headers('push', 'forged-2', wrongSignature), body);
    expect(b.status).toBe(401);
    const c = await rawPost(app.webhookUrl, { ...headers('push', 'unsigned', forged), 'x-hub-signature-256': '' }, body, {
      chunkBytes: 256 * 1024,
      pauseMs: 20,
    });
    expect(c.status).toBe(400);
    expect(JSON.parse(c.text).error).toMatch(/X-Hub-Signature-256/);
    expect(recorded('forged-1') || recorded('forged-2') || recorded('unsigned')).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(app.output()).toContain('forged-2'); // the refusal is logged, by delivery id …
    expect(app.output()).not.toContain(MARKER); // … never with its body …
    expect(app.output()).not.toContain(wrongSignature.slice('sha256='.length)); // … nor its signature
    expect(app.output().length).toBeLessThan(200_000);
  });

  it('keeps its memory bounded under 32 concurrent 25 MB forged bodies and 32 oversized ones, and still records a valid delivery', async () => {
    const before = app.memory();
    const body = Buffer.alloc(LIMIT, 'z');
    const flood = [
      ...Array.from({ length: 32 }, (_, i) => rawPost(app.webhookUrl, headers('push', `flood-${i}`, forged), body, { chunkBytes: MB })),
      ...Array.from({ length: 32 }, (_, i) =>
        rawPost(app.webhookUrl, headers('push', `flood-big-${i}`, forged), body, { size: LIMIT + MB, contentLength: false, chunkBytes: MB }),
      ),
    ];
    const valid = await signedPush('valid-during-flood');
    const during = await rawPost(app.webhookUrl, valid.headers, valid.body);
    const answers = await Promise.all(flood);
    expect(during.status).toBe(200);
    expect(recorded('valid-during-flood')).toBe(true);
    for (const a of answers) expect([401, 413, 503, null]).toContain(a.status);
    expect(answers.filter((a) => a.status === 401).length).toBeGreaterThan(0);
    const after = app.memory();
    // Bodies are read into at most 4 reused 25 MB buffers (+ 6.25 MB for small bodies): 1.6 GB offered, ~107 MB held.
    expect(after.peakMb - before.rssMb).toBeLessThan(107 + 64);
    // Not every body was read: some were refused unread (503; a sender pushing at full speed may see the reset first).
    expect(answers.filter((a) => a.status === 503 || a.status === null).length).toBeGreaterThan(0);
    expect((await fetch(`${app.url}/ping`)).status).toBe(200);
  }, 120_000);

  it('answers 2xx only once the delivery is committed, never on a timer (a body taking 9.5 s)', async () => {
    const slow = await signedPush('slow-complete');
    const stalled = await signedPush('slow-stalled');
    const chunks = 19;
    const chunkBytes = Math.ceil(slow.body.length / chunks);
    const complete = rawPost(app.webhookUrl, slow.headers, slow.body, { chunkBytes, pauseMs: 500 });
    // Stalls after half its body, for longer than Probot's 9 s "still processing" timer.
    const half = rawPost(app.webhookUrl, stalled.headers, stalled.body, {
      chunkBytes: Math.ceil(stalled.body.length / 2),
      pauseMs: 10_500,
      abortAfterBytes: Math.ceil(stalled.body.length / 2),
    });
    const [c, h] = await Promise.all([complete, half]);
    expect(c.status).toBe(200);
    expect(c.ms).toBeGreaterThan(9000); // answered after its last byte …
    expect(recorded('slow-complete')).toBe(true); // … and stored by then
    expect(h.status).toBeNull(); // no answer, certainly no 2xx, to a body that never completed
    expect(recorded('slow-stalled')).toBe(false);
  }, 60_000);

  it('does not store events without a handler, and drops processed payloads while keeping headers and decisions', async () => {
    const star = Buffer.from(JSON.stringify({ action: 'created', repository: { full_name: 'octo-demo/endpoint' }, installation: { id: 1 } }));
    const s = await rawPost(app.webhookUrl, headers('star', 'star-1', await sign(SECRET, star.toString('utf8'))), star);
    expect(s.status).toBe(202);
    expect(recorded('star-1')).toBe(false);
    const ids = ['big-1', 'big-2', 'big-3'];
    for (const id of ids) {
      const push = await signedPush(id, 20 * MB);
      expect((await rawPost(app.webhookUrl, push.headers, push.body)).status).toBe(200);
    }
    const until = Date.now() + 30_000;
    let kept: Array<Record<string, unknown>> = [];
    for (;;) {
      kept = rows(
        `SELECT d.id, length(p.payload) AS bytes, d.headers, d.error, d.processed_at, d.pruned_at FROM deliveries d
         LEFT JOIN delivery_payloads p ON p.seq = d.seq WHERE d.id IN (${ids.map(() => '?').join(',')})`,
        ...ids,
      );
      // Pruning runs every 200 ms; the headers are written in batches once a second (src/webhooks/header-batch.ts).
      if (kept.every((r) => r.pruned_at !== null && r.headers !== null) || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(kept).toHaveLength(3);
    for (const r of kept) {
      expect(r.processed_at).not.toBeNull();
      expect(r.error).toBeNull();
      expect(r.bytes).toBeNull(); // the body is dropped
      expect(JSON.parse(String(r.headers))).toMatchObject({ 'x-github-event': 'push', 'x-github-hook-id': '4242', 'x-github-delivery': r.id });
    }
    expect(rows(`SELECT COUNT(*) AS n FROM decisions WHERE delivery_id IN (${ids.map(() => '?').join(',')})`, ...ids)[0]!.n).toBeGreaterThan(0);
    expect(app.output()).not.toContain(MARKER);
  }, 90_000);
});
