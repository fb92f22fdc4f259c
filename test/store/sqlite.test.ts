import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { openStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { tempDir } from '../helpers/tmp.js';

const repo = { owner: 'octo', repo: 'app' };
const newPrebuild = (over: Record<string, unknown> = {}) => ({
  ...repo,
  installationId: 1,
  configuration: 'devcontainer',
  identity: 'id-a',
  branch: 'main',
  sha: 'a'.repeat(40),
  prNumber: null,
  trigger: 'push' as const,
  workflow: 'prebuild.yml',
  timeoutMinutes: 60,
  ...over,
});

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

  it('records a delivery once: a redelivery returns false', async () => {
    const store = await openStore(path.join(tmp.dir, 'db.sqlite'));
    const d = { id: 'delivery-1', event: 'push', action: null, installationId: 1, payload: { ref: 'refs/heads/main' } };
    expect(await store.recordDelivery(d)).toBe(true);
    expect(await store.recordDelivery(d)).toBe(false);
    expect((await store.pendingDeliveries(10)).map((x) => x.id)).toEqual(['delivery-1']);
    expect(await store.countAttempt('delivery-1')).toBe(1);
    await store.finishDelivery('delivery-1', null);
    expect(await store.pendingDeliveries(10)).toEqual([]);
    await store.close();
  });

  it('creates one prebuild per (delivery, configuration) even when reprocessed', async () => {
    const store = await openStore(path.join(tmp.dir, 'db.sqlite'));
    const a = await store.createPrebuild(newPrebuild({ deliveryId: 'd1' }));
    const b = await store.createPrebuild(newPrebuild({ deliveryId: 'd1' }));
    const c = await store.createPrebuild(newPrebuild({ deliveryId: 'd1', configuration: 'other' }));
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(await store.listPrebuilds(repo)).toHaveLength(2);
    await store.close();
  });

  it('updates, filters, paginates and finds by run id', async () => {
    const store = await openStore(path.join(tmp.dir, 'db.sqlite'));
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.createPrebuild(newPrebuild({ sha: String(i).repeat(40) }))).id);
    await store.updatePrebuild(ids[1]!, { state: 'success', workflowRunId: 77, hooks: { onCreateCommand: 12 } });
    expect((await store.findPrebuildByRun(repo, 77))?.id).toBe(ids[1]);
    expect((await store.getPrebuild(ids[1]!))?.hooks).toEqual({ onCreateCommand: 12 });
    expect((await store.listPrebuilds({ ...repo, states: ['success'] })).map((p) => p.id)).toEqual([ids[1]]);
    const page1 = await store.listPrebuilds({ ...repo, limit: 2 });
    const page2 = await store.listPrebuilds({ ...repo, limit: 2, beforeId: page1[1]!.id });
    expect(page1.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    expect(page2.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    await expect(store.updatePrebuild(9999, { state: 'failure' })).rejects.toThrow('does not exist');
    await store.close();
  });

  it('keeps lanes, configuration state and decisions (prefix lookup by sha)', async () => {
    const store = await openStore(path.join(tmp.dir, 'db.sqlite'));
    expect(await store.getLane(repo, 'c', 'main')).toEqual({ commitsSinceTrigger: 0, lastIdentity: null, lastSeq: 0, lastRun: false });
    await store.setLane(repo, 'c', 'main', { commitsSinceTrigger: 2, lastIdentity: 'x' });
    await store.setLane(repo, 'c', 'main', { commitsSinceTrigger: 3, lastIdentity: 'y', lastSeq: 7, lastRun: true });
    expect(await store.getLane(repo, 'c', 'main')).toEqual({ commitsSinceTrigger: 3, lastIdentity: 'y', lastSeq: 7, lastRun: true });
    await store.forgetBranch(repo, 'main');
    expect((await store.getLane(repo, 'c', 'main')).lastIdentity).toBeNull();
    await store.setConfigurationState(repo, 'c', { paused: true });
    expect(await store.getConfigurationState(repo, 'c')).toEqual({ paused: true });
    await store.recordDecision({ deliveryId: 'd', ...repo, sha: 'abcdef1234', event: 'push', configuration: 'c', decision: 'skipped', reason: 'interval 1/2', prebuildId: null });
    const found = await store.listDecisions(repo, 'abcdef1');
    expect(found.map((d) => d.reason)).toEqual(['interval 1/2']);
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
    const rows = store.db.prepare('SELECT id, payload, headers, pruned_at FROM deliveries ORDER BY seq').all() as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.id, r.payload, r.headers, r.pruned_at !== null])).toEqual([
      ['done', 'null', '{"x-github-hook-id":"7"}', true],
      ['pending', '{"big":"y"}', null, false],
    ]);
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
