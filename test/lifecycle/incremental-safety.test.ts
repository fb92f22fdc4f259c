/**
 * Restoring untrusted snapshots (issue 13 items 2 and 6), with hand-built archives
 * in a real directory store and real git checkouts: the "deleted since the base"
 * cleanup never follows a symlink, a snapshot that cannot be extracted falls back
 * to the full lifecycle, and only markers of successful prebuilds are accepted.
 */
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfiguration } from '../../src/lifecycle/configuration.js';
import { restoreBase } from '../../src/lifecycle/incremental.js';
import { formatMarker, nextMarker, type PrebuildMarker } from '../../src/lifecycle/marker.js';
import { markerMismatch } from '../../src/lifecycle/restore-plan.js';
import { restoreWorkspace } from '../../src/lifecycle/restore.js';
import { textLog } from '../../src/lifecycle/run-hooks.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { DirStore, type DirManifest } from '../../src/lifecycle/snapshot/dir-store.js';
import { commit, initRepo } from '../helpers/git.js';
import { writeTarZst, type TarEntry } from '../helpers/tar.js';

let root: string;
let ws: string;
let outside: string;
let store: DirStore;
let sha: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'incremental-safety-'));
  ws = path.join(root, 'ws');
  outside = path.join(root, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'victim.txt'), 'keep me\n');
  store = new DirStore(path.join(root, 'store'));
  initRepo(ws);
  const dc = { image: 'x', onCreateCommand: 'echo deps > deps.txt', postCreateCommand: 'echo ready > ready.txt' };
  sha = commit(ws, 'one', {
    '.devcontainer/devcontainer.json': JSON.stringify(dc),
    '.gitignore': '.prebuilds/\ndeps.txt\nready.txt\nescape\n',
    'a.txt': 'a\n',
  });
});
afterEach(() => rm(root, { recursive: true, force: true }));

function marker(identity: string, outcome = true): PrebuildMarker {
  const m = nextMarker(null, {
    configuration: 'devcontainer',
    identity,
    sha,
    prebuildId: '1',
    base: null,
    ran: { onCreateCommand: { startedAt: '', durationMs: 5000 } },
    now: '2026-01-01T00:00:00Z',
  });
  if (!outcome) delete m.outcome;
  return m;
}

/** Puts a hand-built archive into the directory store under `key`, with a manifest like a real save writes. */
async function put(key: string, entries: TarEntry[], identity: string): Promise<void> {
  const files = store.files(key);
  await mkdir(store.root, { recursive: true });
  await writeTarZst(files.archive, entries);
  const manifest: DirManifest = {
    version: 1,
    key,
    archive: path.basename(files.archive),
    bytes: 1,
    createdAt: '2026-01-01T00:00:00Z',
    paths: ['.'],
    sha,
    configuration: 'devcontainer',
    identity,
    prebuildId: '1',
    hooks: {},
    base: null,
  };
  await writeFile(files.manifest, JSON.stringify(manifest));
}

describe('the "deleted since the base" cleanup', () => {
  it('never follows a symlink: a crafted tracked-files list plus an absolute symlink deletes nothing outside', async () => {
    const key = snapshotKey('devcontainer', sha, 1);
    await put(
      key,
      [
        { name: './.prebuilds/', type: '5' },
        { name: './.prebuilds/marker.json', data: formatMarker(marker('id')) },
        { name: './.prebuilds/tracked-files', data: 'escape/victim.txt\0gone.txt\0/etc/hostname\0../outside/victim.txt\0' },
        { name: './escape', type: '2', linkname: outside },
        { name: './gone.txt', data: 'deleted since the base\n' },
      ],
      'id',
    );
    const r = await restoreBase(store, key, ['.'], ws);
    expect(r.restored).toBe(true);
    expect(r.deleted).toEqual(['gone.txt']); // the honest entry is still cleaned up
    expect(await readFile(path.join(outside, 'victim.txt'), 'utf8')).toBe('keep me\n');
    expect(await readlink(path.join(ws, 'escape'))).toBe(outside); // symlinks themselves are allowed
  });

  it('never reads the marker through a symlink', async () => {
    await mkdir(path.join(outside, 'pb'));
    await writeFile(path.join(outside, 'pb/marker.json'), formatMarker(marker('id')));
    const key = snapshotKey('devcontainer', sha, 2);
    await put(key, [{ name: './.prebuilds', type: '2', linkname: path.join(outside, 'pb') }], 'id');
    const r = await restoreBase(store, key, ['.'], ws, (m) => markerMismatch(m, { sha, identity: 'id' }));
    expect(r).toMatchObject({ restored: false, rejected: expect.stringMatching(/no \.prebuilds\/marker\.json/) });
  });
});

describe('a snapshot that cannot be used', () => {
  it('is refused before anything is written outside, and restore falls back to the full lifecycle', async () => {
    const { configuration } = await loadConfiguration(ws, '', 'main');
    const key = snapshotKey('devcontainer', sha, 3);
    await put(
      key,
      [
        { name: './.prebuilds/marker.json', data: formatMarker(marker(configuration.identity)) },
        { name: '../outside/pwned', data: 'x' },
      ],
      configuration.identity,
    );
    let log = '';
    const outcome = await restoreWorkspace({
      workspace: ws,
      configuration,
      sha,
      store,
      catalog: store,
      log: textLog((t) => (log += t.toString())),
      env: process.env,
    });
    expect(outcome.hit).toBe('none');
    expect(outcome.rejected).toEqual([
      { key, reason: expect.stringMatching(/cannot be extracted: Refusing the snapshot: entry "\.\.\/outside\/pwned" escapes the workspace/) },
    ]);
    expect(Object.keys(outcome.hooks)).toEqual(['onCreateCommand', 'postCreateCommand']);
    expect(await readFile(path.join(ws, 'deps.txt'), 'utf8')).toBe('deps\n');
    expect(await readdir(outside)).toEqual(['victim.txt']);
    expect((await readdir(ws)).filter((n) => n.startsWith('.prebuilds-restore-'))).toEqual([]);
    expect(log).toMatch(/Discarding snapshot/);
  });

  it('is not restored when its marker does not record a successful prebuild', async () => {
    const { configuration } = await loadConfiguration(ws, '', 'main');
    const key = snapshotKey('devcontainer', sha, 4);
    await put(
      key,
      [
        { name: './.prebuilds/marker.json', data: formatMarker(marker(configuration.identity, false)) },
        { name: './deps.txt', data: 'stale\n' },
      ],
      configuration.identity,
    );
    const outcome = await restoreWorkspace({ workspace: ws, configuration, sha, store, catalog: store, log: textLog(() => undefined), env: process.env });
    expect(outcome.hit).toBe('none');
    expect(outcome.rejected[0]!.reason).toMatch(/does not record a successful prebuild/);
    expect(await readFile(path.join(ws, 'deps.txt'), 'utf8')).toBe('deps\n');
  });
});
