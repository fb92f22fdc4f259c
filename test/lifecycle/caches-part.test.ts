/**
 * The package caches part (src/lifecycle/caches-part.ts) on a real `dir:` store and
 * real archives: its key, saving once per set of dependency files, restoring
 * (guarded) into a workspace, the secret scan, and retention keeping a part while a
 * snapshot kept names it (src/lifecycle/snapshot/prune.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CACHES_PART_PATHS,
  UNREFERENCED_PART_GRACE_MS,
  cachesPartKey,
  cachesPartPrefix,
  isCachesPartKey,
  restoreCachesPart,
  saveCachesPart,
  orphanedParts,
  listedParts,
  type OrphanRule,
  type PartSeen,
} from '../../src/lifecycle/caches-part.js';
import { CACHES_DIR } from '../../src/lifecycle/caches.js';
import type { PrebuildMarker } from '../../src/lifecycle/marker.js';
import { snapshotKey, snapshotKeyPrefix } from '../../src/lifecycle/snapshot-key.js';
import { DirStore, safeKeyName } from '../../src/lifecycle/snapshot/dir-store.js';
import { pruneSnapshots } from '../../src/lifecycle/snapshot/prune.js';
import { SecretInSnapshotError } from '../../src/lifecycle/snapshot/secret-scan.js';
import { PhaseTimer } from '../../src/lifecycle/timings.js';
import { writeTarZst } from '../helpers/tar.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
function dir(prefix: string): string {
  const t = tempDir(prefix);
  cleanups.push(t.cleanup);
  return t.dir;
}

const LOCK = { 'package-lock.json': 'a'.repeat(64), 'package.json': 'b'.repeat(64) };

/** A workspace whose npm cache holds `content`. */
async function workspaceWithCache(content: string): Promise<string> {
  const ws = dir('part-ws-');
  await mkdir(path.join(ws, CACHES_DIR, 'npm/_cacache'), { recursive: true });
  await writeFile(path.join(ws, CACHES_DIR, 'npm/_cacache/entry'), content);
  await writeFile(path.join(ws, 'package.json'), '{}\n');
  return ws;
}

const marker = (caches: string | undefined): PrebuildMarker =>
  ({
    version: 1,
    configuration: 'web',
    identity: 'id',
    sha: 'a'.repeat(40),
    prebuildId: '1',
    createdAt: '',
    updatedAt: '',
    hooks: {},
    history: [],
    ...(caches ? { caches } : {}),
  }) as PrebuildMarker;

describe('cachesPartKey', () => {
  it('depends on the dependency files, the identity and the managers, not on the order of the files', () => {
    const key = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    expect(isCachesPartKey(key)).toBe(true);
    expect(key.startsWith(cachesPartPrefix('web'))).toBe(true);
    expect(cachesPartKey('web', 'id', ['npm'], { 'package.json': LOCK['package.json'], 'package-lock.json': LOCK['package-lock.json'] })).toBe(key);
    expect(cachesPartKey('web', 'id', ['npm'], { ...LOCK, 'package-lock.json': 'c'.repeat(64) })).not.toBe(key);
    expect(cachesPartKey('web', 'other', ['npm'], LOCK)).not.toBe(key);
    expect(cachesPartKey('web', 'id', ['npm', 'pip'], LOCK)).not.toBe(key);
    expect(cachesPartKey('api', 'id', ['npm'], LOCK)).not.toBe(key);
    expect(cachesPartKey('web', 'id', [], LOCK)).toBeNull();
  });

  it('is outside the snapshots of the configuration (their listings and retention never see it)', () => {
    const key = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    expect(key.startsWith(snapshotKeyPrefix('web'))).toBe(false);
    expect(isCachesPartKey(snapshotKey('web', 'a'.repeat(40), 1))).toBe(false);
    expect(key.length).toBeLessThan(512);
    expect(key).not.toContain(',');
  });
});

describe('saving and restoring a caches part in a dir: store', () => {
  it('saves once per set of dependency files, then restores it into another workspace before any hook', async () => {
    const store = new DirStore(dir('part-store-'));
    const key = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    const timer = new PhaseTimer();
    const first = await workspaceWithCache('tarball v1');
    const saved = await saveCachesPart(store, key, first, { timer });
    expect(saved).toMatchObject({ state: 'saved' });
    expect((await store.manifest(key))?.paths).toEqual([...CACHES_PART_PATHS]);
    // Same dependency files again: not saved again (the stored part keeps its content).
    expect(await saveCachesPart(store, key, await workspaceWithCache('tarball v2'), { timer })).toEqual({ state: 'reused' });
    expect(await saveCachesPart(store, key, dir('part-empty-'), { timer })).toEqual({ state: 'absent' });
    expect(Object.keys(timer.toJSON())).toEqual(['saveCaches']);

    const ws = dir('part-into-');
    await mkdir(path.join(ws, CACHES_DIR, 'npm'), { recursive: true });
    await writeFile(path.join(ws, CACHES_DIR, 'npm/own'), 'kept');
    const restoreTimer = new PhaseTimer();
    expect(await restoreCachesPart(store, marker(key), ws, restoreTimer)).toBe(true);
    expect(await readFile(path.join(ws, CACHES_DIR, 'npm/_cacache/entry'), 'utf8')).toBe('tarball v1');
    expect(await readFile(path.join(ws, CACHES_DIR, 'npm/own'), 'utf8')).toBe('kept');
    expect(Object.keys(restoreTimer.toJSON())).toEqual(['restoreCaches']);
    expect(await readdir(ws)).toEqual(['.prebuilds']); // no staging directory left behind
  });

  it('a missing, invalid or unsafe part only means no caches: it is never extracted outside the workspace', async () => {
    const root = dir('part-store-');
    const store = new DirStore(root);
    const ws = dir('part-into-');
    const timer = new PhaseTimer();
    expect(await restoreCachesPart(store, marker(undefined), ws, timer)).toMatch(/names no package caches part/);
    expect(await restoreCachesPart(store, marker('../../etc/passwd'), ws, timer)).toMatch(/invalid caches part key/);
    const key = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    expect(await restoreCachesPart(store, marker(key), ws, timer)).toMatch(/not in the directory/);

    // A crafted part whose entry climbs out of the staging directory.
    const outside = path.join(path.dirname(ws), `escaped-${path.basename(ws)}`);
    const name = safeKeyName(key);
    await writeTarZst(path.join(root, `${name}.tar.zst`), [{ name: `../${path.basename(outside)}`, data: 'evil' }]);
    await writeFile(
      path.join(root, `${name}.json`),
      JSON.stringify({ version: 1, key, archive: `${name}.tar.zst`, bytes: 1, createdAt: new Date().toISOString(), paths: [...CACHES_PART_PATHS] }),
    );
    expect(await restoreCachesPart(store, marker(key), ws, timer)).toMatch(/cannot be restored: .*\.\./);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(path.join(ws, CACHES_DIR))).toBe(false);
  });

  it('refuses to save a part holding a secret, and saves nothing', async () => {
    const store = new DirStore(dir('part-store-'));
    const token = 'npm_0123456789abcdefghijklmnopqrstuv';
    const ws = await workspaceWithCache(`//registry.npmjs.org/:_authToken=${token}\n`);
    const key = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    await expect(saveCachesPart(store, key, ws, { timer: new PhaseTimer(), secrets: [{ name: 'NPM_TOKEN', value: token }] })).rejects.toBeInstanceOf(
      SecretInSnapshotError,
    );
    expect(await store.list('')).toEqual([]);
  });
});

describe('retention of caches parts', () => {
  const HOUR = 60 * 60 * 1000;
  const DAY = 24 * HOUR;

  describe("orphanedParts: the one rule of the dispatch hand-over, the app's sweeps and the action's retention", () => {
    const a = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    const b = cachesPartKey('web', 'id', ['npm'], { 'package-lock.json': 'd'.repeat(64) })!;
    const now = Date.parse('2026-01-10T00:00:00Z');
    const GRACE = UNREFERENCED_PART_GRACE_MS;
    const at = (ago: number) => now - ago;
    const app = { inFlightSince: [], graceMs: 0, now }; // the app's sweeps, nothing in flight
    const action = { inFlightSince: [], graceMs: GRACE, now }; // the action's retention (dir:, oci:)
    const cases: Array<[string, PartSeen[], Omit<OrphanRule, 'referenced'> & { referenced?: OrphanRule['referenced'] }, string[]]> = [
      ['a part a kept snapshot names stays', [{ key: a, createdAt: at(30 * DAY) }], { ...app, referenced: [a] }, []],
      ['an unreferenced listed part goes (app, nothing in flight)', [{ key: a, createdAt: at(1) }], app, [a]],
      ['a snapshot without a part (null) protects nothing', [{ key: a, createdAt: at(HOUR) }], { ...app, referenced: [null] }, [a]],
      ['a kept snapshot whose part is unknown (undefined) keeps every part', [{ key: a, createdAt: at(30 * DAY) }], { ...app, referenced: [b, undefined] }, []],
      ['within the grace a part stays (action)', [{ key: a, createdAt: at(GRACE - 1) }], action, []],
      ['exactly at the grace it stays (strictly older only)', [{ key: a, createdAt: at(GRACE) }], action, []],
      ['past the grace it goes (action)', [{ key: a, createdAt: at(GRACE + 1) }], action, [a]],
      [
        'a part created after the oldest prebuild in flight started stays; one before goes',
        [
          { key: a, createdAt: at(2 * HOUR) },
          { key: b, createdAt: at(HOUR / 2) },
        ],
        { ...app, inFlightSince: [at(HOUR)] },
        [a],
      ],
      ['the oldest prebuild in flight counts', [{ key: a, createdAt: at(2 * HOUR) }], { ...app, inFlightSince: [at(HOUR), at(3 * HOUR)] }, []],
      ['age unknown (a key a snapshot named), nothing in flight, no grace: goes', [{ key: a, createdAt: null }], app, [a]],
      [
        'age unknown while a prebuild is in flight: stays (it may have reused it)',
        [{ key: a, createdAt: null }],
        { ...app, inFlightSince: [at(30 * DAY)] },
        [],
      ],
      ['age unknown with a grace: stays', [{ key: a, createdAt: null }], action, []],
      ['an unreadable listing date never counts as old', [{ key: a, createdAt: Number.NaN }], app, []],
      ['a key that is not a caches part key is never deleted', [{ key: 'prebuilds-v1-caches/web/not-a-digest', createdAt: at(30 * DAY) }], app, []],
      [
        'each key once, in the order first seen',
        [
          { key: b, createdAt: null },
          { key: a, createdAt: null },
          { key: b, createdAt: null },
        ],
        app,
        [b, a],
      ],
    ];
    it.each(cases)('%s', (_name, parts, rule, expected) => {
      expect(orphanedParts(parts, { referenced: [], ...rule })).toEqual(expected);
    });
    it('reads listing dates (ISO 8601; empty or unreadable as NaN)', () => {
      expect(
        listedParts([
          { key: a, createdAt: '2026-01-01T00:00:00Z' },
          { key: b, createdAt: '' },
        ]),
      ).toEqual([
        { key: a, createdAt: Date.parse('2026-01-01T00:00:00Z') },
        { key: b, createdAt: Number.NaN },
      ]);
    });
  });

  it('pruneSnapshots keeps a part shared by a kept snapshot and deletes one whose snapshots are all gone', async () => {
    const root = dir('part-store-');
    const store = new DirStore(root);
    const ws = await workspaceWithCache('x');
    await writeFile(path.join(ws, 'app.js'), 'app');
    const shared = cachesPartKey('web', 'id', ['npm'], LOCK)!;
    const old = cachesPartKey('web', 'id', ['npm'], { 'package-lock.json': 'e'.repeat(64) })!;
    for (const key of [old, shared]) await saveCachesPart(store, key, ws, { timer: new PhaseTimer() });
    const snapshots: Array<[number, string]> = [
      [1, old],
      [2, shared],
      [3, shared],
    ];
    for (const [id, caches] of snapshots) {
      const meta = { sha: String(id).repeat(40), configuration: 'web', prebuildId: String(id), identity: 'id', hooks: {}, base: null, caches };
      await store.save(snapshotKey('web', meta.sha, id), ['app.js'], ws, meta, { exclude: [CACHES_DIR] });
      await new Promise((r) => setTimeout(r, 5)); // distinct createdAt
    }
    expect((await store.list(snapshotKeyPrefix('web'))).map((l) => l.caches).sort()).toEqual([old, shared, shared].sort());

    // Within the grace period an unreferenced part stays (it may belong to a snapshot being saved).
    expect(await pruneSnapshots(store, snapshotKeyPrefix('web'), 1)).toEqual([snapshotKey('web', '2'.repeat(40), 2), snapshotKey('web', '1'.repeat(40), 1)]);
    expect(await store.exists(old, CACHES_PART_PATHS)).toBe(true);
    const later = Date.now() + UNREFERENCED_PART_GRACE_MS + HOUR;
    expect(await pruneSnapshots(store, snapshotKeyPrefix('web'), 1, [], later)).toEqual([old]);
    expect(await store.exists(old, CACHES_PART_PATHS)).toBe(false);
    expect(await store.exists(shared, CACHES_PART_PATHS)).toBe(true); // snapshot 3 names it
    await rm(path.join(root, `${safeKeyName(snapshotKey('web', '3'.repeat(40), 3))}.json`));
    expect(await pruneSnapshots(store, snapshotKeyPrefix('web'), 1, [], later)).toEqual([shared]);
  });
});
