/**
 * End to end: the BUNDLED action (action/dist/index.js) as a child process, with
 * the environment a runner gives it, on a real git repository, with a dir: store.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMarker } from '../../src/lifecycle/marker.js';
import { safeKeyName, type DirManifest } from '../../src/lifecycle/snapshot/dir-store.js';
import { git, runBundle } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
const runAction = (workspace: string, inputs: Record<string, string>) => runBundle(workspace, inputs, dirs);
afterAll(() => cleanup(dirs));

async function makeRepo(devcontainer: object): Promise<{ repo: string; sha: string }> {
  const repo = await tempDir('repo-');
  dirs.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  await mkdir(path.join(repo, '.devcontainer'));
  await writeFile(path.join(repo, '.devcontainer/devcontainer.json'), `// the dev container\n${JSON.stringify(devcontainer, null, 2)}\n`);
  await writeFile(path.join(repo, 'src.txt'), 'v1\n');
  await writeFile(path.join(repo, 'old.txt'), 'deleted in the next commit\n');
  await writeFile(path.join(repo, '.gitignore'), '.prebuilds/\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first');
  return { repo, sha: git(repo, 'rev-parse', 'HEAD') };
}

const devcontainer = {
  image: 'mcr.microsoft.com/devcontainers/base:ubuntu',
  onCreateCommand: 'echo created >> created.txt && echo "${containerWorkspaceFolder}" > folder.txt',
  updateContentCommand: ['sh', '-c', 'cat src.txt >> updated.txt'],
  postCreateCommand: 'touch post-create-ran.txt',
};

describe('the bundled action, host mode', () => {
  let store: string;
  let repo: string;
  let sha1: string;
  let key1: string;

  beforeAll(async () => {
    store = await tempDir('store-');
    dirs.push(store);
    ({ repo, sha: sha1 } = await makeRepo(devcontainer));
  });

  it('prebuilds from scratch: hooks, outputs, result annotation, archive and manifest, summary', async () => {
    const run = await runAction(repo, { store: `dir:${store}`, sha: sha1, 'prebuild-id': '1' });
    expect(run.stdout).not.toContain('::error::');
    expect(run.status).toBe(0);
    key1 = `prebuilds-v1/devcontainer/${sha1}/1`;

    expect(await readFile(path.join(repo, 'created.txt'), 'utf8')).toBe('created\n');
    expect(await readFile(path.join(repo, 'folder.txt'), 'utf8')).toBe(`${repo}\n`); // substituted
    expect(await readFile(path.join(repo, 'updated.txt'), 'utf8')).toBe('v1\n');
    await expect(readFile(path.join(repo, 'post-create-ran.txt'))).rejects.toThrow(); // never in a prebuild
    expect(run.stdout).toMatch(/^::group::onCreateCommand: echo created >> created.txt/m);
    expect(run.stdout).toMatch(/^::group::updateContentCommand: sh -c 'cat src.txt >> updated.txt'/m);

    expect(run.outputs['snapshot-key']).toBe(key1);
    expect(run.outputs['base']).toBe('');
    expect(Number(run.outputs['duration-ms'])).toBeGreaterThan(0);
    const manifestFile = path.join(store, `${safeKeyName(key1)}.json`);
    const archive = path.join(store, `${safeKeyName(key1)}.tar.zst`);
    expect((await readdir(store)).sort()).toEqual([path.basename(manifestFile), path.basename(archive)]);
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as DirManifest;
    expect(Number(run.outputs['snapshot-size'])).toBe(manifest.bytes);
    expect(manifest).toMatchObject({ key: key1, sha: sha1, configuration: 'devcontainer', prebuildId: '1', paths: ['.'], base: null });
    expect(Object.keys(manifest.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);

    expect(run.result).toMatchObject({
      snapshotKey: key1,
      sha: sha1,
      prebuildId: '1',
      configuration: 'devcontainer',
      base: null,
      snapshotBytes: manifest.bytes,
    });
    expect(run.result?.identity).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(run.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);

    const marker = parseMarker(await readFile(path.join(repo, '.prebuilds/marker.json'), 'utf8'));
    expect(marker).toMatchObject({ configuration: 'devcontainer', sha: sha1, prebuildId: '1', identity: run.result?.identity });
    expect(Object.keys(marker?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
    expect(run.summary).toContain('Prebuild ready: devcontainer');
    expect(run.summary).toContain('<td>onCreateCommand</td><td>ran</td>');
  });

  it('refuses to overwrite a snapshot (same prebuild id)', async () => {
    const run = await runAction(repo, { store: `dir:${store}`, sha: sha1, 'prebuild-id': '1' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::Unable to save snapshot ".*": an entry with this key already exists/m);
    expect(run.stdout).not.toContain('::group::onCreateCommand'); // checked before any hook runs
  });

  it('builds incrementally from a base: skips onCreateCommand (marker), re-runs updateContentCommand on the new sources', async () => {
    // the next commit changes a source and deletes a tracked file
    await writeFile(path.join(repo, 'src.txt'), 'v2\n');
    git(repo, 'rm', '-q', 'old.txt');
    git(repo, 'commit', '-q', '-a', '-m', 'second'); // tracked files only: the hooks' output stays untracked
    const sha2 = git(repo, 'rev-parse', 'HEAD');
    // a fresh checkout of it, as actions/checkout gives
    const ws = await tempDir('checkout-');
    dirs.push(ws);
    git(ws, 'clone', '-q', repo, '.');
    git(ws, 'checkout', '-q', sha2);

    const run = await runAction(ws, { store: `dir:${store}`, sha: sha2, 'prebuild-id': '2', base: key1 });
    expect(run.stdout).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('onCreateCommand: skipped (already ran in the base prebuild');
    expect(run.stdout).not.toMatch(/^::group::onCreateCommand/m);
    expect(await readFile(path.join(ws, 'created.txt'), 'utf8')).toBe('created\n'); // from the base, not re-run
    expect(await readFile(path.join(ws, 'updated.txt'), 'utf8')).toBe('v1\nv2\n'); // base output + re-run on new sources
    expect(await readFile(path.join(ws, 'src.txt'), 'utf8')).toBe('v2\n'); // the checkout's sources win
    await expect(readFile(path.join(ws, 'old.txt'))).rejects.toThrow(); // deleted since the base
    expect(git(ws, 'rev-parse', 'HEAD')).toBe(sha2); // the checkout's .git, not the base's
    expect(git(ws, 'status', '--porcelain')).toBe('?? created.txt\n?? folder.txt\n?? updated.txt'.trim());

    expect(run.outputs['base']).toBe(key1);
    expect(run.result).toMatchObject({ base: key1, snapshotKey: `prebuilds-v1/devcontainer/${sha2}/2` });
    expect(Object.keys(run.result?.hooks ?? {})).toEqual(['updateContentCommand']);
    const marker = parseMarker(await readFile(path.join(ws, '.prebuilds/marker.json'), 'utf8'));
    expect(marker?.hooks.onCreateCommand?.prebuildId).toBe('1');
    expect(marker?.hooks.updateContentCommand?.prebuildId).toBe('2');
    expect(marker?.history.map((h) => h.prebuildId)).toEqual(['1', '2']);
    expect(run.summary).toContain('skipped: already ran in the base prebuild');
  });

  it('builds from scratch with a warning when the base is missing', async () => {
    const { repo: other, sha } = await makeRepo(devcontainer);
    const missing = `prebuilds-v1/devcontainer/${sha}/404`;
    const run = await runAction(other, { store: `dir:${store}`, sha, 'prebuild-id': '3', base: missing });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^::warning::Base snapshot ".*404" not used: it was not found/m);
    expect(run.outputs['base']).toBe('');
    expect(Object.keys(run.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
  });

  it('fails with exit code 1 and an ::error:: naming the failed command', async () => {
    const { repo: failing, sha } = await makeRepo({
      image: 'x',
      onCreateCommand: { ok: 'true', install: 'echo npm ERR; exit 7' },
      updateContentCommand: 'touch never.txt',
    });
    const failStore = await tempDir('store-');
    dirs.push(failStore);
    const run = await runAction(failing, { store: `dir:${failStore}`, sha, 'prebuild-id': '9' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::onCreateCommand "install" \(echo npm ERR; exit 7\) failed with exit code 7$/m);
    expect(run.stdout).toContain('npm ERR');
    expect(run.result).toBeNull();
    expect(await readdir(failStore)).toEqual([]);
    await expect(readFile(path.join(failing, 'never.txt'))).rejects.toThrow(); // later hooks do not run
  });

  it('fails clearly on a configuration error, quoting file:line:column', async () => {
    const { repo: bad, sha } = await makeRepo({ image: 'x' });
    await writeFile(path.join(bad, '.devcontainer/devcontainer.json'), '{\n  "image": "x",\n  "onCreateCommand": 42\n}\n');
    const run = await runAction(bad, { store: `dir:${store}`, sha, 'prebuild-id': '10' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/::error::Invalid prebuild configuration:%0A\.devcontainer\/devcontainer\.json:3:\d+: /);
  });

  it('fails clearly without a store outside GitHub Actions', async () => {
    const run = await runAction(repo, { sha: sha1, 'prebuild-id': '11' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::No snapshot store: the "store" input is empty and the Actions cache service is not available/m);
  });

  it('gives containerEnv and remoteEnv to the hooks, substituted (an empty variable stays empty)', async () => {
    const { repo: envRepo, sha } = await makeRepo({
      image: 'x',
      containerEnv: { FROM_RUNNER: '${localEnv:RUNNER_VAR}-c', EMPTY_KEPT: '${localEnv:EMPTY_VAR:dflt}', UNSET_DEFAULT: '${localEnv:UNSET_VAR:dflt}' },
      remoteEnv: { LAYERED: '${containerEnv:FROM_RUNNER}-r', WORKSPACE: '${containerWorkspaceFolder}' },
      onCreateCommand: 'printf "%s|%s|%s|%s|%s" "$FROM_RUNNER" "$EMPTY_KEPT" "$UNSET_DEFAULT" "$LAYERED" "$WORKSPACE" > env.txt',
    });
    const envStore = await tempDir('store-');
    dirs.push(envStore);
    const run = await runBundle(envRepo, { store: `dir:${envStore}`, sha, 'prebuild-id': '12' }, dirs, { RUNNER_VAR: 'runner', EMPTY_VAR: '' });
    expect(run.stdout).not.toContain('::error::');
    expect(await readFile(path.join(envRepo, 'env.txt'), 'utf8')).toBe(`runner-c||dflt|runner-c-r|${envRepo}`);
  });

  it('finishes a hook when its process exits although a background child holds its output, and stops the child before saving', async () => {
    const { repo: bg, sha } = await makeRepo({
      image: 'x',
      onCreateCommand: '(sleep 60 &) ; echo started-in-background',
      updateContentCommand: 'echo update-ran',
    });
    const bgStore = await tempDir('store-');
    dirs.push(bgStore);
    const before = sleepers();
    // Before issue 12 this waited for the sleep to close the pipe: 60 s, past the bundle's 60 s limit.
    const run = await runBundle(bg, { store: `dir:${bgStore}`, sha, 'prebuild-id': '13' }, dirs);
    expect(run.stdout).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('started-in-background');
    expect(run.stdout).toContain('update-ran');
    expect(run.stdout).toMatch(
      /^::warning::onCreateCommand left 1 process running \(process group \d+: \d+ sleep 60\); its output after the command exited is not shown and it is stopped at the end of the prebuild$/m,
    );
    expect(run.stdout).toMatch(/^Stopped process group \d+ left by onCreateCommand$/m);
    expect(sleepers().filter((pid) => !before.includes(pid))).toEqual([]);
    expect(Object.keys(run.result?.hooks ?? {})).toEqual(['onCreateCommand', 'updateContentCommand']);
  });

  it('annotates the configuration warnings at their line (a task calling gp)', async () => {
    const { repo: gp } = await makeRepo({ image: 'x' });
    await mkdir(path.join(gp, '.github'), { recursive: true });
    await writeFile(path.join(gp, '.github/prebuilds.yml'), 'prebuilds:\n  - gitpod: .gitpod.yml\n');
    await writeFile(path.join(gp, '.gitpod.yml'), 'tasks:\n  - init: echo ready\n    command: gp await-port 3000\n');
    git(gp, 'add', '-A');
    git(gp, 'commit', '-q', '-m', 'gitpod');
    const gpStore = await tempDir('store-');
    dirs.push(gpStore);
    const run = await runBundle(gp, { store: `dir:${gpStore}`, sha: git(gp, 'rev-parse', 'HEAD'), 'prebuild-id': '14' }, dirs);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^::warning title=Prebuild configuration,file=\.gitpod\.yml,line=3,col=14::task `task-1` calls `gp` in `command`/m);
  });
});

/** Pids of `sleep 60` processes (Linux /proc). */
function sleepers(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === 'sleep\u000060\u0000') out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}
