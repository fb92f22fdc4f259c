/**
 * Docker Compose configurations in container mode with the real engine (issue 9): the
 * BUNDLED action as a child process, @devcontainers/cli from node_modules, docker-compose,
 * a private OCI registry and the `prebuilds up` CLI, on the compose fixture
 * (test/fixtures/compose-project: the `app` service built FROM the local base, a `cache`
 * service from the same base that the app reaches by name; onCreate writes outside the
 * workspace). Skipped with a printed reason only when Docker cannot run here; never in CI
 * (see test/helpers/docker.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMarker } from '../../src/lifecycle/marker.js';
import { git, runBundle, type ActionRun } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { describeWithDocker, docker, startRegistry, type TestRegistry } from '../helpers/docker.js';
import { BUILD_TIMEOUT, cloneAt, composeRepo } from './fixture.js';

const cliMain = fileURLToPath(new URL('../../lib/src/cli/main.js', import.meta.url));
const dirs: string[] = [];

/** The compose project a prebuild used (its log names it). */
function projectOf(run: ActionRun): string {
  const m = /Docker Compose: project (\S+);/.exec(run.stdout);
  if (!m) throw new Error(`the prebuild's log names no compose project:\n${run.stdout.slice(-2000)}`);
  return m[1]!;
}

/** What is left of a compose project on the engine: containers, networks, volumes, images named after it. */
function projectLeftovers(project: string): { containers: string; networks: string; volumes: string; images: string } {
  const label = `label=com.docker.compose.project=${project}`;
  return {
    containers: docker('ps', '--all', '--quiet', '--filter', label),
    networks: docker('network', 'ls', '--quiet', '--filter', label),
    volumes: docker('volume', 'ls', '--quiet', '--filter', label),
    images: docker('images', '--quiet', '--filter', `reference=${project}_*`),
  };
}
const nothing = { containers: '', networks: '', volumes: '', images: '' };

/** Takes a started project down (the test's own cleanup of `prebuilds up`). */
function down(ws: string, project: string): void {
  spawnSync(
    'docker-compose',
    ['-p', project, '-f', path.join(ws, '.devcontainer/docker-compose.yml'), 'down', '--volumes', '--remove-orphans', '--timeout', '0'],
    {
      encoding: 'utf8',
    },
  );
}

describeWithDocker('Docker Compose configurations in container mode with the real engine', () => {
  let registry: TestRegistry;
  let store: string;
  let repo: string;
  let sha: string;
  let key: string;
  const prebuild = (workspace: string, inputs: Record<string, string>, to = store): Promise<ActionRun> =>
    runBundle(workspace, { 'container-mode': 'container', registry: `${registry.host}/compose`, store: `dir:${to}`, ...inputs }, dirs, {}, BUILD_TIMEOUT);

  beforeAll(async () => {
    registry = await startRegistry();
    store = await tempDir('compose-store-');
    dirs.push(store);
    ({ repo, sha } = await composeRepo(dirs));
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanup(dirs);
  });

  it(
    'prebuilds the service container: committed image in the registry, workspace snapshot, the project taken down',
    async () => {
      const run = await prebuild(repo, { sha, 'prebuild-id': '1' });
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      key = `prebuilds-v1/devcontainer/${sha}/1`;
      const project = projectOf(run);
      expect(project).toMatch(/^prebuild-[0-9a-f]{12}$/);
      expect(run.stdout).toContain(`docker-compose --project-name ${project} -f ${repo}/.devcontainer/docker-compose.yml`);
      expect(run.stdout).toContain('Running the onCreateCommand from devcontainer.json');
      expect(run.stdout).toContain('Running the updateContentCommand from devcontainer.json');
      expect(run.outputs['execution-mode']).toBe('container');
      const image = run.outputs['image']!;
      expect(image).toMatch(new RegExp(`^${registry.host.replace(/\./g, '\\.')}/compose/devcontainer@sha256:[0-9a-f]{64}$`));
      expect(run.result).toMatchObject({ mode: 'container', image, snapshotKey: key, base: null });
      expect(Object.keys(run.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
      expect((await registry.tags('compose/devcontainer')).sort()).toEqual([`identity-${run.result!.identity.slice(0, 32)}`, `sha-${sha}`]);

      // The workspace (the compose file's bind mount) is in the snapshot, the marker names the image.
      expect(await readFile(path.join(repo, 'deps/left-pad'), 'utf8')).toBe('left-pad installed\n');
      expect(await readFile(path.join(repo, 'build/out.txt'), 'utf8')).toBe('v1\n');
      const marker = parseMarker(await readFile(path.join(repo, '.prebuilds/marker.json'), 'utf8'));
      expect(marker?.image?.digest).toBe(image.split('@')[1]);
      expect((await readdir(store)).filter((f) => f.endsWith('.json'))).toHaveLength(1);

      // Nothing of the run on the engine: the project's containers (app and cache), network, volumes, images.
      expect(projectLeftovers(project)).toEqual(nothing);
      expect(docker('images', '--quiet', '--filter', `reference=${registry.host}/*/*`)).toBe('');
      expect(docker('ps', '--all', '--quiet', '--filter', 'label=prebuilds.prebuild=1', '--filter', `label=prebuilds.sha=${sha}`)).toBe('');

      // The committed image is the app service's container: what onCreate wrote outside the workspace
      // (after reaching the cache service by its name), the Dockerfile's file, the metadata label.
      docker('pull', image);
      try {
        const inImage = docker(
          'run',
          '--rm',
          '--entrypoint',
          'sh',
          image,
          '-c',
          'cat /opt/app/image.txt /opt/app/deps/left-pad /opt/app/on-create-runs | wc -l; cat /opt/app/cache-host',
        );
        expect(inImage.split('\n')[0]).toBe('3');
        expect(inImage).toMatch(/\bcache\b/);
        expect(docker('image', 'inspect', '--format', '{{index .Config.Labels "devcontainer.metadata"}}', image)).toContain('sh scripts/install.sh');
      } finally {
        docker('image', 'rm', image);
      }
    },
    BUILD_TIMEOUT,
  );

  it(
    'prebuilds up in a fresh clone: the project starts with the prebuilt image, onCreate does not run again',
    async () => {
      const ws = await cloneAt(dirs, repo, sha);
      const cache = await mkdtemp(path.join(os.tmpdir(), 'compose-cache-'));
      dirs.push(cache);
      const up = spawnSync(process.execPath, [cliMain, 'up', ws, '--store', `dir:${store}`], {
        encoding: 'utf8',
        timeout: BUILD_TIMEOUT,
        env: { ...process.env, XDG_CACHE_HOME: cache },
      });
      expect(up.stderr).not.toMatch(/^prebuilds:/m);
      expect(up.status).toBe(0);
      const outcome = JSON.parse(up.stdout) as {
        hit: string;
        containerId: string;
        image: string;
        composeProject: string;
        hooks: Array<{ hook: string; action: string }>;
      };
      const project = `${path.basename(ws)}_devcontainer`.toLowerCase().replace(/[^-_a-z0-9]/g, '');
      try {
        expect(outcome.hit).toBe('exact');
        expect(outcome.composeProject).toBe(project);
        // The generated compose file (variables filled in from the environment) stays out of the workspace, private.
        expect(existsSync(path.join(ws, '.prebuilds', 'docker-compose.prebuilt.yml'))).toBe(false);
        const generated = path.join(cache, 'prebuilds', 'compose', project, 'docker-compose.prebuilt.yml');
        expect(statSync(generated).mode & 0o777).toBe(0o600);
        expect(statSync(path.dirname(generated)).mode & 0o777).toBe(0o700);
        expect(outcome.hooks.filter((h) => h.action === 'run').map((h) => h.hook)).toEqual(['postCreateCommand', 'postStartCommand']);
        expect(up.stderr).toMatch(/ready from the prebuild in \d+ ms \([\d.]+× faster than the cold path, which took \d+ ms/);
        // The service's build was dropped: nothing built, the app container runs the prebuilt image.
        expect(up.stderr).not.toMatch(/Successfully built|Step 1\/|Running the (onCreateCommand|updateContentCommand)/);
        expect(
          docker('inspect', '--format', '{{.State.Running}} {{.Config.Image}} {{index .Config.Labels "com.docker.compose.service"}}', outcome.containerId),
        ).toBe(`true ${outcome.image} app`);
        expect(docker('images', '--quiet', '--filter', `reference=${project}_*`)).toBe('');
        // The project's tests in the app container: the image's and onCreate's files, onCreate ran once (in the prebuild), the cache service by name.
        expect(docker('exec', '-w', '/workspace', outcome.containerId, 'sh', 'scripts/test.sh')).toContain('tests passed');
        expect(docker('exec', outcome.containerId, 'cat', '/tmp/post-start-ran')).toMatch(/\bcache\b/);
        expect(
          docker('ps', '--quiet', '--filter', `label=com.docker.compose.project=${project}`, '--filter', 'label=com.docker.compose.service=cache'),
        ).not.toBe('');
        await expect(readFile(path.join(ws, '.post-create-ran'))).resolves.toBeDefined();
      } finally {
        down(ws, project);
        if (outcome.image) spawnSync('docker', ['image', 'rm', outcome.image]);
      }
      expect(projectLeftovers(project)).toEqual(nothing);
    },
    BUILD_TIMEOUT,
  );

  it(
    'mode: restore in container mode starts the compose project from the prebuilt image (outputs)',
    async () => {
      const ws = await cloneAt(dirs, repo, sha);
      const run = await runBundle(
        ws,
        { mode: 'restore', 'container-mode': 'container', registry: `${registry.host}/compose`, store: `dir:${store}`, sha },
        dirs,
        {},
        BUILD_TIMEOUT,
      );
      const containerId = run.outputs['container-id'];
      const project = `${path.basename(ws)}_devcontainer`.toLowerCase().replace(/[^-_a-z0-9]/g, '');
      try {
        expect(run.stdout).not.toContain('::error::');
        expect(run.status).toBe(0);
        expect(run.outputs).toMatchObject({ 'prebuild-hit': 'exact', 'snapshot-key': key, 'execution-mode': 'container' });
        expect(run.stdout).toMatch(/^postCreateCommand: ran \(\d+ ms\)$/m);
        expect(run.stdout).not.toMatch(/Running the (onCreateCommand|updateContentCommand)/);
        expect(docker('exec', '-w', '/workspace', containerId!, 'sh', 'scripts/test.sh')).toContain('tests passed');
      } finally {
        down(ws, project);
        if (run.outputs['image']) spawnSync('docker', ['image', 'rm', run.outputs['image']]);
      }
      expect(projectLeftovers(project)).toEqual(nothing);
    },
    BUILD_TIMEOUT,
  );

  it(
    "builds incrementally from the base: the service starts from the base's image, only updateContentCommand runs",
    async () => {
      await writeFile(path.join(repo, 'src/main.txt'), 'v2\n');
      git(repo, 'commit', '-q', '-a', '-m', 'second');
      const sha2 = git(repo, 'rev-parse', 'HEAD');
      const ws = await cloneAt(dirs, repo, sha2);
      const run = await prebuild(ws, { sha: sha2, 'prebuild-id': '2', base: key });
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("Incremental prebuild: starting from the base's image");
      expect(run.stdout).toContain('onCreateCommand: skipped (already ran in the base prebuild');
      expect(run.stdout).not.toMatch(/Successfully built|Running the onCreateCommand/); // no image build, no onCreate
      expect(Object.keys(run.result?.hooks ?? {})).toEqual(['updateContentCommand']);
      expect(await readFile(path.join(ws, 'build/out.txt'), 'utf8')).toBe('v2\n'); // ran on the new sources, in the app container
      expect(await readFile(path.join(ws, 'deps/is-even'), 'utf8')).toBe('is-even installed\n'); // from the base's workspace
      const image = run.outputs['image']!;
      docker('pull', image);
      try {
        // onCreate's files outside the workspace came with the base's image; it ran once, in the first prebuild.
        expect(docker('run', '--rm', '--entrypoint', 'sh', image, '-c', 'wc -l < /opt/app/on-create-runs; cat /opt/app/deps/left-pad')).toBe('1\nleft-pad');
      } finally {
        docker('image', 'rm', image);
      }
      expect(projectLeftovers(projectOf(run))).toEqual(nothing);
    },
    BUILD_TIMEOUT,
  );

  it(
    'a failing onCreateCommand pushes nothing, saves nothing and takes the project down',
    async () => {
      const { repo: failing, sha: failingSha } = await composeRepo(dirs, { 'fail-on-create': 'yes\n' });
      const failStore = await tempDir('compose-store-');
      dirs.push(failStore);
      const tagsBefore = await registry.tags('compose/devcontainer');
      const run = await prebuild(failing, { sha: failingSha, 'prebuild-id': '9' }, failStore);
      expect(run.status).toBe(1);
      expect(run.stdout).toContain('install failed: fail-on-create is present');
      expect(run.stdout).toMatch(/^::error::devcontainer up failed: .*onCreateCommand/m);
      expect(run.result).toBeNull();
      expect(await registry.tags('compose/devcontainer')).toEqual(tagsBefore);
      expect(await readdir(failStore)).toEqual([]);
      expect(projectLeftovers(projectOf(run))).toEqual(nothing);
      expect(docker('ps', '--all', '--quiet', '--filter', 'label=prebuilds.prebuild=9', '--filter', `label=prebuilds.sha=${failingSha}`)).toBe('');
    },
    BUILD_TIMEOUT,
  );
});
