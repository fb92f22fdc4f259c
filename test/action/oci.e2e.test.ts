/**
 * The registry store end to end (issue 13 item 4): the BUNDLED action prebuilds into
 * `oci:` on a real docker-registry (127.0.0.1), applies retention there, and
 * `prebuilds restore --store oci:…` makes a fresh clone ready from it, as a
 * developer's machine or a pull-request job would.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { register, type RestoreReport } from '../../src/cli/restore.js';
import { RegistryClient } from '../../src/lifecycle/snapshot/oci/registry-client.js';
import { registryUnavailable, startRegistry, type TestRegistry } from '../../bench/local-registry.js';
import { runCli } from '../cli/helpers.js';
import { git, runBundle } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const unavailable = registryUnavailable();
if (unavailable) console.warn(`Skipping the oci: end-to-end tests: ${unavailable}`);
const maybe = unavailable ? describe.skip : describe;
const dirs: string[] = [];

maybe('the bundled action with an oci: store', () => {
  let registry: TestRegistry;
  let origin: string;
  let sha: string;

  beforeAll(async () => {
    registry = await startRegistry();
    origin = await tempDir('origin-');
    dirs.push(origin);
    git(origin, 'init', '-q', '-b', 'main');
    await mkdir(path.join(origin, '.devcontainer'));
    await mkdir(path.join(origin, '.github'));
    await writeFile(
      path.join(origin, '.devcontainer/devcontainer.json'),
      JSON.stringify({ image: 'x', onCreateCommand: 'echo deps > deps.txt', postCreateCommand: 'echo ready > ready.txt' }),
    );
    await writeFile(path.join(origin, '.github/prebuilds.yml'), 'prebuilds:\n  - name: web\n    retention: 2\n');
    await writeFile(path.join(origin, '.gitignore'), '.prebuilds/\ndeps.txt\nready.txt\n');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'one');
    sha = git(origin, 'rev-parse', 'HEAD');
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanup(dirs);
  });

  it('prebuilds into the registry with retention, and a fresh clone restores from it', async () => {
    const store = `oci:${registry.host}/octo/app/prebuilds`;
    for (const id of ['1', '2', '3']) {
      const run = await runBundle(origin, { store, sha, 'prebuild-id': id }, dirs);
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
    }
    const tags = await new RegistryClient({ registry: registry.host, name: 'octo/app/prebuilds' }).tags();
    expect(tags.sort()).toEqual([`web.${sha}.2`, `web.${sha}.3`]);

    const ws = await tempDir('clone-');
    dirs.push(ws);
    git(ws, 'clone', '-q', origin, '.');
    const restored = await runCli(register, ['restore', '--store', store, ws]);
    expect(restored.error).toBeNull();
    const report = JSON.parse(restored.stdout) as RestoreReport;
    expect(report).toMatchObject({ prebuildHit: 'exact', snapshotKey: `prebuilds-v1/web/${sha}/3` });
    expect(await readFile(path.join(ws, 'deps.txt'), 'utf8')).toBe('deps\n');
    expect(await readFile(path.join(ws, 'ready.txt'), 'utf8')).toBe('ready\n');
  });
});
