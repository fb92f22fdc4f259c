import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/inspect.js';
import { detectFormat, inspectPath, repositoryRootOf } from '../../src/config/inspect.js';
import { fixturesRoot } from './helpers.js';

const repo = path.join(fixturesRoot, 'repo');

async function runCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  const out = { stdout: '', stderr: '', code: 0 };
  const program = new Command().exitOverride();
  register(program, {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    setExitCode: (c) => {
      out.code = c;
    },
  });
  await program.parseAsync(['node', 'prebuilds', 'inspect', ...args]);
  return out;
}

describe('inspectPath', () => {
  it('inspects a repository folder as the app resolves it', async () => {
    const report = await inspectPath(repo, { defaultBranch: 'main' });
    expect(report.format).toBe('repository');
    expect(report.source).toBe('.github/prebuilds.yml');
    // Exactly what each mode runs: never postStart/postAttach in CI, never postCreate in a prebuild.
    expect(report.configurations.map((c) => [c.name, c.runs])).toEqual([
      [
        'main',
        {
          prebuild: ['onCreateCommand', 'updateContentCommand'],
          incrementalPrebuild: ['updateContentCommand'],
          restore: {
            exact: ['postCreateCommand'],
            ancestor: ['updateContentCommand', 'postCreateCommand'],
            none: ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'],
          },
          workspace: ['postCreateCommand', 'postStartCommand'],
        },
      ],
      [
        'python',
        {
          prebuild: ['updateContentCommand'],
          incrementalPrebuild: null,
          restore: { exact: [], ancestor: ['updateContentCommand'], none: ['updateContentCommand'] },
          workspace: ['postAttachCommand'],
        },
      ],
      [
        'gitpod',
        {
          prebuild: ['updateContentCommand'],
          incrementalPrebuild: ['updateContentCommand'],
          restore: { exact: [], ancestor: ['updateContentCommand'], none: ['updateContentCommand'] },
          workspace: ['postStartCommand'],
        },
      ],
    ]);
    expect(report.problems).toHaveLength(1);
    expect(report.configurations[0]!.environment).not.toHaveProperty('parsed');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('inspects single files of each format', async () => {
    const dc = await inspectPath(path.join(repo, '.devcontainer/python/devcontainer.json'), { defaultBranch: 'main' });
    expect(dc).toMatchObject({ format: 'devcontainer', source: '.devcontainer/python/devcontainer.json', problems: [] });
    expect(dc.configurations[0]!.identityFiles).toEqual(['.devcontainer/python/devcontainer.json', 'tools/init.py']);
    const gp = await inspectPath(path.join(repo, '.gitpod.yml'), { defaultBranch: 'main' });
    expect(gp.configurations[0]!.identityFiles).toEqual(['.gitpod.Dockerfile', '.gitpod.yml', 'scripts/bootstrap']);
    const yml = await inspectPath(path.join(repo, '.github/prebuilds.yml'), { defaultBranch: 'main' });
    expect(yml.format).toBe('prebuilds-yml');
    expect(yml.configurations.map((c) => c.name)).toEqual(['main', 'python', 'gitpod']);
    const missing = await inspectPath(path.join(repo, 'nope.json'));
    expect(missing.problems[0]!.message).toBe('no such file or folder');
  });

  it('recognises formats by name, extension and content', () => {
    expect(detectFormat('.github/prebuilds.yml', '')).toBe('prebuilds-yml');
    expect(detectFormat('x__.gitpod.yml', '')).toBe('gitpod');
    expect(detectFormat('weird.json', '')).toBe('devcontainer');
    expect(detectFormat('settings.yaml', 'prebuilds: []')).toBe('prebuilds-yml');
    expect(detectFormat('env.yaml', 'tasks: []')).toBe('gitpod');
    expect(detectFormat('devcontainer', '// c\n{}')).toBe('devcontainer');
    expect(repositoryRootOf('/r/.devcontainer/devcontainer.json')).toBe('/r');
    expect(repositoryRootOf('/r/.devcontainer/py/devcontainer.json')).toBe('/r');
    expect(repositoryRootOf('/r/.github/prebuilds.yml')).toBe('/r');
    expect(repositoryRootOf('/r/.gitpod.yml')).toBe('/r');
  });
});

describe('prebuilds inspect (CLI)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'config-cli-'));
    mkdirSync(path.join(tmp, '.devcontainer'));
    writeFileSync(path.join(tmp, '.devcontainer/devcontainer.json'), '{\n  "image": "x",\n  "onCreateCommand": 5\n}\n');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the JSON report', async () => {
    const out = await runCli([path.join(repo, '.devcontainer/devcontainer.json'), '--default-branch', 'trunk']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.configurations[0].settings.branches).toEqual(['trunk']);
    expect(report.configurations[0].identity).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exits 1 with the formatted problems on stderr for a bad file', async () => {
    const out = await runCli([path.join(tmp, '.devcontainer/devcontainer.json')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(
      '.devcontainer/devcontainer.json:3:22: `onCreateCommand` must be a string, an array of strings or an object of named commands, found an integer (at onCreateCommand)\n',
    );
    expect(JSON.parse(out.stdout).problems).toHaveLength(1);
  });

  it('prints warnings on stderr without failing, and shows the build context really used', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-cli-'));
    try {
      mkdirSync(path.join(dir, '.devcontainer/docker'), { recursive: true });
      writeFileSync(path.join(dir, '.devcontainer/docker/Dockerfile'), 'FROM debian\n');
      writeFileSync(
        path.join(dir, '.devcontainer/devcontainer.json'),
        '{\n  "build": { "dockerfile": "docker/Dockerfile" },\n  "context": "..",\n  "onCreateCommand": "make"\n}\n',
      );
      const out = await runCli([dir]);
      expect(out.code).toBe(0);
      expect(out.stderr).toBe(
        '.devcontainer/devcontainer.json:3:3: warning: the top-level `context` is ignored next to `build.dockerfile` (the Dev Container CLI reads `build.context` then): move it to `build.context` (at context)\n',
      );
      const report = JSON.parse(out.stdout);
      // No build.context: the Dockerfile's folder, as @devcontainers/cli builds it.
      expect(report.configurations[0].environment.build).toEqual({ dockerfile: '.devcontainer/docker/Dockerfile', context: '.devcontainer/docker', args: {} });
      expect(report.warnings).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
