/**
 * A `.gitpod.yml` configuration in container mode with the real engine: its tasks prebuilt
 * in the container (bash, `before` then `init`, the task's env), the image pushed to a
 * private registry, and `prebuilds up` running `command` in a container from that image.
 * Independent of the fixture's prebuild (container.e2e.test.ts). Skipped with a printed
 * reason only when Docker cannot run here; never in CI (see test/helpers/docker.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git, runBundle } from '../action/bundle.js';
import { tempDir } from '../action/helpers.js';
import { BASE_IMAGE, describeWithDocker, docker } from '../helpers/docker.js';
import { cliMain, containerSuite } from './engine.js';
import { BUILD_TIMEOUT, cloneAt } from './fixture.js';

describeWithDocker('a .gitpod.yml in container mode with the real engine', () => {
  const suite = containerSuite();
  const { dirs } = suite;
  const freshClone = (from: string, sha: string) => cloneAt(dirs, from, sha);

  it(
    'a .gitpod.yml image works in container mode: tasks prebuilt in the container, prebuilds up runs `command`',
    async () => {
      const gp = await tempDir('container-gitpod-');
      dirs.push(gp);
      const yml = `image: ${BASE_IMAGE}\ntasks:\n  - before: export GREETING=hi\n    init: echo "$GREETING $MODE" > init.txt && mkdir -p ~/.cache && date > ~/.cache/init\n    command: test -s ~/.cache/init && echo started > /tmp/started\n    env:\n      MODE: dev\n`;
      await writeFile(path.join(gp, '.gitpod.yml'), yml);
      await writeFile(path.join(gp, '.gitignore'), 'init.txt\n.prebuilds/\n');
      await mkdir(path.join(gp, '.github'));
      await writeFile(path.join(gp, '.github/prebuilds.yml'), 'prebuilds:\n  - name: gitpod\n    gitpod: .gitpod.yml\n');
      git(gp, 'init', '-q', '-b', 'main');
      git(gp, 'add', '-A');
      git(gp, 'commit', '-q', '-m', 'gitpod');
      const sha = git(gp, 'rev-parse', 'HEAD');
      const gpStore = await tempDir('container-store-');
      dirs.push(gpStore);
      const run = await runBundle(
        gp,
        { registry: `${suite.registry.host}/gitpod`, store: `dir:${gpStore}`, sha, 'prebuild-id': '20' },
        dirs,
        {},
        BUILD_TIMEOUT,
      );
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      expect(run.outputs['execution-mode']).toBe('container'); // container-mode: auto
      expect(await readFile(path.join(gp, 'init.txt'), 'utf8')).toBe('hi dev\n'); // bash, `before` then `init`, the task's env
      const tags = (await suite.registry.tags('gitpod/gitpod')).sort();
      expect(tags).toHaveLength(2);
      expect(tags[0]).toMatch(/^identity-[0-9a-f]{32}$/);
      expect(tags[1]).toBe(`sha-${sha}`);
      expect(suite.leftovers('20', sha)).toEqual({ containers: '', images: '' });

      const ws = await freshClone(gp, sha);
      const up = spawnSync(process.execPath, [cliMain, 'up', ws, '--store', `dir:${gpStore}`], { encoding: 'utf8', timeout: BUILD_TIMEOUT });
      expect(up.stderr).not.toMatch(/^prebuilds:/m);
      expect(up.status).toBe(0);
      const outcome = JSON.parse(up.stdout) as { hit: string; containerId: string; image: string };
      try {
        expect(outcome.hit).toBe('exact');
        expect(docker('exec', outcome.containerId, 'cat', '/tmp/started')).toBe('started'); // `command` ran; ~/.cache came with the image
        expect(await readFile(path.join(ws, 'init.txt'), 'utf8')).toBe('hi dev\n'); // from the workspace snapshot
      } finally {
        if (outcome.containerId) docker('rm', '-f', outcome.containerId);
        if (outcome.image) docker('image', 'rm', outcome.image);
      }
    },
    BUILD_TIMEOUT,
  );
});
