/**
 * `mountsLeftOut` (src/container/session.ts) with the real engine: what a container-mode
 * prebuild warns about because `docker commit` keeps nothing written there and the
 * workspace snapshot covers only the workspace. Skipped with a printed reason only when
 * Docker cannot run here; never in CI (test/helpers/docker.ts).
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mountsLeftOut } from '../../src/container/session.js';
import { BASE_IMAGE, describeWithDocker, docker } from '../helpers/docker.js';

describeWithDocker('mounts a prebuild leaves out, with the real engine', () => {
  let dir: string;
  let container = '';
  const volume = `prebuilds-mounts-test-${process.pid}`;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mounts-test-'));
    await mkdir(path.join(dir, 'ws', 'sub'), { recursive: true });
    await mkdir(path.join(dir, 'data'));
    container = docker(
      'run',
      '-d',
      '--rm',
      '-v',
      `${path.join(dir, 'ws')}:/workspaces/app`,
      '-v',
      `${path.join(dir, 'ws', 'sub')}:/workspaces/app/sub`,
      '-v',
      `${volume}:/workspaces/app/node_modules`,
      '-v',
      `${path.join(dir, 'data')}:/data`,
      BASE_IMAGE,
      'sleep',
      'infinity',
    ).trim();
  });
  afterAll(async () => {
    if (container) docker('rm', '--force', '--volumes', container);
    docker('volume', 'rm', '--force', volume);
    await rm(dir, { recursive: true, force: true });
  });

  it('names volumes anywhere and bind mounts outside the workspace; not the workspace nor binds inside it', async () => {
    const left = await mountsLeftOut(container, '/workspaces/app', process.env);
    expect(left.sort()).toEqual(['/data (bind)', '/workspaces/app/node_modules (volume)']);
  });

  it('an unknown container gives nothing (the engine cannot say)', async () => {
    expect(await mountsLeftOut('no-such-container-prebuilds', '/workspaces/app', process.env)).toEqual([]);
  });
});
