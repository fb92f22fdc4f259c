import type { FileSource, ResolveResult } from '../../src/config/model.js';
import { ConfigurationCache } from '../../src/prebuilds/config-cache.js';
import { carryOver, knownFilesSize, noKnownFiles, recordingSource, type KnownFiles } from '../../src/prebuilds/known-files.js';

const empty: ResolveResult = { source: 'default', configurations: [], problems: [], warnings: [] };

/** A source over a map of files, counting what it is asked. */
function mapSource(files: Record<string, string>): FileSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async read(path) {
      asked.push(`read ${path}`);
      return files[path] ?? null;
    },
    async list(dir) {
      asked.push(`list ${dir}`);
      const names = Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`))
        .map((f) => f.slice(dir.length + 1).split('/')[0]!);
      return names.length ? [...new Set(names)] : null;
    },
  };
}

function known(reads: Record<string, string | null>, lists: Record<string, string[] | null> = {}): KnownFiles {
  return { reads: new Map(Object.entries(reads)), lists: new Map(Object.entries(lists)) };
}

describe('carryOver (src/prebuilds/known-files.ts)', () => {
  const files = known(
    { 's:.devcontainer/devcontainer.json': '{}', 'l:.devcontainer/Dockerfile': 'FROM x', 's:.github/prebuilds.yml': null, 'l:scripts/setup.sh': null },
    { '.devcontainer': ['devcontainer.json', 'Dockerfile'], '.devcontainer/feature': ['install.sh'] },
  );

  it('keeps what the push did not change and drops what it did', () => {
    const out = carryOver(files, ['.devcontainer/Dockerfile', 'src/a.ts']);
    expect([...out.reads.keys()].sort()).toEqual(['l:scripts/setup.sh', 's:.devcontainer/devcontainer.json', 's:.github/prebuilds.yml']);
    // A file changed under .devcontainer: its listing (and those above it) may have changed too.
    expect([...out.lists.keys()]).toEqual(['.devcontainer/feature']);
  });

  it('drops a file whose parent directory path changed (a directory replaced by a symlink or submodule)', () => {
    const out = carryOver(files, ['.devcontainer']);
    expect([...out.reads.keys()].sort()).toEqual(['l:scripts/setup.sh', 's:.github/prebuilds.yml']);
    expect(out.lists.size).toBe(0);
  });

  it('drops a missing file the push adds', () => {
    expect(carryOver(files, ['scripts/setup.sh']).reads.has('l:scripts/setup.sh')).toBe(false);
    expect(carryOver(files, ['.github/prebuilds.yml']).reads.has('s:.github/prebuilds.yml')).toBe(false);
  });
});

describe('recordingSource (src/prebuilds/known-files.ts)', () => {
  it('answers known files without asking, asks for the rest, and records every answer', async () => {
    const inner = mapSource({ '.devcontainer/devcontainer.json': '{"image":"x"}', '.devcontainer/Dockerfile': 'FROM y' });
    const seen = noKnownFiles();
    const source = recordingSource(inner, known({ 's:.github/prebuilds.yml': null }), seen);
    expect(await source.read('.github/prebuilds.yml', { strict: true })).toBeNull();
    expect(await source.read('.devcontainer/devcontainer.json', { strict: true })).toBe('{"image":"x"}');
    expect(await source.list('.devcontainer')).toEqual(['devcontainer.json', 'Dockerfile']);
    expect(inner.asked).toEqual(['read .devcontainer/devcontainer.json', 'list .devcontainer']);
    expect(seen.reads.get('s:.github/prebuilds.yml')).toBeNull();
    expect(seen.reads.get('l:.github/prebuilds.yml')).toBeNull();
    expect(seen.reads.get('s:.devcontainer/devcontainer.json')).toBe('{"image":"x"}');
    // A lenient read of a present file is not taken from a strict one (invalid UTF-8 reads differently).
    expect(seen.reads.has('l:.devcontainer/devcontainer.json')).toBe(false);
    expect(seen.lists.get('.devcontainer')).toEqual(['devcontainer.json', 'Dockerfile']);
  });

  it('does not record a failed read', async () => {
    const failing: FileSource = {
      read: () => Promise.reject(new Error('502')),
      list: () => Promise.reject(new Error('502')),
    };
    const seen = noKnownFiles();
    const source = recordingSource(failing, noKnownFiles(), seen);
    await expect(source.read('a')).rejects.toThrow('502');
    await expect(source.list('d')).rejects.toThrow('502');
    expect(seen.reads.size + seen.lists.size).toBe(0);
  });
});

describe('ConfigurationCache (src/prebuilds/config-cache.ts)', () => {
  const files = known({ 's:.devcontainer/devcontainer.json': '{}', 's:.github/prebuilds.yml': null });

  it('carries files only from the remembered head, and only when the changed files are known', () => {
    const cache = new ConfigurationCache();
    cache.remember('o/r#main', 'a', empty, files);
    expect(cache.carried('o/r#main', 'a', ['.devcontainer/devcontainer.json']).reads.has('s:.github/prebuilds.yml')).toBe(true);
    expect(cache.carried('o/r#main', 'a', ['.devcontainer/devcontainer.json']).reads.has('s:.devcontainer/devcontainer.json')).toBe(false);
    expect(cache.carried('o/r#main', 'b', []).reads.size).toBe(0);
    expect(cache.carried('o/r#main', 'a', null).reads.size).toBe(0);
    expect(cache.carried('o/r#other', 'a', []).reads.size).toBe(0);
  });

  it('a reuse moves the files to the new head', () => {
    const cache = new ConfigurationCache();
    cache.remember('o/r#main', 'a', empty, files);
    expect(cache.reuse('o/r#main', 'a', 'b', ['src/x.ts'])).toBe(empty);
    expect(cache.carried('o/r#main', 'b', ['.devcontainer/devcontainer.json']).reads.size).toBe(1);
  });

  it('is bounded by branches and by the file contents kept, least recently used out', () => {
    const big = known({ 's:.devcontainer/devcontainer.json': 'x'.repeat(400) });
    const size = knownFilesSize(big);
    const cache = new ConfigurationCache({ entries: 3, fileUnits: size * 2, fileUnitsPerEntry: size });
    cache.remember('o/r#1', 'a', empty, big);
    cache.remember('o/r#2', 'a', empty, big);
    expect(cache.size).toEqual({ entries: 2, fileUnits: size * 2 });
    cache.remember('o/r#3', 'a', empty, big); // over the bytes: #1 goes
    expect([cache.has('o/r#1'), cache.has('o/r#2'), cache.has('o/r#3')]).toEqual([false, true, true]);
    cache.remember('o/r#4', 'a', empty, null);
    cache.remember('o/r#5', 'a', empty, null); // over the branches: #2 goes
    expect([cache.has('o/r#2'), cache.has('o/r#3'), cache.has('o/r#5')]).toEqual([false, true, true]);
    expect(cache.size).toEqual({ entries: 3, fileUnits: size });
    // A branch whose files exceed the per-branch bound is remembered without them.
    cache.remember('o/r#6', 'a', empty, known({ 's:f': 'y'.repeat(500) }));
    expect(cache.has('o/r#6')).toBe(true);
    expect(cache.carried('o/r#6', 'a', []).reads.size).toBe(0);
  });

  it('answers a commit some branch was resolved at, for the same default branch, without problems nor warnings', () => {
    const cache = new ConfigurationCache();
    cache.remember('o/r#main', 'a', empty, files, 'main');
    expect(cache.atCommit('o/r', 'a', 'main')).toEqual({ result: empty, files });
    expect(cache.atCommit('o/r', 'a', 'trunk')).toBeNull();
    expect(cache.atCommit('o/other', 'a', 'main')).toBeNull();
    cache.remember('o/r#main', 'b', empty, files, 'main'); // the branch moved on
    expect(cache.atCommit('o/r', 'a', 'main')).toBeNull();
    expect(cache.atCommit('o/r', 'b', 'main')).not.toBeNull();
    const warned: ResolveResult = { ...empty, warnings: [{ file: 'f', line: 1, column: 1, message: 'w' }] };
    cache.remember('o/r#w', 'c', warned, null, 'main');
    expect(cache.atCommit('o/r', 'c', 'main')).toBeNull();
  });
});
