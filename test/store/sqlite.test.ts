import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { openStore } from '../../src/store/index.js';
import Database from 'better-sqlite3';
import { MIGRATIONS, renderMigration } from '../../src/store/migrations.js';
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
    old.prepare("INSERT INTO deliveries (id, event, payload, received_at) VALUES ('old-1', 'push', '{\"repository\":{\"full_name\":\"o/r\"}}', 1)").run();
    old.close();
    const store = await openStore(file);
    const [pending] = await store.pendingDeliveries(10);
    expect(pending).toMatchObject({ id: 'old-1', repository: null, sha: null, lastError: null, nextAttemptAt: null });
    expect((await store.claimDeliveries({ replica: 'r', now: Date.now(), leaseMs: 1000, limit: 10 })).map((d) => d.id)).toEqual(['old-1']);
    await store.close();
  });
});
