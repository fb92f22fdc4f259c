/** Which package-manager caches a snapshot keeps, and the variables pointing them into it (src/lifecycle/caches.ts). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCachesSetting } from '../../src/config/caches.js';
import { CACHES_DIR, packageCaches } from '../../src/lifecycle/caches.js';

let ws: string;
beforeEach(async () => {
  ws = await mkdtemp(path.join(os.tmpdir(), 'caches-'));
});
afterEach(() => rm(ws, { recursive: true, force: true }));

const files = (...names: string[]) => Promise.all(names.map((n) => writeFile(path.join(ws, n), '')));
const dir = (manager: string, ...rest: string[]) => path.join(ws, CACHES_DIR, manager, ...rest);

describe('packageCaches', () => {
  it('detects the managers from the lockfiles at the workspace root', async () => {
    await files('package-lock.json', 'uv.lock', 'go.sum', 'Cargo.lock', 'pom.xml', 'build.gradle.kts', 'README.md');
    const c = packageCaches(true, ws, {});
    expect(c.kept).toEqual(['npm', 'uv', 'cargo', 'go', 'gradle', 'maven']);
    expect(c.env).toEqual({
      npm_config_cache: dir('npm'),
      npm_config_prefer_offline: 'true',
      UV_CACHE_DIR: dir('uv'),
      CARGO_HOME: dir('cargo'),
      GOMODCACHE: dir('go', 'mod'),
      GOCACHE: dir('go', 'build'),
      GRADLE_USER_HOME: dir('gradle'),
      MAVEN_ARGS: `-Dmaven.repo.local=${dir('maven', 'repository')}`,
    });
    expect(packageCaches(true, ws, {}).skipped).toEqual([]);
  });

  it('detects yarn, pnpm and pip, and nothing in an empty workspace', async () => {
    expect(packageCaches(true, ws, {})).toEqual({ kept: [], skipped: [], env: {} });
    await files('yarn.lock', 'pnpm-lock.yaml', 'requirements.txt');
    const c = packageCaches(true, ws, {});
    expect(c.kept).toEqual(['yarn', 'pnpm', 'pip']);
    expect(c.env).toMatchObject({
      YARN_CACHE_FOLDER: dir('yarn'),
      YARN_ENABLE_GLOBAL_CACHE: 'false',
      npm_config_store_dir: dir('pnpm', 'store'),
      PIP_CACHE_DIR: dir('pip'),
    });
  });

  it('keeps none with false, exactly the listed ones with a list (detected or not)', async () => {
    await files('package-lock.json');
    expect(packageCaches(false, ws, {})).toEqual({ kept: [], skipped: [], env: {} });
    const c = packageCaches(['pip'], ws, {});
    expect(c.kept).toEqual(['pip']);
    expect(c.env).toEqual({ PIP_CACHE_DIR: dir('pip') });
  });

  it('leaves a cache the environment already places alone, but not for a tuning variable', async () => {
    await files('package-lock.json', 'requirements.txt', 'pom.xml');
    const c = packageCaches(true, ws, { PIP_CACHE_DIR: '/srv/pip', npm_config_prefer_offline: 'false', MAVEN_ARGS: '-B' });
    expect(c.kept).toEqual(['npm', 'maven']);
    expect(c.skipped).toEqual([{ manager: 'pip', reason: 'PIP_CACHE_DIR is already set by the environment' }]);
    expect(c.env).toEqual({ npm_config_cache: dir('npm'), MAVEN_ARGS: `-B -Dmaven.repo.local=${dir('maven', 'repository')}` });
    expect(packageCaches(true, ws, { MAVEN_ARGS: '-Dmaven.repo.local=/m2' }).skipped).toContainEqual({
      manager: 'maven',
      reason: 'MAVEN_ARGS is already set by the environment',
    });
  });

  it('leaves a zero-install Yarn project (its cache is committed) alone', async () => {
    await files('yarn.lock');
    await mkdir(path.join(ws, '.yarn/cache'), { recursive: true });
    expect(packageCaches(true, ws, {})).toEqual({
      kept: [],
      skipped: [{ manager: 'yarn', reason: 'the repository has its own .yarn/cache (zero-install)' }],
      env: {},
    });
  });
});

describe('parseCachesSetting', () => {
  it('takes booleans, one name or a list, and names the unknown manager', () => {
    expect(parseCachesSetting(true)).toEqual({ setting: true });
    expect(parseCachesSetting(false)).toEqual({ setting: false });
    expect(parseCachesSetting('go')).toEqual({ setting: ['go'] });
    expect(parseCachesSetting(['maven', 'npm', 'npm'])).toEqual({ setting: ['npm', 'maven'] });
    expect(parseCachesSetting(['npm', 'bundler'])).toEqual({
      problem: '`caches`: unknown package manager `bundler` (known: npm, yarn, pnpm, pip, uv, cargo, go, gradle, maven)',
    });
    expect(parseCachesSetting(3)).toEqual({ problem: '`caches` must be `true`, `false` or a list of package managers' });
  });
});
