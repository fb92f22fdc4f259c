/**
 * A small client of the OCI Distribution Specification v1.1 (the registry API GHCR,
 * Docker Hub and `docker-registry` serve), just what the `oci:` snapshot store needs:
 * blobs (check, monolithic upload from a file, download to a file with digest
 * verification), manifests (put by tag, get, resolve to a digest, delete by digest)
 * and tag listing (paginated with `n` / `last` and the `Link` header).
 *
 * Authentication follows the Docker token flow the spec leaves to registries: a 401
 * with `WWW-Authenticate: Bearer realm=…,service=…,scope=…` is answered by fetching a
 * token from the realm (with the Basic credentials, if any) and retrying; a 401 with
 * `Basic` is retried with the credentials. Plain HTTP is used only for loopback
 * registries (`127.0.0.1`, `localhost`, `[::1]`), like Docker's own exception.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Where a repository is: `REGISTRY/NAME`, e.g. `ghcr.io/octo/app/prebuilds`, `127.0.0.1:5000/snapshots`. */
export interface RepositoryRef {
  /** Host and optional port. */
  registry: string;
  /** Repository name (lower case path components). */
  name: string;
}

/** Username and password (or token) for a registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

/** A descriptor (OCI image spec): what a manifest points to. Sizes in bytes. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** An OCI image manifest (image spec v1.1), the fields used. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType: 'application/vnd.oci.image.manifest.v1+json';
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** A registry answered with an unexpected status. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Tags the spec allows. */
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * Parses `REGISTRY/NAME` (the part after `oci:`).
 * @throws Error naming what is wrong
 */
export function parseRepositoryRef(text: string): RepositoryRef {
  const slash = text.indexOf('/');
  const registry = slash > 0 ? text.slice(0, slash) : '';
  const name = slash > 0 ? text.slice(slash + 1) : '';
  if (!registry || !/[.:]|^localhost$/.test(registry))
    throw new Error(`"${text}" is not REGISTRY/NAME (e.g. ghcr.io/owner/repo/prebuilds, 127.0.0.1:5000/snapshots)`);
  if (!NAME_RE.test(name)) throw new Error(`"${name}" is not a valid repository name (lower-case letters, digits, separators . _ - and /)`);
  return { registry, name };
}

function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** `sha256:<hex>` of bytes. */
export function digestOf(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function authParams(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme, params };
}

/** One repository of one registry. */
export class RegistryClient {
  private readonly base: string;
  private token: string | null = null;

  /**
   * @param ref the repository
   * @param credentials Basic credentials (GHCR: any user name and a GITHUB_TOKEN), or none for anonymous access
   */
  constructor(
    readonly ref: RepositoryRef,
    private readonly credentials: RegistryCredentials | null = null,
  ) {
    this.base = `${isLoopback(ref.registry) ? 'http' : 'https'}://${ref.registry}/v2/${ref.name}`;
  }

  private basic(): string | null {
    return this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}` : null;
  }

  /** Fetches a bearer token for the challenge (Docker token authentication). */
  private async authenticate(challenge: string): Promise<boolean> {
    const { scheme, params } = authParams(challenge);
    if (scheme === 'basic') return this.credentials !== null && this.token === null && ((this.token = 'basic'), true);
    if (scheme !== 'bearer' || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const basic = this.basic();
    const res = await fetch(url, { headers: basic ? { authorization: basic } : {} });
    if (!res.ok)
      throw new RegistryError(res.status, `The registry's token service ${url.origin} refused (${res.status}): check the credentials for ${this.ref.registry}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    this.token = body.token ?? body.access_token ?? null;
    return this.token !== null;
  }

  /** A request to `path` (relative to `/v2/<name>`, or an absolute upload URL), authenticated, retried once after a challenge. */
  private async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: () => RequestInit['body']; redirect?: RequestInit['redirect'] } = {},
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.base}${path}`;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { ...(init.headers ?? {}) };
      if (this.token === 'basic') headers.authorization = this.basic()!;
      else if (this.token) headers.authorization = `Bearer ${this.token}`;
      const body = init.body?.();
      const res = await fetch(url, {
        method,
        headers,
        body,
        redirect: init.redirect ?? 'follow',
        ...(body instanceof Readable || (body && typeof (body as ReadableStream).getReader === 'function') ? { duplex: 'half' } : {}),
      } as RequestInit);
      const challenge = res.headers.get('www-authenticate');
      if (res.status === 401 && attempt === 0 && challenge && (await this.authenticate(challenge))) {
        await res.body?.cancel();
        continue;
      }
      return res;
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = (await res.text().catch(() => '')).slice(0, 500);
    throw new RegistryError(res.status, `${what} failed: ${res.status} ${res.statusText}${text ? `: ${text}` : ''} (${this.ref.registry}/${this.ref.name})`);
  }

  /** Whether the repository holds the blob (`HEAD /v2/<name>/blobs/<digest>`). */
  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/blobs/${digest}`);
    if (res.status === 404) return false;
    if (!res.ok) return this.fail(res, `Checking blob ${digest}`);
    return true;
  }

  /**
   * Uploads a blob unless the registry has it: `POST /v2/<name>/blobs/uploads/`, then one
   * monolithic `PUT <location>?digest=` with the bytes (spec "Pushing a blob monolithically").
   * @param source the bytes, or a file path (streamed)
   * @returns the blob's descriptor (without media type)
   */
  async pushBlob(source: Buffer | { file: string; digest: string }): Promise<{ digest: string; size: number }> {
    const digest = Buffer.isBuffer(source) ? digestOf(source) : source.digest;
    const size = Buffer.isBuffer(source) ? source.length : (await stat(source.file)).size;
    if (await this.hasBlob(digest)) return { digest, size };
    const started = await this.request('POST', '/blobs/uploads/');
    if (started.status !== 202) return this.fail(started, 'Starting a blob upload');
    await started.body?.cancel();
    const location = new URL(started.headers.get('location') ?? '', `${this.base}/`);
    location.searchParams.set('digest', digest);
    const body = Buffer.isBuffer(source) ? () => source : () => Readable.toWeb(createReadStream(source.file)) as unknown as RequestInit['body'];
    const put = await this.request('PUT', location.toString(), {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
    });
    if (put.status !== 201) return this.fail(put, `Uploading blob ${digest}`);
    await put.body?.cancel();
    return { digest, size };
  }

  /**
   * Downloads a blob to `file`, verifying its digest.
   * @throws RegistryError when the registry fails; Error when the bytes do not match the digest
   */
  async pullBlob(digest: string, file: string): Promise<void> {
    const res = await this.request('GET', `/blobs/${digest}`);
    if (!res.ok || !res.body) return this.fail(res, `Downloading blob ${digest}`);
    const hash = createHash('sha256');
    const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    source.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(source, createWriteStream(file));
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== digest) throw new Error(`Blob ${digest} from ${this.ref.registry} has digest ${got}: refusing it`);
  }

  /**
   * Stores a manifest under a tag (`PUT /v2/<name>/manifests/<tag>`).
   * @returns the manifest's digest
   */
  async putManifest(tag: string, manifest: ImageManifest): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const res = await this.request('PUT', `/manifests/${tag}`, { headers: { 'content-type': MANIFEST_MEDIA_TYPE }, body: () => bytes });
    if (res.status !== 201) return this.fail(res, `Storing manifest ${tag}`);
    await res.body?.cancel();
    return digestOf(bytes);
  }

  /** A manifest by tag or digest, with its digest; `null` when there is none. */
  async getManifest(reference: string): Promise<{ manifest: ImageManifest; digest: string } | null> {
    const res = await this.request('GET', `/manifests/${reference}`, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    if (res.status === 404) return null;
    if (!res.ok) return this.fail(res, `Reading manifest ${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const manifest = JSON.parse(bytes.toString('utf8')) as ImageManifest;
    return { manifest, digest: res.headers.get('docker-content-digest') ?? digestOf(bytes) };
  }

  /** The digest a tag points to (`HEAD /v2/<name>/manifests/<tag>`), `null` when there is no such tag. */
  async resolve(tag: string): Promise<string | null> {
    const res = await this.request('HEAD', `/manifests/${tag}`, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    if (res.status === 404) return null;
    if (!res.ok) return this.fail(res, `Resolving ${tag}`);
    const digest = res.headers.get('docker-content-digest');
    if (digest) return digest;
    return (await this.getManifest(tag))?.digest ?? null;
  }

  /**
   * Deletes a manifest by digest (`DELETE /v2/<name>/manifests/<digest>`), which removes
   * its tags; its blobs go at the registry's garbage collection.
   * @returns false when it did not exist
   * @throws RegistryError when the registry refuses (405: deletion disabled)
   */
  async deleteManifest(digest: string): Promise<boolean> {
    const res = await this.request('DELETE', `/manifests/${digest}`);
    if (res.status === 404) return false;
    if (res.status !== 202) return this.fail(res, `Deleting manifest ${digest}`);
    await res.body?.cancel();
    return true;
  }

  /** Every tag of the repository (`GET /v2/<name>/tags/list?n=`, following `Link` pages); none when the repository does not exist. */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    let next: string | null = '/tags/list?n=1000';
    while (next) {
      const res = await this.request('GET', next);
      if (res.status === 404) return out;
      if (!res.ok) return this.fail(res, 'Listing tags');
      const body = (await res.json()) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
      next = link ? new URL(link[1]!, this.base).toString() : null;
    }
    return out;
  }
}
