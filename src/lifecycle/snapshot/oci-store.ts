/**
 * The `oci:REGISTRY/NAME` snapshot store: each snapshot is an OCI artifact (image
 * spec v1.1) in an OCI registry such as GHCR, readable from pull-request jobs and
 * developer machines alike (the Actions cache is scoped by branch):
 * - one layer, the snapshot archive (archive.ts: POSIX tar + zstd, `.git` left out,
 *   secrets scanned while archiving), media type {@link LAYER_MEDIA_TYPE};
 * - the empty config and `artifactType` {@link ARTIFACT_TYPE};
 * - the manifest fields as annotations ({@link ANNOTATIONS}: key, sha, configuration,
 *   identity, prebuild id, base, paths, hook durations, creation time, and the
 *   package caches part it goes with);
 * - one tag per snapshot key ({@link tagOf}).
 * Restore verifies the layer's digest and extracts it guarded; listing reads the
 * tags and their manifests; deletion deletes the manifest by digest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createArchive, excludePatterns, extractArchive } from './archive.js';
import { RegistryClient, TAG_RE, type ImageManifest, type RegistryCredentials, type RepositoryRef } from './oci/registry-client.js';
import {
  SnapshotExistsError,
  type RestoreOptions,
  type SaveOptions,
  type SnapshotCatalog,
  type SnapshotListing,
  type SnapshotMetadata,
  type SnapshotStore,
} from './store.js';

/** `artifactType` of snapshot manifests. */
export const ARTIFACT_TYPE = 'application/vnd.prebuilds.snapshot.v1';
/** Media type of the snapshot layer. */
export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** The empty config descriptor of OCI 1.1 artifacts (`{}`). */
const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

/** Annotation names of a snapshot manifest. */
export const ANNOTATIONS = {
  Created: 'org.opencontainers.image.created',
  Key: 'dev.prebuilds.snapshot.key',
  Sha: 'dev.prebuilds.snapshot.sha',
  Configuration: 'dev.prebuilds.snapshot.configuration',
  Identity: 'dev.prebuilds.snapshot.identity',
  PrebuildId: 'dev.prebuilds.snapshot.prebuild-id',
  Base: 'dev.prebuilds.snapshot.base',
  /** JSON array of the archived paths. */
  Paths: 'dev.prebuilds.snapshot.paths',
  /** JSON object of hook durations, ms. */
  Hooks: 'dev.prebuilds.snapshot.hooks',
  /** Key of the package caches part the snapshot goes with (src/lifecycle/caches-part.ts); absent for none. */
  Caches: 'dev.prebuilds.snapshot.caches',
} as const;

/**
 * The tag of a snapshot key: `prebuilds-v1/web/<sha>/42` → `web.<sha>.42` when that is a
 * valid tag, else `h.<sha256 of the key>` (long configuration names). The annotation
 * {@link ANNOTATIONS.Key} always holds the key itself.
 */
export function tagOf(key: string): string {
  const tag = key.replace(/^prebuilds-v1\//, '').replace(/\//g, '.');
  return TAG_RE.test(tag) && !tag.startsWith('h.') ? tag : `h.${createHash('sha256').update(key).digest('hex')}`;
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The registry store. */
export class OciStore implements SnapshotStore, SnapshotCatalog {
  readonly description: string;
  private readonly client: RegistryClient;

  /**
   * @param ref the repository snapshots go to
   * @param credentials for the registry (GHCR: `GITHUB_TOKEN`), or none
   * @param tempRoot where archives are staged (default: the OS temp directory)
   */
  constructor(
    readonly ref: RepositoryRef,
    credentials: RegistryCredentials | null = null,
    private readonly tempRoot: string = os.tmpdir(),
  ) {
    this.client = new RegistryClient(ref, credentials);
    this.description = `registry ${ref.registry}/${ref.name}`;
  }

  private async withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(this.tempRoot, 'prebuild-oci-'));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The manifest saved under exactly `key`, or `null`. */
  private async manifestOf(key: string): Promise<{ manifest: ImageManifest; digest: string } | null> {
    const found = await this.client.getManifest(tagOf(key));
    return found && found.manifest.annotations?.[ANNOTATIONS.Key] === key ? found : null;
  }

  async save(key: string, paths: readonly string[], cwd: string, metadata?: SnapshotMetadata, options?: SaveOptions): Promise<{ bytes: number }> {
    const tag = tagOf(key);
    if (await this.client.resolve(tag)) throw new SnapshotExistsError(key);
    return this.withTemp(async (dir) => {
      const file = path.join(dir, 'snapshot.tar.zst');
      const { bytes } = await createArchive({ cwd, paths, secrets: options?.secrets, exclude: excludePatterns(options?.exclude ?? []) }, file);
      const push = async () => {
        const pushed = await this.client.pushBlob({ file, digest: await fileDigest(file) });
        await this.client.pushBlob(Buffer.from('{}'));
        return pushed;
      };
      const layer = options?.timer ? await options.timer.time('upload', push) : await push();
      const annotations: Record<string, string> = {
        [ANNOTATIONS.Created]: new Date().toISOString(),
        [ANNOTATIONS.Key]: key,
        [ANNOTATIONS.Paths]: JSON.stringify(paths),
      };
      if (metadata) {
        annotations[ANNOTATIONS.Sha] = metadata.sha;
        annotations[ANNOTATIONS.Configuration] = metadata.configuration;
        annotations[ANNOTATIONS.Identity] = metadata.identity;
        annotations[ANNOTATIONS.PrebuildId] = metadata.prebuildId;
        annotations[ANNOTATIONS.Base] = metadata.base ?? '';
        annotations[ANNOTATIONS.Hooks] = JSON.stringify(metadata.hooks);
        if (metadata.caches) annotations[ANNOTATIONS.Caches] = metadata.caches;
      }
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: ARTIFACT_TYPE,
        config: EMPTY_CONFIG,
        layers: [{ mediaType: LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size }],
        annotations,
      };
      await this.client.putManifest(tag, manifest);
      return { bytes };
    });
  }

  async restore(key: string, paths: readonly string[], cwd: string, options?: RestoreOptions): Promise<boolean> {
    const found = await this.manifestOf(key);
    if (!found || !sameList(JSON.parse(found.manifest.annotations?.[ANNOTATIONS.Paths] ?? '[]') as string[], paths)) return false;
    const layer = found.manifest.layers.find((l) => l.mediaType === LAYER_MEDIA_TYPE);
    if (!layer) throw new Error(`The artifact of "${key}" in the ${this.description} has no ${LAYER_MEDIA_TYPE} layer`);
    await this.withTemp(async (dir) => {
      const file = path.join(dir, 'snapshot.tar.zst');
      const pull = () => this.client.pullBlob(layer.digest, file);
      await (options?.timer ? options.timer.time('download', pull) : pull());
      await extractArchive(file, cwd, { exclude: options?.exclude });
    });
    return true;
  }

  async exists(key: string, paths: readonly string[]): Promise<boolean> {
    const found = await this.manifestOf(key);
    return found !== null && sameList(JSON.parse(found.manifest.annotations?.[ANNOTATIONS.Paths] ?? '[]') as string[], paths);
  }

  /** Deletes the snapshot's manifest by digest (its tag goes with it). */
  async delete(key: string): Promise<boolean> {
    const found = await this.manifestOf(key);
    return found ? this.client.deleteManifest(found.digest) : false;
  }

  /**
   * Snapshots whose key starts with `prefix`, from the tags and their manifests' annotations
   * (tags of other configurations are skipped without reading their manifests).
   */
  async list(prefix: string): Promise<SnapshotListing[]> {
    const tagPrefix = tagOf(`${prefix}x`).slice(0, -1);
    const tags = (await this.client.tags()).filter((t) => t.startsWith(tagPrefix) || t.startsWith('h.'));
    const out: SnapshotListing[] = [];
    for (const tag of tags) {
      const found = await this.client.getManifest(tag);
      const a = found?.manifest.annotations ?? {};
      const key = a[ANNOTATIONS.Key];
      if (!found || found.manifest.artifactType !== ARTIFACT_TYPE || !key?.startsWith(prefix)) continue;
      let hooks: SnapshotListing['hooks'] = {};
      try {
        hooks = JSON.parse(a[ANNOTATIONS.Hooks] ?? '{}') as SnapshotListing['hooks'];
      } catch {
        // an unreadable annotation only loses the durations
      }
      out.push({
        key,
        sha: a[ANNOTATIONS.Sha] ?? '',
        configuration: a[ANNOTATIONS.Configuration] ?? '',
        identity: a[ANNOTATIONS.Identity] || null,
        createdAt: a[ANNOTATIONS.Created] ?? '',
        bytes: found.manifest.layers.find((l) => l.mediaType === LAYER_MEDIA_TYPE)?.size ?? null,
        hooks,
        caches: a[ANNOTATIONS.Caches] || null,
      });
    }
    return out;
  }
}
