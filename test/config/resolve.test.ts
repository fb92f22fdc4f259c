import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  PathOutsideRepositoryError,
  findEnvironmentFiles,
  formatProblem,
  localFileSource,
  memoryFileSource,
  resolveConfigurations,
} from '../../src/config/index.js';
import { fixturesRoot } from './helpers.js';

const repo = path.join(fixturesRoot, 'repo');
const opts = { defaultBranch: 'main' };

describe('resolveConfigurations', () => {
  it('resolves the fixture repository', async () => {
    const r = await resolveConfigurations(localFileSource(repo), opts);
    expect(r.source).toBe('.github/prebuilds.yml');
    expect(r.configurations.map((c) => c.settings.name)).toEqual(['main', 'python', 'gitpod']);
    expect(r.problems.map(formatProblem)).toEqual([
      '.github/prebuilds.yml:13:19: devcontainer file `.devcontainer/nope/devcontainer.json` of configuration `missing` does not exist (at prebuilds[3].devcontainer)',
    ]);
    const [main, python, gitpod] = r.configurations;
    expect(main!.settings).toMatchObject({ branches: ['main', 'release/*'], triggerFiles: ['package-lock.json'], retention: 5 });
    expect(main!.environment.waitFor).toBe('onCreateCommand');
    expect(main!.identity).toMatch(/^[0-9a-f]{64}$/);
    expect(main!.identityFiles).toEqual([
      '.devcontainer/Dockerfile',
      '.devcontainer/devcontainer.json',
      '.devcontainer/features/hello/devcontainer-feature.json',
      '.devcontainer/features/hello/install.sh',
      '.devcontainer/setup.sh',
      '.github/prebuilds.yml',
      'scripts/bootstrap',
      'scripts/common.sh',
    ]);
    expect(python!.settings).toMatchObject({ name: 'python', incremental: false });
    expect(python!.identityFiles).toEqual(['.devcontainer/python/devcontainer.json', '.github/prebuilds.yml', 'tools/init.py']);
    expect(gitpod!.environment.build).toEqual({ dockerfile: '.gitpod.Dockerfile', context: '.', args: {} });
    expect(gitpod!.identityFiles).toEqual(['.github/prebuilds.yml', '.gitpod.Dockerfile', '.gitpod.yml', 'scripts/bootstrap']);
    expect(new Set(r.configurations.map((c) => c.identity)).size).toBe(3);
  });

  it('is deterministic and independent of how the tree is read', async () => {
    const a = await resolveConfigurations(localFileSource(repo), opts);
    const b = await resolveConfigurations(localFileSource(repo), { defaultBranch: 'develop' });
    expect(b.configurations.map((c) => c.identity)).toEqual(a.configurations.map((c) => c.identity));
  });

  it('applies the no-file default', async () => {
    const dc = '{ "image": "x", "onCreateCommand": "make" }';
    const both = await resolveConfigurations(memoryFileSource({ '.devcontainer/devcontainer.json': dc, '.devcontainer.json': '{}' }), opts);
    expect(both.source).toBe('default');
    expect(both.configurations.map((c) => [c.settings.name, c.settings.environmentFile, c.settings.branches])).toEqual([
      ['devcontainer', '.devcontainer/devcontainer.json', ['main']],
    ]);
    const root = await resolveConfigurations(memoryFileSource({ '.devcontainer.json': dc }), { defaultBranch: 'trunk' });
    expect(root.configurations.map((c) => [c.settings.name, c.settings.environmentFile, c.settings.branches])).toEqual([
      ['devcontainer', '.devcontainer.json', ['trunk']],
    ]);
    expect(root.configurations[0]!.identityFiles).toEqual(['.devcontainer.json']);
    expect(await resolveConfigurations(memoryFileSource({ '.gitpod.yml': 'tasks: []' }), opts)).toEqual({
      source: 'default',
      configurations: [],
      problems: [],
      warnings: [],
    });
    expect(await resolveConfigurations(memoryFileSource({}), opts)).toEqual({ source: 'default', configurations: [], problems: [], warnings: [] });
  });

  it('omits a configuration whose environment file is broken and reports why', async () => {
    const source = memoryFileSource({
      '.github/prebuilds.yml': 'prebuilds:\n  - name: good\n  - name: bad\n    devcontainer: .devcontainer/bad/devcontainer.json\n',
      '.devcontainer/devcontainer.json': '{"image": "ok"}',
      '.devcontainer/bad/devcontainer.json': '{\n  "onCreateCommand": true\n}',
    });
    const r = await resolveConfigurations(source, opts);
    expect(r.configurations.map((c) => c.settings.name)).toEqual(['good']);
    expect(r.problems.map(formatProblem)).toEqual([
      '.devcontainer/bad/devcontainer.json:2:22: `onCreateCommand` must be a string, an array of strings or an object of named commands, found a boolean (at onCreateCommand)',
    ]);
    const broken = await resolveConfigurations(memoryFileSource({ '.devcontainer/devcontainer.json': '{ "image": ' }), opts);
    expect(broken).toMatchObject({ source: 'default', configurations: [], problems: [{ file: '.devcontainer/devcontainer.json', line: 1 }] });
  });

  it('reports a broken prebuilds.yml without throwing', async () => {
    const r = await resolveConfigurations(memoryFileSource({ '.github/prebuilds.yml': 'prebuilds: [\n', '.devcontainer/devcontainer.json': '{}' }), opts);
    expect(r.configurations).toEqual([]);
    expect(r.problems[0]).toMatchObject({ file: '.github/prebuilds.yml', line: 2 });
  });

  it('lets errors of the source itself propagate (a guessed "missing" would change identities)', async () => {
    const failing = { read: async () => Promise.reject(new Error('network down')), list: async () => null };
    await expect(resolveConfigurations(failing, opts)).rejects.toThrow('network down');
  });
});

describe('findEnvironmentFiles', () => {
  it('lists the lookup locations that exist, in order', async () => {
    expect(await findEnvironmentFiles(localFileSource(repo))).toEqual([
      { file: '.devcontainer/devcontainer.json', format: 'devcontainer' },
      { file: '.devcontainer/python/devcontainer.json', format: 'devcontainer' },
      { file: '.gitpod.yml', format: 'gitpod' },
    ]);
    expect(
      await findEnvironmentFiles(
        memoryFileSource({ '.devcontainer.json': '{}', '.devcontainer/a/devcontainer.json': '{}', '.devcontainer/a/b/devcontainer.json': '{}' }),
      ),
    ).toEqual([
      { file: '.devcontainer.json', format: 'devcontainer' },
      { file: '.devcontainer/a/devcontainer.json', format: 'devcontainer' },
    ]);
  });
});

describe('localFileSource', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'config-source-'));
    mkdirSync(path.join(tmp, 'repo/sub'), { recursive: true });
    writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
    writeFileSync(path.join(tmp, 'repo/sub/a.txt'), 'a');
    symlinkSync(path.join(tmp, 'secret.txt'), path.join(tmp, 'repo/link.txt'));
    symlinkSync(path.join(tmp, 'repo/sub/a.txt'), path.join(tmp, 'repo/inside-link.txt'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads files and lists folders', async () => {
    const source = localFileSource(path.join(tmp, 'repo'));
    expect(await source.read('sub/a.txt')).toBe('a');
    expect(await source.read('./sub/../sub/a.txt')).toBe('a');
    expect(await source.read('inside-link.txt')).toBe('a');
    expect(await source.read('nope.txt')).toBeNull();
    expect(await source.read('sub')).toBeNull();
    expect(await source.read('sub/a.txt/x')).toBeNull();
    expect(await source.list('.')).toEqual(['inside-link.txt', 'link.txt', 'sub']);
    expect(await source.list('sub')).toEqual(['a.txt']);
    expect(await source.list('nope')).toBeNull();
  });

  it('refuses paths escaping the root', async () => {
    const source = localFileSource(path.join(tmp, 'repo'));
    await expect(source.read('../secret.txt')).rejects.toThrow(PathOutsideRepositoryError);
    await expect(source.read('sub/../../secret.txt')).rejects.toThrow(PathOutsideRepositoryError);
    await expect(source.read(path.join(tmp, 'secret.txt'))).rejects.toThrow(PathOutsideRepositoryError);
    await expect(source.read('link.txt')).rejects.toThrow(PathOutsideRepositoryError);
    await expect(source.list('..')).rejects.toThrow(PathOutsideRepositoryError);
  });
});
