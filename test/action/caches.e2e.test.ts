/**
 * Package-manager caches and the time breakdown, end to end: the BUNDLED action as a
 * child process on a real git repository with a dir: store. The hooks stand in for
 * `npm ci`: they read and fill `$npm_config_cache` (which the action points into
 * the workspace), so a second install after a lockfile change finds what the first
 * one left there — the caches part of the base (src/lifecycle/caches-part.ts),
 * restored before onCreateCommand re-runs, and never for a source-only change.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CACHES_DIR } from '../../src/lifecycle/caches.js';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { git, runBundle } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

// "npm ci": counts a cache hit when the previous install left its tarball in the cache, then writes it.
const install =
  'echo "$npm_config_cache" > cache-path.txt && mkdir -p "$npm_config_cache" && ' +
  '{ if [ -f "$npm_config_cache/tarball" ]; then echo hit; else echo miss; fi; } >> installs.txt && ' +
  'cat package-lock.json > "$npm_config_cache/tarball"';

async function makeRepo(prebuildsYml?: string): Promise<{ repo: string; sha: string }> {
  const repo = await tempDir('caches-repo-');
  dirs.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  await mkdir(path.join(repo, '.devcontainer'));
  await writeFile(
    path.join(repo, '.devcontainer/devcontainer.json'),
    JSON.stringify({ image: 'mcr.microsoft.com/devcontainers/base:ubuntu', onCreateCommand: install, updateContentCommand: 'cat src.txt > built.txt' }),
  );
  if (prebuildsYml) {
    await mkdir(path.join(repo, '.github'));
    await writeFile(path.join(repo, '.github/prebuilds.yml'), prebuildsYml);
  }
  await writeFile(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}\n');
  await writeFile(path.join(repo, 'src.txt'), 'v1\n');
  await writeFile(path.join(repo, '.gitignore'), '.prebuilds/\n*.txt\n!src.txt\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first');
  return { repo, sha: git(repo, 'rev-parse', 'HEAD') };
}

/** Member names of a dir store's archive. */
function members(store: string, key: string): string[] {
  const archive = new DirStore(store).files(key).archive;
  return execFileSync('sh', ['-c', `zstd -d -q -c "${archive}" | tar -tf -`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
}

/** The caches part keys a dir store holds. */
async function parts(store: string): Promise<string[]> {
  return (await new DirStore(store).list('prebuilds-v1-caches/')).map((l) => l.key).sort();
}

/** A fresh clone of `repo` at `sha` (a new runner's checkout). */
async function checkout(repo: string, sha: string): Promise<string> {
  const ws = await tempDir('caches-ws-');
  dirs.push(ws);
  git(ws, 'init', '-q');
  git(ws, 'fetch', '-q', `file://${repo}`, sha);
  git(ws, 'checkout', '-q', '--detach', sha);
  return ws;
}

describe('package-manager caches in the snapshot', () => {
  it('keeps the npm cache of a prebuild and restores it before onCreateCommand re-runs after a lockfile change', async () => {
    const store = await tempDir('caches-store-');
    dirs.push(store);
    const { repo, sha } = await makeRepo();
    const first = await checkout(repo, sha);
    const run1 = await runBundle(first, { store: `dir:${store}`, sha, 'prebuild-id': '1' }, dirs);
    expect(run1.status).toBe(0);
    expect(run1.stdout).toContain(`Package-manager caches kept in the snapshot (${CACHES_DIR}): npm`);
    expect((await readFile(path.join(first, 'cache-path.txt'), 'utf8')).trim()).toBe(path.join(first, CACHES_DIR, 'npm'));
    expect(await readFile(path.join(first, 'installs.txt'), 'utf8')).toBe('miss\n');
    // The caches are a part of their own, named by the marker; the snapshot leaves them out.
    const [part1, ...others] = await parts(store);
    expect(others).toEqual([]);
    expect(part1).toMatch(/^prebuilds-v1-caches\/devcontainer\/[0-9a-f]{64}$/);
    expect(run1.result?.cachesKey).toBe(part1);
    expect(JSON.parse(await readFile(path.join(first, '.prebuilds/marker.json'), 'utf8')).caches).toBe(part1);
    expect(members(store, part1!)).toContain('.prebuilds/caches/npm/tarball');
    const snapshot1 = members(store, `prebuilds-v1/devcontainer/${sha}/1`);
    expect(snapshot1).toContain('./.prebuilds/marker.json');
    expect(snapshot1.filter((m) => m.includes('caches'))).toEqual([]);
    expect((await new DirStore(store).manifest(`prebuilds-v1/devcontainer/${sha}/1`))?.caches).toBe(part1);

    await writeFile(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"node_modules/dotenv":{}}}\n');
    git(repo, 'commit', '-qam', 'add a dependency');
    const sha2 = git(repo, 'rev-parse', 'HEAD');
    const second = await checkout(repo, sha2);
    const run2 = await runBundle(second, { store: `dir:${store}`, sha: sha2, 'prebuild-id': '2', base: `prebuilds-v1/devcontainer/${sha}/1` }, dirs);
    expect(run2.status).toBe(0);
    expect(run2.stdout).toMatch(/onCreateCommand: dependency files changed since the base ran it: package-lock.json/);
    // The base's cache was in place (at this workspace's path) when the install re-ran.
    expect((await readFile(path.join(second, 'cache-path.txt'), 'utf8')).trim()).toBe(path.join(second, CACHES_DIR, 'npm'));
    expect(await readFile(path.join(second, 'installs.txt'), 'utf8')).toBe('miss\nhit\n');
    expect(await readFile(path.join(second, CACHES_DIR, 'npm/tarball'), 'utf8')).toContain('dotenv');
    expect(run2.stdout).toContain(`Package caches restored from ${part1}`);
    expect(Object.keys(JSON.parse(run2.outputs['timings']!) as object)).toContain('restoreCaches');
    // New dependency files: a new part, named by the new snapshot.
    const after2 = await parts(store);
    expect(after2).toHaveLength(2);
    const part2 = after2.find((k) => k !== part1)!;
    expect(run2.result?.cachesKey).toBe(part2);

    // A source-only commit: the caches are neither restored nor saved again; the snapshot names the same part.
    await writeFile(path.join(repo, 'src.txt'), 'v2\n');
    git(repo, 'commit', '-qam', 'source change');
    const sha3 = git(repo, 'rev-parse', 'HEAD');
    const third = await checkout(repo, sha3);
    const run3 = await runBundle(third, { store: `dir:${store}`, sha: sha3, 'prebuild-id': '3', base: `prebuilds-v1/devcontainer/${sha2}/2` }, dirs);
    expect(run3.status).toBe(0);
    expect(Object.keys(JSON.parse(run3.outputs['timings']!) as object)).not.toContain('restoreCaches');
    expect(existsSync(path.join(third, CACHES_DIR, 'npm/tarball'))).toBe(false);
    expect(run3.result?.cachesKey).toBe(part2);
    expect(await parts(store)).toEqual(after2);
  });

  it('keeps none with `caches: false`, and leaves a cache variable the environment sets alone', async () => {
    const { repo, sha } = await makeRepo('prebuilds:\n  - devcontainer: .devcontainer/devcontainer.json\n    caches: false\n');
    const store = await tempDir('caches-store-');
    dirs.push(store);
    const own = await tempDir('own-npm-cache-');
    dirs.push(own);
    const off = await checkout(repo, sha);
    const run = await runBundle(off, { store: `dir:${store}`, sha, 'prebuild-id': '1' }, dirs, { npm_config_cache: own });
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('Package-manager caches kept');
    expect((await readFile(path.join(off, 'cache-path.txt'), 'utf8')).trim()).toBe(own);

    const { repo: repo2, sha: sha2 } = await makeRepo();
    const set = await checkout(repo2, sha2);
    const run2 = await runBundle(set, { store: `dir:${store}`, sha: sha2, 'prebuild-id': '1' }, dirs, { npm_config_cache: own });
    expect(run2.status).toBe(0);
    expect(run2.stdout).toContain('Package-manager cache of npm not kept: npm_config_cache is already set by the environment');
    expect((await readFile(path.join(set, 'cache-path.txt'), 'utf8')).trim()).toBe(own);
  });

  it('scans the caches for secrets like the rest of the snapshot', async () => {
    const token = 'npm_secret_token_value_0123456789abcdef';
    const { repo, sha } = await makeRepo('prebuilds:\n  - devcontainer: .devcontainer/devcontainer.json\n    secrets: [NPM_TOKEN]\n');
    await writeFile(
      path.join(repo, '.devcontainer/devcontainer.json'),
      JSON.stringify({
        image: 'mcr.microsoft.com/devcontainers/base:ubuntu',
        onCreateCommand: 'mkdir -p "$npm_config_cache" && echo "$NPM_TOKEN" > "$npm_config_cache/auth"',
      }),
    );
    git(repo, 'commit', '-qam', 'leaks the token into the cache');
    const sha2 = git(repo, 'rev-parse', 'HEAD');
    const store = await tempDir('caches-store-');
    dirs.push(store);
    const ws = await checkout(repo, sha2);
    const run = await runBundle(ws, { store: `dir:${store}`, sha: sha2, 'prebuild-id': '1', secrets: JSON.stringify({ NPM_TOKEN: token }) }, dirs);
    expect(sha2).not.toBe(sha);
    expect(run.status).not.toBe(0);
    expect(run.stdout).toMatch(/::error::Refusing to save the snapshot: (\.\/)?\.prebuilds\/caches\/npm\/auth contains the value of the secret NPM_TOKEN/);
    // No part, and no snapshot: the snapshot saved alongside the part (it names the part) is deleted.
    expect(run.stdout).toMatch(/Deleted snapshot prebuilds-v1\/\S+: its package caches part was not saved/);
    expect(await parts(store)).toEqual([]);
    expect(await new DirStore(store).list('prebuilds-v1/')).toEqual([]);
  });
});

describe('package-manager caches in restore mode', () => {
  it('restores them only when a dependency file changed since the prebuild (onCreateCommand re-runs)', async () => {
    const store = await tempDir('caches-store-');
    dirs.push(store);
    const { repo, sha } = await makeRepo();
    const built = await checkout(repo, sha);
    expect((await runBundle(built, { store: `dir:${store}`, sha, 'prebuild-id': '1' }, dirs)).status).toBe(0);

    await writeFile(path.join(repo, 'src.txt'), 'v2\n');
    git(repo, 'commit', '-qam', 'source change');
    const sourceOnly = await checkout(repo, git(repo, 'rev-parse', 'HEAD'));
    const run1 = await runBundle(sourceOnly, { store: `dir:${store}`, sha: git(repo, 'rev-parse', 'HEAD'), mode: 'restore' }, dirs);
    expect(run1.status).toBe(0);
    expect(run1.outputs['prebuild-hit']).toBe('ancestor');
    expect(existsSync(path.join(sourceOnly, CACHES_DIR))).toBe(false);
    expect(Object.keys(JSON.parse(run1.outputs['timings']!) as object)).not.toContain('restoreCaches');
    expect(existsSync(path.join(sourceOnly, '.prebuilds/marker.json'))).toBe(true);

    await writeFile(path.join(repo, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"node_modules/zod":{}}}\n');
    git(repo, 'commit', '-qam', 'lockfile change');
    const sha3 = git(repo, 'rev-parse', 'HEAD');
    const lockChange = await checkout(repo, sha3);
    const run2 = await runBundle(lockChange, { store: `dir:${store}`, sha: sha3, mode: 'restore' }, dirs);
    expect(run2.status).toBe(0);
    expect(run2.outputs['prebuild-hit']).toBe('ancestor');
    expect(await readFile(path.join(lockChange, 'installs.txt'), 'utf8')).toBe('miss\nhit\n');
    expect(Object.keys(JSON.parse(run2.outputs['timings']!) as object)).toContain('restoreCaches');
  });
});

describe('the time breakdown', () => {
  it('is in the outputs, the result and the job summary of a prebuild, an incremental prebuild and a restore', async () => {
    const store = await tempDir('timings-store-');
    dirs.push(store);
    const { repo, sha } = await makeRepo();
    const ws = await checkout(repo, sha);
    const full = await runBundle(ws, { store: `dir:${store}`, sha, 'prebuild-id': '1' }, dirs);
    expect(full.status).toBe(0);
    const timings = JSON.parse(full.outputs['timings']!) as Record<string, number>;
    expect(Object.keys(timings)).toEqual(['setup', 'onCreateCommand', 'updateContentCommand', 'save', 'saveCaches', 'retention']);
    expect(full.result?.timings).toEqual(timings);
    expect(timings.onCreateCommand).toBe(full.result?.hooks.onCreateCommand);
    const sum = Object.values(timings).reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(full.result!.durationMs + Object.keys(timings).length); // phases never overlap (rounding aside)
    expect(full.summary).toContain('Time breakdown');
    expect(full.summary).toMatch(/<td>updateContentCommand<\/td><td>\d+ ms<\/td><td>\d+%<\/td>/);

    await writeFile(path.join(repo, 'src.txt'), 'v2\n');
    git(repo, 'commit', '-qam', 'source change');
    const sha2 = git(repo, 'rev-parse', 'HEAD');
    const ws2 = await checkout(repo, sha2);
    const inc = await runBundle(ws2, { store: `dir:${store}`, sha: sha2, 'prebuild-id': '2', base: `prebuilds-v1/devcontainer/${sha}/1` }, dirs);
    expect(inc.status).toBe(0);
    expect(Object.keys(inc.result!.timings!)).toEqual(['setup', 'restore', 'merge', 'updateContentCommand', 'save', 'saveCaches', 'retention']);

    const ws3 = await checkout(repo, sha2);
    const restored = await runBundle(ws3, { store: `dir:${store}`, sha: sha2, mode: 'restore' }, dirs);
    expect(restored.status).toBe(0);
    expect(restored.outputs['prebuild-hit']).toBe('exact');
    expect(Object.keys(JSON.parse(restored.outputs['timings']!) as object)).toEqual(['setup', 'restore', 'merge']);
    expect(restored.summary).toContain('Time breakdown');
  });
});
