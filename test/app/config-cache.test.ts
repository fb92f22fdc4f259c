import { sha, startTestApp, ZERO_SHA, type TestApp } from '../helpers/app.js';

/** Issue 12 item 10: a resolved configuration is reused only while nothing its identity depends on changes. */
describe('the configuration cache (src/prebuilds/config-cache.ts)', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());

  const devcontainer = '{ "onCreateCommand": "bash ./scripts/setup.sh && npm ci" }';
  const contentReads = () => app.gh.calls.filter((c) => c.method === 'GET' && c.path.includes('/contents/')).length;
  const readPaths = (from: number) =>
    app.gh.calls
      .slice(from)
      .filter((c) => c.method === 'GET' && c.path.includes('/contents/'))
      .map((c) => decodeURIComponent(c.path.split('/contents/')[1]!.split('?')[0]!));

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

  it('a push changing a configuration file reads only the files it changed: the new configuration is seen', async () => {
    const dockerfile = 'FROM debian:bookworm\n';
    const withBuild = '{ "build": { "dockerfile": "Dockerfile" }, "onCreateCommand": "bash ./scripts/setup.sh" }';
    const files = { '.devcontainer/devcontainer.json': withBuild, '.devcontainer/Dockerfile': dockerfile, 'scripts/setup.sh': 'true\n', 'src/a.ts': '1' };
    await app.pushCommit(1, files);
    await app.succeed(0);
    const first = readPaths(0);
    expect(first).toEqual(expect.arrayContaining(['.github/prebuilds.yml', '.devcontainer/devcontainer.json', '.devcontainer/Dockerfile', 'scripts/setup.sh']));

    // The Dockerfile the configuration references changes: it alone is read again.
    let from = app.gh.calls.length;
    await app.pushCommit(2, { ...files, '.devcontainer/Dockerfile': 'FROM debian:trixie\n' }, ['.devcontainer/Dockerfile']);
    expect(readPaths(from)).toEqual(['.devcontainer/Dockerfile']);
    const [p1, p2] = [(await app.server.store.getPrebuild(1))!, (await app.server.store.getPrebuild(2))!];
    expect(p2.identity).not.toBe(p1.identity);

    // devcontainer.json changes: it alone is read again, and its new content counts.
    from = app.gh.calls.length;
    await app.pushCommit(
      3,
      { ...files, '.devcontainer/Dockerfile': 'FROM debian:trixie\n', '.devcontainer/devcontainer.json': withBuild.replace('setup.sh', 'setup.sh --ci') },
      ['.devcontainer/devcontainer.json'],
    );
    expect(readPaths(from)).toEqual(['.devcontainer/devcontainer.json']);
    expect((await app.server.store.getPrebuild(3))!.identity).not.toBe(p2.identity);

    // A prebuilds.yml added: read, and the configurations it names resolved from what is known.
    from = app.gh.calls.length;
    const yml = 'prebuilds:\n  - name: main\n';
    await app.pushCommit(4, { ...files, '.github/prebuilds.yml': yml }, [
      '.github/prebuilds.yml',
      '.devcontainer/Dockerfile',
      '.devcontainer/devcontainer.json',
    ]);
    expect(readPaths(from).sort()).toEqual(['.devcontainer/Dockerfile', '.devcontainer/devcontainer.json', '.github/prebuilds.yml']);
    expect(app.gh.dispatches.at(-1)!.inputs).toMatchObject({ configuration: 'main', sha: sha(4) });
  });

  it('a force push, or a push whose before is not the remembered head, reads everything again', async () => {
    await app.pushCommit(1, { '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '1' });
    await app.succeed(0);
    await app.pushCommit(2, { '.devcontainer/devcontainer.json': devcontainer.replace('npm ci', 'npm install'), 'src/a.ts': '1' }, [
      '.devcontainer/devcontainer.json',
    ]);
    // Commit 3 on commit 1: the branch's remembered head (2) is not its before.
    const from = app.gh.calls.length;
    await app.pushCommit(3, { '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '3' }, ['.devcontainer/devcontainer.json'], 1);
    expect(readPaths(from)).toEqual(expect.arrayContaining(['.github/prebuilds.yml', '.devcontainer/devcontainer.json']));
  });

  it('a new branch is read in full, at its own head: another branch’s configuration is not carried to it', async () => {
    const yml = { '.github/prebuilds.yml': 'prebuilds:\n  - name: all\n    branches: ["*"]\n' };
    await app.pushCommit(1, { ...yml, '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '1' });
    await app.succeed(0);
    const changed = devcontainer.replace('npm ci', 'npm install');
    app.gh.commit(sha(2), { ...yml, '.devcontainer/devcontainer.json': changed, 'src/a.ts': '1' }, [sha(1)]);
    app.gh.setBranch('feature', sha(2));
    const from = app.gh.calls.length;
    await app.delivered(app.gh.standIn.push('app', { branch: 'feature', before: ZERO_SHA }));
    expect(readPaths(from)).toEqual(expect.arrayContaining(['.github/prebuilds.yml', '.devcontainer/devcontainer.json']));
    const feature = (await app.server.store.getPrebuild(2))!;
    expect(feature.sha).toBe(sha(2));
    expect(feature.identity).not.toBe((await app.server.store.getPrebuild(1))!.identity);
  });

  it('a pull request whose head a push resolved, and a new branch at a resolved head, read nothing', async () => {
    const yml = { '.github/prebuilds.yml': 'prebuilds:\n  - name: all\n    branches: ["*"]\n' };
    await app.pushCommit(1, { ...yml, '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '1' });
    await app.succeed(0);
    app.gh.commit(sha(2), { ...yml, '.devcontainer/devcontainer.json': devcontainer, 'src/a.ts': '2' }, [sha(1)]);
    app.gh.setBranch('topic', sha(2));
    await app.delivered(app.gh.standIn.push('app', { branch: 'topic', before: ZERO_SHA }));
    const from = app.gh.calls.length;
    await app.delivered(app.gh.standIn.pullRequest('app', { action: 'opened', number: 7, head: 'topic' }));
    expect(readPaths(from)).toEqual([]);
    // A branch created at main's resolved head.
    app.gh.setBranch('release', sha(1));
    await app.delivered(app.gh.standIn.push('app', { branch: 'release', before: ZERO_SHA }));
    expect(readPaths(from)).toEqual([]);
    expect(await app.decisions(sha(1))).not.toHaveLength(0);
  });
});
