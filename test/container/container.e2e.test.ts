/**
 * Container mode end to end with the real engine (issue 9), on one prebuild of the fixture
 * project (demo/container-fixture: a Dockerfile FROM the local base that apt-installs jq,
 * a local Feature with its own onCreateCommand) and what builds on it: `prebuilds up`
 * (from the image, and the cold way when the image cannot be pulled), `mode: restore`, an
 * incremental prebuild and a full one reusing the image's build cache. The tests share that
 * first prebuild (a build: minutes), so they stay in this file, in order; the independent
 * ones are container-gitpod.e2e.test.ts and container-engine.e2e.test.ts. The BUNDLED
 * action as a child process, @devcontainers/cli from node_modules, Docker, a private OCI
 * registry (Debian's docker-registry) and the `prebuilds up` CLI as a child process.
 * Skipped with a printed reason only when Docker cannot run here; never in CI (see test/helpers/docker.ts).
 */
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMarker } from '../../src/lifecycle/marker.js';
import { git, runBundle } from '../action/bundle.js';
import { describeWithDocker, docker } from '../helpers/docker.js';
import { cliMain, containerSuite, danglingImages, devcontainerCli, fromFixture, layers } from './engine.js';
import { BUILD_TIMEOUT, cloneAt, fixtureRepo } from './fixture.js';

describeWithDocker('container mode with the real engine: one prebuild and what builds on it', () => {
  const suite = containerSuite();
  const { dirs, prebuild } = suite;
  let repo: string;
  let sha1: string;
  let key1: string;
  const freshClone = (from: string, sha: string) => cloneAt(dirs, from, sha);

  beforeAll(async () => {
    ({ repo, sha: sha1 } = await fixtureRepo(dirs));
  });

  it(
    'prebuilds inside the dev container: image in the registry, workspace snapshot, nothing left on the engine',
    async () => {
      const run = await prebuild(repo, { sha: sha1, 'prebuild-id': '1' });
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      key1 = `prebuilds-v1/devcontainer/${sha1}/1`;
      // Built by @devcontainers/cli: the Dockerfile's apt step and the Feature's own onCreateCommand ran.
      expect(run.stdout).toMatch(/apt-get update -qq && apt-get install -y -qq --no-install-recommends jq/);
      expect(run.stdout).toContain("Running the onCreateCommand from Feature './hello-feature'");
      expect(run.stdout).toContain('Running the updateContentCommand from devcontainer.json');

      expect(run.outputs['execution-mode']).toBe('container');
      expect(run.outputs['image']).toMatch(new RegExp(`^${suite.registry.host.replace(/\./g, '\\.')}/prebuilds/devcontainer@sha256:[0-9a-f]{64}$`));
      expect(run.result).toMatchObject({ mode: 'container', image: run.outputs['image'], snapshotKey: key1, base: null });
      expect(Object.keys(run.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
      expect(run.summary).toContain('Mode: <b>container</b>');
      expect(run.summary).toContain(run.outputs['image']);

      expect(await suite.registry.catalog()).toEqual(['prebuilds/devcontainer']);
      expect((await suite.registry.tags('prebuilds/devcontainer')).sort()).toEqual([`identity-${run.result!.identity.slice(0, 32)}`, `sha-${sha1}`]);
      // The workspace (bind-mounted) is in the snapshot, with a marker naming the image by digest.
      expect(await readFile(path.join(repo, 'deps/left-pad'), 'utf8')).toBe('left-pad installed\n');
      expect(await readFile(path.join(repo, 'build/out.txt'), 'utf8')).toBe('v1\n');
      const marker = parseMarker(await readFile(path.join(repo, '.prebuilds/marker.json'), 'utf8'));
      expect(marker?.image?.digest).toBe(run.outputs['image']!.split('@')[1]);
      expect(marker?.image?.coldMs).toBeGreaterThan(marker?.hooks.onCreateCommand?.durationMs ?? 0);
      expect(marker?.image?.markersSealed).toBe(true); // `prebuilds up` can start the container while it pulls
      expect((await readdir(suite.store)).filter((f) => f.endsWith('.json'))).toHaveLength(1);

      expect(suite.leftovers('1', sha1)).toEqual({ containers: '', images: '' });
      // Dangling images this run's build could have left: new ones built from the fixture (another
      // engineer's or job's builds on the same engine come and go meanwhile: not ours to judge).
      expect(suite.newDanglingFromFixture()).toEqual([]);
    },
    BUILD_TIMEOUT,
  );

  it(
    'prebuilds up in a fresh clone: a running container where the tests pass with no install step',
    async () => {
      const ws = await freshClone(repo, sha1);
      const up = spawnSync(process.execPath, [cliMain, 'up', ws, '--store', `dir:${suite.store}`], { encoding: 'utf8', timeout: BUILD_TIMEOUT });
      expect(up.stderr).not.toMatch(/^prebuilds:/m);
      expect(up.status).toBe(0);
      const outcome = JSON.parse(up.stdout) as {
        hit: string;
        containerId: string;
        image: string;
        hooks: Array<{ hook: string; action: string }>;
        durationMs: number;
        coldMs: number;
      };
      try {
        expect(outcome.hit).toBe('exact');
        expect(outcome.image).toMatch(/@sha256:/);
        expect(outcome.hooks.filter((h) => h.action === 'run').map((h) => h.hook)).toEqual(['postCreateCommand', 'postStartCommand']);
        expect(up.stderr).toContain('onCreateCommand: skipped (ran in the prebuild)');
        // One `devcontainer up` ran the post* hooks (the image's markers say onCreate/updateContent ran): no exec per hook.
        expect(up.stderr).toContain('Running the postCreateCommand from devcontainer.json');
        expect(up.stderr).not.toMatch(/Running the (onCreateCommand|updateContentCommand)/);
        expect(up.stderr).not.toMatch(/^▶ post(Create|Start)Command/m);
        expect(docker('image', 'inspect', '--format', '{{index .Config.Labels "prebuilds.lifecycle-markers"}}', outcome.image)).toBe('sealed');
        expect(up.stderr).toMatch(/ready from the prebuild in \d+ ms \([\d.]+× faster than the cold path, which took \d+ ms/);
        // The container's start overlapped the pull: the marker says the image's lifecycle markers are sealed.
        expect(up.stderr).toMatch(/Pulled \S+ in \d+ ms \(overlapping the workspace merge and the container's start\)/);
        expect(docker('inspect', '--format', '{{.State.Running}} {{.Config.Image}}', outcome.containerId)).toBe(`true ${outcome.image}`);
        // The project's tests, inside the container, with what the prebuild installed (no install step ran).
        const tests = spawnSync(process.execPath, [devcontainerCli, 'exec', '--workspace-folder', ws, 'sh', 'scripts/test.sh'], { encoding: 'utf8' });
        expect(tests.stdout).toContain('tests passed');
        expect(tests.status).toBe(0);
        expect(docker('exec', outcome.containerId, 'test', '-s', '/tmp/post-start-ran') === '').toBe(true);
        await expect(readFile(path.join(ws, '.post-create-ran'))).resolves.toBeDefined();
      } finally {
        if (outcome.containerId) docker('rm', '-f', outcome.containerId);
        if (outcome.image) docker('image', 'rm', outcome.image);
      }
    },
    BUILD_TIMEOUT,
  );

  it(
    'prebuilds up whose image cannot be pulled starts the cold way (the container was being started while it pulled)',
    async () => {
      const ws = await freshClone(repo, sha1);
      const danglingNow = danglingImages();
      // A mirror that does not have the image: the pull fails, and so does the start that overlapped it.
      const up = spawnSync(process.execPath, [cliMain, 'up', ws, '--store', `dir:${suite.store}`, '--registry', `${suite.registry.host}/nowhere`], {
        encoding: 'utf8',
        timeout: BUILD_TIMEOUT,
      });
      const outcome = JSON.parse(up.stdout || '{}') as { hit?: string; containerId?: string; image?: string | null };
      try {
        expect(up.stderr).not.toMatch(/^prebuilds:/m);
        expect(up.status).toBe(0);
        expect(up.stderr).toMatch(
          new RegExp(
            `The prebuild's image ${suite.registry.host.replace(/\./g, '\\.')}/nowhere/devcontainer@sha256:[0-9a-f]{64} cannot be pulled \\(.*manifest unknown; 1 attempt\\)`,
          ),
        );
        // Not found is final: no retry of ours, and the CLI's start (which retries its own pull
        // five times, a second apart) was stopped before it retried.
        expect(up.stderr).not.toMatch(/docker pull .* failed .*: attempt \d/);
        expect(up.stderr).not.toContain('Retrying (Attempt');
        expect(up.stderr).toMatch(/ready the cold way in \d+ ms/);
        expect(outcome).toMatchObject({ hit: 'exact', image: null });
        expect(docker('inspect', '--format', '{{.State.Running}}', outcome.containerId!)).toBe('true');
        // The cold path ran every hook in the new container (the workspace came from the snapshot).
        expect(docker('exec', outcome.containerId!, 'cat', '/usr/local/share/hello-oncreate.txt')).toContain('hello from the feature');
      } finally {
        if (outcome.containerId) {
          const image = docker('inspect', '--format', '{{.Image}}', outcome.containerId);
          docker('rm', '-f', outcome.containerId);
          spawnSync('docker', ['image', 'rm', image]); // the cold build's image
        }
        // What the cold build left untagged (the Features stage), only this fixture's and only new ones.
        for (const id of danglingImages()) if (!danglingNow.has(id) && fromFixture(id)) spawnSync('docker', ['image', 'rm', id]);
      }
    },
    BUILD_TIMEOUT,
  );

  it(
    'mode: restore in container mode starts the dev container from the prebuilt image (outputs, summary)',
    async () => {
      const ws = await freshClone(repo, sha1);
      const run = await runBundle(
        ws,
        { mode: 'restore', 'container-mode': 'container', registry: `${suite.registry.host}/prebuilds`, store: `dir:${suite.store}`, sha: sha1 },
        dirs,
        {},
        BUILD_TIMEOUT,
      );
      const containerId = run.outputs['container-id'];
      try {
        expect(run.stdout).not.toContain('::error::');
        expect(run.status).toBe(0);
        expect(run.outputs).toMatchObject({ 'prebuild-hit': 'exact', 'prebuild-sha': sha1, 'snapshot-key': key1, 'execution-mode': 'container' });
        expect(run.outputs['image']).toMatch(/@sha256:/);
        expect(run.stdout).toContain('Running the postCreateCommand from devcontainer.json');
        expect(run.stdout).toMatch(/^postCreateCommand: ran \(\d+ ms\)$/m);
        expect(run.stdout).not.toMatch(/Running the (onCreateCommand|updateContentCommand)/);
        expect(docker('inspect', '--format', '{{.State.Running}}', containerId!)).toBe('true');
        expect(docker('exec', '-w', `/workspaces/${path.basename(ws)}`, containerId!, 'sh', 'scripts/test.sh')).toContain('tests passed');
        expect(run.summary).toContain('Mode: <b>container</b>');
        expect(run.summary).toContain(`<code>${containerId!.slice(0, 12)}</code>`);
      } finally {
        if (containerId) docker('rm', '-f', containerId);
        if (run.outputs['image']) docker('image', 'rm', run.outputs['image']);
      }
    },
    BUILD_TIMEOUT,
  );

  it(
    'builds incrementally from the base: its image and workspace, only updateContentCommand, the base layers reused',
    async () => {
      await writeFile(path.join(repo, 'src/main.txt'), 'v2\n');
      git(repo, 'commit', '-q', '-a', '-m', 'second');
      const sha2 = git(repo, 'rev-parse', 'HEAD');
      const ws = await freshClone(repo, sha2);
      const run = await prebuild(ws, { sha: sha2, 'prebuild-id': '2', base: key1 });
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("Incremental prebuild: starting from the base's image");
      expect(run.stdout).toContain('onCreateCommand: skipped (already ran in the base prebuild');
      expect(run.stdout).toContain('Running the updateContentCommand from devcontainer.json'); // one run-user-commands --prebuild pass
      expect(run.stdout).not.toMatch(/Running the (onCreateCommand|postCreateCommand)/);
      expect(run.stdout).not.toContain('apt-get install'); // no image build
      expect(Object.keys(run.result?.hooks ?? {})).toEqual(['updateContentCommand']);
      expect(run.result?.base).toBe(key1);
      expect(await readFile(path.join(ws, 'build/out.txt'), 'utf8')).toBe('v2\n'); // ran on the new sources, in the container
      expect(await readFile(path.join(ws, 'deps/is-even'), 'utf8')).toBe('is-even installed\n'); // from the base

      // The new image is the base image plus one layer: every base layer reused (not pushed again).
      const base = await layers(suite.registry, 'prebuilds/devcontainer', `sha-${sha1}`);
      const next = await layers(suite.registry, 'prebuilds/devcontainer', `sha-${sha2}`);
      expect(next.slice(0, base.length)).toEqual(base);
      expect(next).toHaveLength(base.length + 1);
      expect((run.stdout.match(/: Layer already exists/g) ?? []).length).toBeGreaterThanOrEqual(base.length);
      expect(suite.leftovers('2', sha2)).toEqual({ containers: '', images: '' });

      // A changed dependency file runs onCreateCommand again (Features' included), inside the container.
      const pkg = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      pkg.dependencies['is-odd'] = '3.0.1';
      await writeFile(path.join(repo, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
      git(repo, 'commit', '-q', '-a', '-m', 'third');
      const sha3 = git(repo, 'rev-parse', 'HEAD');
      const ws3 = await freshClone(repo, sha3);
      const key2 = `prebuilds-v1/devcontainer/${sha2}/2`;
      const run3 = await prebuild(ws3, { sha: sha3, 'prebuild-id': '3', base: key2 });
      expect(run3.status).toBe(0);
      expect(run3.stdout).toContain('onCreateCommand: dependency files changed since the base ran it: package.json');
      expect(Object.keys(run3.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
      expect(run3.stdout).toContain("Running the onCreateCommand from Feature './hello-feature'");
      expect(await readFile(path.join(ws3, 'deps/is-odd'), 'utf8')).toBe('is-odd installed\n');

      // The layer-count policy, with a small limit: the chain is at the limit, so the next prebuild is full.
      const depth = (await layers(suite.registry, 'prebuilds/devcontainer', `sha-${sha3}`)).length;
      await writeFile(path.join(repo, 'src/main.txt'), 'v4\n');
      git(repo, 'commit', '-q', '-a', '-m', 'fourth');
      const sha4 = git(repo, 'rev-parse', 'HEAD');
      const ws4 = await freshClone(repo, sha4);
      const run4 = await prebuild(ws4, { sha: sha4, 'prebuild-id': '4', base: `prebuilds-v1/devcontainer/${sha3}/3`, 'max-image-layers': String(depth) });
      expect(run4.status).toBe(0);
      expect(run4.stdout).toContain(`Full prebuild: the base's image has ${depth} layers and an incremental prebuild adds one, past max-image-layers ${depth}`);
      expect(Object.keys(run4.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
      expect((await layers(suite.registry, 'prebuilds/devcontainer', `sha-${sha4}`)).length).toBe(base.length); // a new chain, as deep as a full build
      expect(suite.leftovers('4', sha4)).toEqual({ containers: '', images: '' });
    },
    BUILD_TIMEOUT * 2,
  );

  it(
    'a full prebuild of the same identity builds from the previous image (--cache-from): the Dockerfile is not rebuilt',
    async () => {
      const ws = await freshClone(repo, sha1);
      const run = await prebuild(ws, { sha: sha1, 'prebuild-id': '1c' });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`--cache-from ${suite.registry.host}/prebuilds/devcontainer:identity-`);
      const apt = run.stdout.split('\n').findIndex((l) => /Step \d+\/\d+ : RUN apt-get update/.test(l));
      expect(apt).toBeGreaterThan(0);
      const next = run.stdout
        .split('\n')
        .slice(apt + 1)
        .find((l) => l.includes('--->'));
      expect(next).toContain('Using cache');
      expect(suite.leftovers('1c', sha1)).toEqual({ containers: '', images: '' });
    },
    BUILD_TIMEOUT,
  );
});
