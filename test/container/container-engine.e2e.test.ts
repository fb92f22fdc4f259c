/**
 * What a container-mode prebuild leaves on the engine when things go another way, with the
 * real engine: a failing onCreateCommand (nothing pushed or saved, nothing left), and a
 * build the engine answers with an image another checkout already has (only the
 * prebuild's own tag removed). Independent of the fixture's prebuild
 * (container.e2e.test.ts). Skipped with a printed reason only when Docker cannot run here;
 * never in CI (see test/helpers/docker.ts).
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { runBundle } from '../action/bundle.js';
import { tempDir } from '../action/helpers.js';
import { describeWithDocker, docker } from '../helpers/docker.js';
import { containerSuite, danglingImages, devcontainerCli } from './engine.js';
import { BUILD_TIMEOUT, fixtureRepo } from './fixture.js';

describeWithDocker('container mode with the real engine: what a prebuild leaves behind', () => {
  const suite = containerSuite();
  const { dirs, prebuild } = suite;
  const makeRepo = (extra: Record<string, string> = {}) => fixtureRepo(dirs, extra);

  it(
    'a failing onCreateCommand fails the prebuild: nothing pushed or saved, nothing left on the engine',
    async () => {
      const { repo: failing, sha } = await makeRepo({ 'fail-on-create': 'yes\n' });
      const failStore = await tempDir('container-store-');
      dirs.push(failStore);
      const tagsBefore = await suite.registry.tags('prebuilds/devcontainer');
      const run = await runBundle(
        failing,
        { 'container-mode': 'container', registry: `${suite.registry.host}/prebuilds`, store: `dir:${failStore}`, sha, 'prebuild-id': '9' },
        dirs,
        {},
        BUILD_TIMEOUT,
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('install failed: fail-on-create is present');
      expect(run.stdout).toMatch(/^::error::devcontainer up failed: .*onCreateCommand/m);
      expect(run.result).toBeNull();
      expect(await suite.registry.tags('prebuilds/devcontainer')).toEqual(tagsBefore);
      expect(await readdir(failStore)).toEqual([]);
      expect(suite.leftovers('9', sha)).toEqual({ containers: '', images: '' });
    },
    BUILD_TIMEOUT,
  );

  it(
    "a build the engine answers with an image it already has (another checkout's tag) removes only the prebuild's own tag",
    async () => {
      // Another checkout of the same project, built by the CLI: its image and tag are not the prebuild's.
      const { repo: other } = await makeRepo();
      const danglingNow = danglingImages();
      const built = spawnSync(process.execPath, [devcontainerCli, 'build', '--workspace-folder', other], { encoding: 'utf8', timeout: BUILD_TIMEOUT });
      expect(built.status).toBe(0);
      const otherTag = `${(JSON.parse(built.stdout.trim().split('\n').pop()!) as { imageName: string[] }).imageName[0]!}:latest`;
      const otherId = docker('image', 'inspect', '--format', '{{.Id}}', otherTag);
      try {
        const { repo: mine, sha } = await makeRepo();
        // A suite.registry path with no identity image: no --cache-from, so every step comes from the local cache.
        const run = await prebuild(mine, { sha, 'prebuild-id': '30', registry: `${suite.registry.host}/cached` });
        const mineTag = `vsc-${path.basename(mine).toLowerCase()}-`; // the CLI's name for the checkout's image
        expect(run.stdout).not.toContain('::error::');
        expect(run.status).toBe(0);
        expect(run.stdout).toContain(`Successfully built ${otherId.slice(7, 19)}`); // the build answered with the existing image
        expect(run.stdout).toContain(`Successfully tagged ${mineTag}`);
        expect(docker('images', '--quiet', '--filter', `reference=${mineTag}*`)).toBe('');
        expect(docker('image', 'inspect', '--format', '{{.Id}}', otherTag)).toBe(otherId); // kept, with its tag
        expect(docker('images', '--quiet', '--filter', `reference=${suite.registry.host}/*/*`, '--filter', 'label=prebuilds.prebuild=30')).toBe('');
      } finally {
        docker('image', 'rm', otherTag);
        for (const ref of ['dev_container_feature_content_temp']) spawnSync('docker', ['image', 'rm', ref]);
        for (const id of danglingImages()) if (!danglingNow.has(id)) spawnSync('docker', ['image', 'rm', id]);
      }
    },
    BUILD_TIMEOUT * 2,
  );
});
