import { sha, startTestApp, type TestApp } from '../helpers/app.js';

/** Issue 12 item 10: a resolved configuration is reused only while nothing its identity depends on changes. */
describe('the configuration cache (src/prebuilds/config-cache.ts)', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());

  const devcontainer = '{ "onCreateCommand": "bash ./scripts/setup.sh && npm ci" }';
  const contentReads = () => app.gh.calls.filter((c) => c.method === 'GET' && c.path.includes('/contents/')).length;

  it('a push touching only source files reuses what was resolved (no contents reads)', async () => {
    await app.pushCommit(1, { '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '1' });
    await app.succeed(0);
    const reads = contentReads();
    await app.pushCommit(2, { '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '2' }, ['src/a.ts']);
    expect(contentReads()).toBe(reads);
    expect((await app.server.store.getPrebuild(2))!.identity).toBe((await app.server.store.getPrebuild(1))!.identity);
  });

  it('a push adding a script the hooks name (missing before) reads the configuration again: a new identity', async () => {
    await app.pushCommit(1, { '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '1' });
    await app.succeed(0);
    const reads = contentReads();
    await app.pushCommit(2, { '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '1', 'scripts/setup.sh': 'apt-get install -y jq\n' }, [
      'scripts/setup.sh',
    ]);
    expect(contentReads()).toBeGreaterThan(reads);
    const [first, second] = [(await app.server.store.getPrebuild(1))!, (await app.server.store.getPrebuild(2))!];
    expect(second.sha).toBe(sha(2));
    expect(second.identity).not.toBe(first.identity);
    expect(second.baseReason).toBe('no successful prebuild with this configuration identity');
  });
});
