/** `prebuilds restore`: a dir store filled by the bundled action, real clones, the shared restore code. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { register, type RestoreReport } from '../../src/cli/restore.js';
import { git, runBundle } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { runCli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

describe('prebuilds restore', () => {
  let origin: string;
  let store: string;
  let sha1: string;
  let prebuildHooks: Record<string, number> = {};
  let sha2: string;

  async function clone(sha: string): Promise<string> {
    const ws = await tempDir('clone-');
    dirs.push(ws);
    git(ws, 'clone', '-q', origin, '.');
    git(ws, 'checkout', '-q', sha);
    return ws;
  }

  beforeAll(async () => {
    origin = await tempDir('origin-');
    store = await tempDir('store-');
    dirs.push(origin, store);
    git(origin, 'init', '-q', '-b', 'main');
    await mkdir(path.join(origin, '.devcontainer'));
    const dc = {
      image: 'x',
      onCreateCommand: 'echo deps > deps.txt',
      updateContentCommand: 'cat src.txt >> build.txt',
      postCreateCommand: 'echo ready > ready.txt',
    };
    await writeFile(path.join(origin, '.devcontainer/devcontainer.json'), JSON.stringify(dc));
    await writeFile(path.join(origin, '.gitignore'), '.prebuilds/\ndeps.txt\nbuild.txt\nready.txt\n');
    await writeFile(path.join(origin, 'src.txt'), 'v1\n');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'one');
    sha1 = git(origin, 'rev-parse', 'HEAD');
    const pb = await clone(sha1);
    const built = await runBundle(pb, { store: `dir:${store}`, 'prebuild-id': '7' }, dirs);
    prebuildHooks = built.result?.hooks ?? {};
    expect(built.status).toBe(0);
    await writeFile(path.join(origin, 'src.txt'), 'v2\n');
    git(origin, 'commit', '-q', '-a', '-m', 'two');
    sha2 = git(origin, 'rev-parse', 'HEAD');
  });

  it('exact hit: prints the outcome as JSON, runs postCreateCommand only', async () => {
    const ws = await clone(sha1);
    const run = await runCli(register, ['restore', '--store', `dir:${store}`, ws]);
    expect(run.error).toBeNull();
    const report = JSON.parse(run.stdout) as RestoreReport;
    expect(report).toMatchObject({ prebuildHit: 'exact', prebuildSha: sha1, snapshotKey: `prebuilds-v1/devcontainer/${sha1}/7`, distance: 0, shallow: false });
    expect(Object.keys(report.hooks)).toEqual(['postCreateCommand']);
    expect(report.skipped.map((s) => s.hook)).toEqual(['onCreateCommand', 'updateContentCommand']);
    // What the prebuild's hooks took, as recorded when it was built; the saving is that minus what the restore spent.
    expect(Object.keys(prebuildHooks)).toEqual(['onCreateCommand', 'updateContentCommand']);
    expect(report.saved?.prebuiltMs).toBe(prebuildHooks.onCreateCommand! + prebuildHooks.updateContentCommand!);
    expect(report.saved?.savedMs).toBe(report.saved!.prebuiltMs - report.saved!.spentMs);
    expect(await readFile(path.join(ws, 'deps.txt'), 'utf8')).toBe('deps\n');
    expect(await readFile(path.join(ws, 'ready.txt'), 'utf8')).toBe('ready\n');
    expect(run.stderr).toContain('▶ postCreateCommand: echo ready > ready.txt');
  });

  it('ancestor hit: updateContentCommand on the new sources; --configuration picks by name', async () => {
    const ws = await clone(sha2);
    const run = await runCli(register, ['restore', '--store', `dir:${store}`, '--configuration', 'devcontainer', ws]);
    expect(run.error).toBeNull();
    const report = JSON.parse(run.stdout) as RestoreReport;
    expect(report).toMatchObject({ prebuildHit: 'ancestor', prebuildSha: sha1, distance: 1 });
    expect(Object.keys(report.hooks)).toEqual(['updateContentCommand', 'postCreateCommand']);
    expect(await readFile(path.join(ws, 'build.txt'), 'utf8')).toBe('v1\nv2\n');
  });

  it('none: the full lifecycle', async () => {
    const empty = await tempDir('empty-');
    dirs.push(empty);
    const ws = await clone(sha2);
    const run = await runCli(register, ['restore', '--store', `dir:${empty}`, ws]);
    const report = JSON.parse(run.stdout) as RestoreReport;
    expect(report).toMatchObject({ prebuildHit: 'none', prebuildSha: null, snapshotKey: null, saved: null });
    expect(Object.keys(report.hooks)).toEqual(['onCreateCommand', 'updateContentCommand', 'postCreateCommand']);
  });

  it('rejects a store other than dir: and an unknown configuration', async () => {
    const ws = await clone(sha1);
    expect((await runCli(register, ['restore', '--store', 'actions-cache', ws])).error?.message).toMatch(/--store must be dir:<path> or oci:REGISTRY\/NAME/);
    expect((await runCli(register, ['restore', '--store', `dir:${store}`, '-c', 'nope', ws])).error?.message).toMatch(/No prebuild configuration named "nope"/);
  });
});
