import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { openStore } from '../../src/store/index.js';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { MIGRATIONS, renderMigration } from '../../src/store/migrations.js';
import { CLAIMABLE } from '../../src/store/rows.js';
import { newPrebuild } from '../helpers/store-backends.js';
import { tempDir } from '../helpers/tmp.js';

// Everything both stores do is in contract.test.ts; this is what only the SQLite file does.
describe('SqliteStore on a real file', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('creates the folder, migrates idempotently and keeps data across reopen', async () => {
    const file = path.join(tmp.dir, 'nested', 'prebuilds.sqlite');
    const store = await openStore(file);
    await store.migrate();
    const p = await store.createPrebuild(newPrebuild());
    await store.close();
    const again = await openStore(file);
    expect((await again.getPrebuild(p.id))?.sha).toBe('a'.repeat(40));
    const versions = (again as SqliteStore).db.prepare('SELECT version FROM schema_migrations').all();
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    await again.close();
  });

  it('upgrades a database of the previous release: its pending deliveries stay pending and claimable', async () => {
    const file = path.join(tmp.dir, 'old.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
      for (const sql of renderMigration(m, 'sqlite')) old.exec(sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 1);
    }
    old.prepare('INSERT INTO deliveries (id, event, payload, received_at) VALUES (\'old-1\', \'push\', \'{"repository":{"full_name":"o/r"}}\', 1)').run();
    old.close();
    const store = await openStore(file);
    const [pending] = await store.pendingDeliveries(10);
    expect(pending).toMatchObject({
      id: 'old-1',
      repository: null,
      sha: null,
      lastError: null,
      nextAttemptAt: null,
      payload: { repository: { full_name: 'o/r' } },
    });
    expect(await store.claimDeliveries({ replica: 'r', now: Date.now(), leaseMs: 1000, limit: 10 })).toMatchObject([
      { id: 'old-1', payload: { repository: { full_name: 'o/r' } } },
    ]);
    await store.close();
  });

  it('moves the bodies of deliveries not yet pruned to delivery_payloads (migration 11); pruned ones stay without', async () => {
    const file = path.join(tmp.dir, 'v10.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 10)) {
      for (const sql of renderMigration(m, 'sqlite')) old.exec(sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 1);
    }
    const insert = old.prepare('INSERT INTO deliveries (id, event, payload, received_at, processed_at, pruned_at) VALUES (?, ?, ?, 1, ?, ?)');
    insert.run('pending', 'push', '{"n":1}', null, null);
    insert.run('processed', 'push', '{"n":2}', 5, null);
    insert.run('pruned', 'push', 'null', 5, 6);
    old.close();
    const store = (await openStore(file)) as SqliteStore;
    expect(store.db.prepare('SELECT d.id, p.payload FROM deliveries d LEFT JOIN delivery_payloads p ON p.seq = d.seq ORDER BY d.seq').all()).toEqual([
      { id: 'pending', payload: '{"n":1}' },
      { id: 'processed', payload: '{"n":2}' },
      { id: 'pruned', payload: null },
    ]);
    expect((await store.pendingDeliveries(10)).map((d) => [d.id, d.payload])).toEqual([['pending', { n: 1 }]]);
    expect(await store.pruneDeliveryPayloads(10)).toBe(1);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM delivery_payloads').get()).toEqual({ n: 1 });
    await store.close();
  });

  it('claims what the window-function definition (CLAIMABLE) selects, in order, whatever the inbox holds', async () => {
    const store = new SqliteStore(path.join(tmp.dir, 'claims.sqlite'), 'acknowledged');
    await store.migrate();
    const now = 1_000_000;
    // A delivery: its repository (null: recorded before the column), processed or not, a retry due or not, a claim live, expired or none.
    const delivery = fc.record({
      repository: fc.option(fc.constantFrom('o/a', 'o/b', 'installation:1'), { freq: 8 }),
      processed: fc.constantFrom(false, false, true),
      retry: fc.constantFrom(null, null, null, now - 1, now + 1),
      claim: fc.oneof(
        { arbitrary: fc.constant(null), weight: 20 },
        fc.constantFrom({ by: 'me', until: now + 5 }, { by: 'other', until: now + 5 }, { by: 'other', until: now - 5 }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { maxLength: 80, size: 'max' }), fc.integer({ min: 1, max: 40 }), async (inbox, limit) => {
        store.db.exec('DELETE FROM deliveries');
        const insert = store.db.prepare(
          `INSERT INTO deliveries (id, event, installation_id, repository, received_at, processed_at, next_attempt_at, claimed_by, claimed_until)
           VALUES (?, 'push', 1, ?, 1, ?, ?, ?, ?)`,
        );
        inbox.forEach((d, i) => insert.run(`d${i}`, d.repository, d.processed ? 1 : null, d.retry, d.claim?.by ?? null, d.claim?.until ?? null));
        const expected = store.db.prepare(CLAIMABLE.replace('$limit', String(limit))).all({ replica: 'me', now }) as Array<{ seq: number }>;
        const claimed = await store.claimDeliveries({ replica: 'me', now, leaseMs: 1000, limit });
        expect(claimed.map((d) => d.seq)).toEqual(expected.map((r) => r.seq));
      }),
      { numRuns: 300 },
    );
    await store.close();
  });

  it('commits with synchronous=FULL by default; `acknowledged` runs NORMAL between acknowledged writes', async () => {
    const full = new SqliteStore(path.join(tmp.dir, 'full.sqlite'));
    await full.migrate();
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    await full.recordDelivery({ id: 'd1', event: 'push', action: null, installationId: 1, payload: {} });
    expect(full.db.pragma('synchronous', { simple: true })).toBe(2);
    await full.close();
    const ack = new SqliteStore(path.join(tmp.dir, 'ack.sqlite'), 'acknowledged');
    await ack.migrate();
    expect(ack.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(await ack.recordDelivery({ id: 'd1', event: 'push', action: null, installationId: 1, payload: {} })).toBe(true);
    expect(ack.db.pragma('synchronous', { simple: true })).toBe(1);
    // The dispatch marker is synced like an acknowledged write; other prebuild updates are not.
    const p = await ack.createPrebuild({
      owner: 'o',
      repo: 'r',
      installationId: 1,
      configuration: 'c',
      identity: 'i',
      branch: 'main',
      sha: 'a'.repeat(40),
      prNumber: null,
      trigger: 'push',
      workflow: 'prebuild.yml',
      timeoutMinutes: 60,
      settings: null,
      deliveryId: 'd1',
      state: 'waiting',
    });
    const synced: unknown[] = [];
    const pragma = ack.db.pragma.bind(ack.db);
    ack.db.pragma = ((source: string, options?: object) => {
      if (source.startsWith('synchronous =')) synced.push(source);
      return pragma(source, options);
    }) as typeof ack.db.pragma;
    await ack.updatePrebuild(p.id, { reason: 'not acted on outside the store' });
    expect(synced).toEqual([]);
    await ack.updatePrebuild(p.id, { dispatchedAt: 1 }, { durable: true });
    expect(synced).toEqual(['synchronous = FULL', 'synchronous = NORMAL']);
    await ack.close();
    const { sqliteDurability } = await import('../../src/store/index.js');
    expect([sqliteDurability(undefined), sqliteDurability('FULL'), sqliteDurability('acknowledged')]).toEqual(['full', 'full', 'acknowledged']);
    expect(() => sqliteDurability('off')).toThrow(/SQLITE_SYNCHRONOUS/);
  });

  it('drops processed payloads only, keeping headers; sessions end on sign-out, expiry and token revocation', async () => {
    const store = new SqliteStore(path.join(tmp.dir, 'p.sqlite'));
    await store.migrate();
    await store.recordDelivery({ id: 'done', event: 'push', action: null, installationId: 1, payload: { big: 'x'.repeat(1000) } });
    await store.recordDelivery({ id: 'pending', event: 'push', action: null, installationId: 1, payload: { big: 'y' } });
    await store.recordDeliveryHeaders([{ id: 'done', headers: { 'x-github-hook-id': '7' } }]);
    await store.recordDeliveryHeaders([{ id: 'done', headers: { 'x-github-hook-id': 'redelivery' } }]);
    await store.finishDelivery('done', null);
    expect(await store.pruneDeliveryPayloads(Date.now() + 1)).toBe(1);
    const rows = store.db
      .prepare('SELECT d.id, p.payload, d.headers, d.pruned_at FROM deliveries d LEFT JOIN delivery_payloads p ON p.seq = d.seq ORDER BY d.seq')
      .all() as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.id, r.payload, r.headers, r.pruned_at !== null])).toEqual([
      ['done', null, '{"x-github-hook-id":"7"}', true],
      ['pending', '{"big":"y"}', null, false],
    ]);
    expect(await store.pruneDeliveryPayloads(Date.now() + 1)).toBe(0);
    expect((await store.pendingDeliveries(10)).map((d) => d.id)).toEqual(['pending']);

    const token = await store.createToken({ name: 't', tokenHash: 'h'.repeat(64), scopes: [1] });
    const now = Date.now();
    await store.createSession({ idHash: 'a'.repeat(64), tokenId: token.id, createdAt: now, expiresAt: now + 1000 });
    await store.createSession({ idHash: 'b'.repeat(64), tokenId: token.id, createdAt: now, expiresAt: now + 1000 });
    expect((await store.useSession('a'.repeat(64), now))?.id).toBe(token.id);
    expect(await store.useSession('a'.repeat(64), now + 1000)).toBeNull(); // expired
    expect(await store.revokeSession('a'.repeat(64))).toBe(true);
    expect(await store.useSession('a'.repeat(64), now)).toBeNull();
    expect((await store.useSession('b'.repeat(64), now))?.id).toBe(token.id);
    await store.revokeToken(token.id);
    expect(await store.useSession('b'.repeat(64), now)).toBeNull();
    await store.close();
  });
});
