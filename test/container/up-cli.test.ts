/** `prebuilds up` refuses what it cannot start, with a clear error and nothing touched; the Docker helper's skip rule. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { register } from '../../src/cli/up.js';
import { git } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { runCli } from '../cli/helpers.js';
import { dockerRequired } from '../helpers/docker.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

async function repo(devcontainer: object): Promise<string> {
  const ws = await tempDir('up-cli-');
  dirs.push(ws);
  await mkdir(path.join(ws, '.devcontainer'));
  await writeFile(path.join(ws, '.devcontainer/devcontainer.json'), JSON.stringify(devcontainer));
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-q', '-m', 'x');
  return ws;
}

describe('prebuilds up', () => {
  it('needs a dev container with an image, a Dockerfile or compose files and a service, and a dir: store', async () => {
    const ws = await repo({ onCreateCommand: 'true' });
    const run = await runCli(register, ['up', '--store', `dir:${ws}/store`, ws]);
    expect(run.error?.message).toBe(
      'prebuilds up needs a dev container: .devcontainer/devcontainer.json names no image and no Dockerfile (use prebuilds restore)',
    );
    expect((await runCli(register, ['up', '--store', 'actions-cache', ws])).error?.message).toMatch(/--store must be dir:<path>/);
    const compose = await repo({ dockerComposeFile: 'compose.yml' });
    expect((await runCli(register, ['up', '--store', `dir:${compose}/s`, compose])).error?.message).toBe(
      'prebuilds up needs a dev container: .devcontainer/devcontainer.json uses Docker Compose but names no `service` (the compose service of the dev container) (use prebuilds restore)',
    );
    expect(await readdir(ws)).toEqual(['.devcontainer', '.git']); // nothing restored, nothing written
  });

  it('is a command of the prebuilds program', async () => {
    const { buildProgram } = await import('../../src/cli/main.js');
    const names = buildProgram({
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      readFile: async () => '',
      setExitCode: () => {},
    }).commands.map((c) => c.name());
    expect(names).toContain('up');
  });
});

describe('the Docker test helper', () => {
  it('requires Docker under CI (never skips there)', () => {
    expect(dockerRequired({})).toBe(false);
    expect(dockerRequired({ CI: 'true' })).toBe(true);
    expect(dockerRequired({ PREBUILDS_REQUIRE_DOCKER: '1' })).toBe(true);
  });
});
