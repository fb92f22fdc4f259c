/**
 * The `dir:<path>` snapshot store, for self-hosted runners and local runs: a
 * directory of `<safe-key>.tar.zst` archives, each with a `<safe-key>.json`
 * manifest. An entry is complete when its manifest exists (written last).
 * Writes are atomic (temporary file, then hard link / rename), and saving an
 * existing key fails like the Actions cache.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createArchive, excludePatterns, extractArchive } from './archive.js';
import {
  SnapshotExistsError,
  type RestoreOptions,
  type SaveOptions,
  type SnapshotCatalog,
  type SnapshotListing,
  type SnapshotMetadata,
  type SnapshotStore,
} from './store.js';

/** Content of `<safe-key>.json`. Sizes in bytes, times ISO 8601, durations ms. */
export interface DirManifest extends Partial<SnapshotMetadata> {
  version: 1;
  key: string;
  /** File name of the archive, next to the manifest. */
  archive: string;
  bytes: number;
  createdAt: string;
  /** Paths the archive holds, relative to the directory it was made in. */
  paths: string[];
}

const MAX_NAME = 180;

/**
 * A file-name-safe, injective rendering of a key: `[A-Za-z0-9._-]` kept, `/` → `+`,
 * other characters percent-encoded; long names end in a sha256 digest.
 * `prebuilds-v1/web/abc/42` → `prebuilds-v1+web+abc+42`.
 */
export function safeKeyName(key: string): string {
  let name = '';
  for (const ch of key) {
    if (/[A-Za-z0-9_-]/.test(ch) || (ch === '.' && name !== '')) name += ch;
    else if (ch === '/') name += '+';
    else name += [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  if (name.length > MAX_NAME) name = `${name.slice(0, MAX_NAME - 65)}~${createHash('sha256').update(key).digest('hex')}`;
  return name;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The directory store. `root` is created on the first save. */
export class DirStore implements SnapshotStore, SnapshotCatalog {
  readonly description: string;

  /** @param root absolute directory path of the store */
  constructor(readonly root: string) {
    this.description = `directory ${root}`;
  }

  /** Absolute paths of an entry's archive and manifest. */
  files(key: string): { archive: string; manifest: string } {
    const base = path.join(this.root, safeKeyName(key));
    return { archive: `${base}.tar.zst`, manifest: `${base}.json` };
  }

  /** The manifest of `key`, or `null` when there is no complete entry. */
  async manifest(key: string): Promise<DirManifest | null> {
    try {
      const m = JSON.parse(await readFile(this.files(key).manifest, 'utf8')) as DirManifest;
      return m.key === key ? m : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async save(key: string, paths: readonly string[], cwd: string, metadata?: SnapshotMetadata, options?: SaveOptions): Promise<{ bytes: number }> {
    const { archive, manifest } = this.files(key);
    if (await this.manifest(key)) throw new SnapshotExistsError(key);
    await mkdir(this.root, { recursive: true });
    const tmp = path.join(this.root, `.tmp-${randomBytes(6).toString('hex')}`);
    // Never archive the store into itself when it lives inside the workspace.
    const rel = path.relative(cwd, this.root);
    const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
    const exclude = [...(inside ? [rel, `./${rel}`] : []), ...excludePatterns(options?.exclude ?? [])];
    try {
      const { bytes } = await createArchive({ cwd, paths, exclude, secrets: options?.secrets }, `${tmp}.tar.zst`);
      const body: DirManifest = {
        version: 1,
        key,
        archive: path.basename(archive),
        bytes,
        createdAt: new Date().toISOString(),
        paths: [...paths],
        ...metadata,
      };
      await writeFile(`${tmp}.json`, `${JSON.stringify(body, null, 2)}\n`);
      try {
        await link(`${tmp}.tar.zst`, archive); // fails with EEXIST: no overwrite, even when racing
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new SnapshotExistsError(key);
        throw err;
      }
      await rename(`${tmp}.json`, manifest);
      return { bytes };
    } finally {
      await unlink(`${tmp}.tar.zst`).catch(() => undefined);
      await unlink(`${tmp}.json`).catch(() => undefined);
    }
  }

  async restore(key: string, paths: readonly string[], cwd: string, options?: RestoreOptions): Promise<boolean> {
    const m = await this.manifest(key);
    if (!m || !sameList(m.paths, paths)) return false;
    await extractArchive(this.files(key).archive, cwd, { exclude: options?.exclude });
    return true;
  }

  async exists(key: string, paths: readonly string[]): Promise<boolean> {
    const m = await this.manifest(key);
    if (!m || !sameList(m.paths, paths)) return false;
    return stat(this.files(key).archive).then(
      () => true,
      () => false,
    );
  }

  /**
   * Every complete entry whose key starts with `prefix`, from the manifests (a
   * manifest is written last, so a half-saved entry is never listed). Unreadable
   * or foreign JSON files are skipped; a missing store directory lists nothing.
   */
  async list(prefix: string): Promise<SnapshotListing[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: SnapshotListing[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.tmp-')) continue;
      let m: DirManifest;
      try {
        m = JSON.parse(await readFile(path.join(this.root, name), 'utf8')) as DirManifest;
      } catch {
        continue;
      }
      if (m?.version !== 1 || typeof m.key !== 'string' || !m.key.startsWith(prefix) || safeKeyName(m.key) !== name.slice(0, -'.json'.length)) continue;
      out.push({
        key: m.key,
        sha: m.sha ?? '',
        configuration: m.configuration ?? '',
        identity: m.identity ?? null,
        createdAt: m.createdAt,
        bytes: m.bytes,
        hooks: m.hooks ?? {},
        caches: typeof m.caches === 'string' ? m.caches : null,
      });
    }
    return out;
  }

  /** Deletes the entry's files, manifest first (a listing never sees a half-deleted entry). */
  async delete(key: string): Promise<boolean> {
    const { archive, manifest } = this.files(key);
    let existed = false;
    for (const file of [manifest, archive]) {
      try {
        await unlink(file);
        existed = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return existed;
  }
}
