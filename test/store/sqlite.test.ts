import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/store.js';
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
});
