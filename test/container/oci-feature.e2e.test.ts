/**
 * An OCI Feature in container mode with the real engine: the fixture's Feature published
 * with `devcontainer features publish` to a private registry (Debian's docker-registry),
 * referenced by its OCI id instead of the local folder; a container prebuild through the
 * BUNDLED action installs it and runs its onCreateCommand, and `prebuilds up` gives a
 * container where the project's tests (which call the Feature's tool) pass.
 * @devcontainers/cli speaks plain HTTP only to `localhost`, so the Feature is addressed as
 * `localhost:PORT` (the images as `127.0.0.1:PORT`: Docker's allowed insecure registry).
 * Skipped with a printed reason only when Docker cannot run here; never in CI.
 */
import { spawnSync } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, runBundle } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { describeWithDocker, docker, startRegistry, type TestRegistry } from '../helpers/docker.js';
import { BUILD_TIMEOUT, cloneAt, fixtureRepo } from './fixture.js';

const cliMain = fileURLToPath(new URL('../../lib/src/cli/main.js', import.meta.url));
const devcontainerCli = fileURLToPath(new URL('../../node_modules/@devcontainers/cli/devcontainer.js', import.meta.url));
const featureSource = fileURLToPath(new URL('../../demo/container-fixture/.devcontainer/hello-feature', import.meta.url));
const dirs: string[] = [];

describeWithDocker('an OCI Feature from a registry in container mode', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanup(dirs);
  });

  it(
    'is published, installed by a container prebuild (its onCreateCommand runs) and usable after prebuilds up',
    async () => {
      // Publish the Feature collection (src/<id>/devcontainer-feature.json) to the registry.
      const collection = await tempDir('oci-feature-');
      dirs.push(collection);
      await cp(featureSource, path.join(collection, 'src/hello-feature'), { recursive: true });
      const featureRegistry = registry.host.replace(/^127\.0\.0\.1:/, 'localhost:');
      const publish = spawnSync(
        process.execPath,
        [devcontainerCli, 'features', 'publish', './src', '--registry', featureRegistry, '--namespace', 'team/features'],
        {
          cwd: collection,
          encoding: 'utf8',
        },
      );
      expect(publish.stderr + publish.stdout).toContain('Published collection metadata');
      expect(publish.status).toBe(0);
      expect((await registry.tags('team/features/hello-feature')).sort()).toEqual(['1', '1.0', '1.0.0', 'latest']);

      // The fixture with the Feature by OCI id, and no local copy of it.
      const { repo } = await fixtureRepo(dirs);
      const feature = `${featureRegistry}/team/features/hello-feature:1`;
      const config = path.join(repo, '.devcontainer/devcontainer.json');
      await writeFile(config, (await readFile(config, 'utf8')).replace('"./hello-feature"', JSON.stringify(feature)));
      git(repo, 'rm', '-q', '-r', '.devcontainer/hello-feature');
      git(repo, 'commit', '-q', '-a', '-m', 'the Feature from the registry');
      const sha = git(repo, 'rev-parse', 'HEAD');
      const store = await tempDir('oci-feature-store-');
      dirs.push(store);

      const run = await runBundle(
        repo,
        { 'container-mode': 'container', registry: `${registry.host}/prebuilds`, store: `dir:${store}`, sha, 'prebuild-id': '1' },
        dirs,
        {},
        BUILD_TIMEOUT,
      );
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Running the onCreateCommand from Feature '${feature}'`);
      expect(docker('ps', '--all', '--quiet', '--filter', 'label=prebuilds.prebuild=1', '--filter', `label=prebuilds.sha=${sha}`)).toBe('');

      const ws = await cloneAt(dirs, repo, sha);
      const up = spawnSync(process.execPath, [cliMain, 'up', ws, '--store', `dir:${store}`], { encoding: 'utf8', timeout: BUILD_TIMEOUT });
      const outcome = JSON.parse(up.stdout || '{}') as { containerId?: string; image?: string; hit?: string };
      try {
        expect(up.status).toBe(0);
        expect(outcome.hit).toBe('exact');
        // The project's tests call the Feature's tool and read what its onCreateCommand wrote.
        const tests = spawnSync(process.execPath, [devcontainerCli, 'exec', '--workspace-folder', ws, 'sh', 'scripts/test.sh'], { encoding: 'utf8' });
        expect(tests.stdout).toContain('tests passed');
        expect(tests.status).toBe(0);
      } finally {
        if (outcome.containerId) docker('rm', '-f', outcome.containerId);
        if (outcome.image) docker('image', 'rm', outcome.image);
      }
    },
    BUILD_TIMEOUT * 2,
  );
});
