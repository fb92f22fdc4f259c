import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  Env,
  Stores
} from "./chunk-GMZZ543P.js";
import {
  BLOCK,
  SecretInSnapshotError,
  SecretScan,
  cString,
  checksumOk,
  numberField,
  paxRecords,
  scannable
} from "./chunk-TAP6C6ZV.js";

// src/lifecycle/snapshot/oci/registry-client.ts
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
var RegistryError = class extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
    this.name = "RegistryError";
  }
  status;
};
var MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
var NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
var TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
function parseRepositoryRef(text) {
  const slash = text.indexOf("/");
  const registry = slash > 0 ? text.slice(0, slash) : "";
  const name = slash > 0 ? text.slice(slash + 1) : "";
  if (!registry || !/[.:]|^localhost$/.test(registry))
    throw new Error(`"${text}" is not REGISTRY/NAME (e.g. ghcr.io/owner/repo/prebuilds, 127.0.0.1:5000/snapshots)`);
  if (!NAME_RE.test(name)) throw new Error(`"${name}" is not a valid repository name (lower-case letters, digits, separators . _ - and /)`);
  return { registry, name };
}
function isLoopback(registry) {
  const host = registry.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
function digestOf(bytes) {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
function authParams(header) {
  const space = header.indexOf(" ");
  const scheme = (space === -1 ? header : header.slice(0, space)).toLowerCase();
  const params = {};
  for (const m of header.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  return { scheme, params };
}
var RegistryClient = class {
  /**
   * @param ref the repository
   * @param credentials Basic credentials (GHCR: any user name and a GITHUB_TOKEN), or none for anonymous access
   */
  constructor(ref, credentials = null) {
    this.ref = ref;
    this.credentials = credentials;
    this.base = `${isLoopback(ref.registry) ? "http" : "https"}://${ref.registry}/v2/${ref.name}`;
  }
  ref;
  credentials;
  base;
  token = null;
  basic() {
    return this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString("base64")}` : null;
  }
  /** Fetches a bearer token for the challenge (Docker token authentication). */
  async authenticate(challenge) {
    const { scheme, params } = authParams(challenge);
    if (scheme === "basic") return this.credentials !== null && this.token === null && (this.token = "basic", true);
    if (scheme !== "bearer" || !params.realm) return false;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    if (params.scope) url.searchParams.set("scope", params.scope);
    const basic = this.basic();
    const res = await fetch(url, { headers: basic ? { authorization: basic } : {} });
    if (!res.ok)
      throw new RegistryError(res.status, `The registry's token service ${url.origin} refused (${res.status}): check the credentials for ${this.ref.registry}`);
    const body = await res.json();
    this.token = body.token ?? body.access_token ?? null;
    return this.token !== null;
  }
  /** A request to `path` (relative to `/v2/<name>`, or an absolute upload URL), authenticated, retried once after a challenge. */
  async request(method, path, init = {}) {
    const url = path.startsWith("http") ? path : `${this.base}${path}`;
    for (let attempt = 0; ; attempt++) {
      const headers = { ...init.headers ?? {} };
      if (this.token === "basic") headers.authorization = this.basic();
      else if (this.token) headers.authorization = `Bearer ${this.token}`;
      const body = init.body?.();
      const res = await fetch(url, {
        method,
        headers,
        body,
        redirect: init.redirect ?? "follow",
        ...body instanceof Readable || body && typeof body.getReader === "function" ? { duplex: "half" } : {}
      });
      const challenge = res.headers.get("www-authenticate");
      if (res.status === 401 && attempt === 0 && challenge && await this.authenticate(challenge)) {
        await res.body?.cancel();
        continue;
      }
      return res;
    }
  }
  async fail(res, what) {
    const text = (await res.text().catch(() => "")).slice(0, 500);
    throw new RegistryError(res.status, `${what} failed: ${res.status} ${res.statusText}${text ? `: ${text}` : ""} (${this.ref.registry}/${this.ref.name})`);
  }
  /** Whether the repository holds the blob (`HEAD /v2/<name>/blobs/<digest>`). */
  async hasBlob(digest) {
    const res = await this.request("HEAD", `/blobs/${digest}`);
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
  async pushBlob(source) {
    const digest = Buffer.isBuffer(source) ? digestOf(source) : source.digest;
    const size = Buffer.isBuffer(source) ? source.length : (await stat(source.file)).size;
    if (await this.hasBlob(digest)) return { digest, size };
    const started = await this.request("POST", "/blobs/uploads/");
    if (started.status !== 202) return this.fail(started, "Starting a blob upload");
    await started.body?.cancel();
    const location = new URL(started.headers.get("location") ?? "", `${this.base}/`);
    location.searchParams.set("digest", digest);
    const body = Buffer.isBuffer(source) ? () => source : () => Readable.toWeb(createReadStream(source.file));
    const put = await this.request("PUT", location.toString(), {
      headers: { "content-type": "application/octet-stream", "content-length": String(size) },
      body
    });
    if (put.status !== 201) return this.fail(put, `Uploading blob ${digest}`);
    await put.body?.cancel();
    return { digest, size };
  }
  /**
   * Downloads a blob to `file`, verifying its digest.
   * @throws RegistryError when the registry fails; Error when the bytes do not match the digest
   */
  async pullBlob(digest, file) {
    const res = await this.request("GET", `/blobs/${digest}`);
    if (!res.ok || !res.body) return this.fail(res, `Downloading blob ${digest}`);
    const hash = createHash("sha256");
    const source = Readable.fromWeb(res.body);
    source.on("data", (chunk) => hash.update(chunk));
    await pipeline(source, createWriteStream(file));
    const got = `sha256:${hash.digest("hex")}`;
    if (got !== digest) throw new Error(`Blob ${digest} from ${this.ref.registry} has digest ${got}: refusing it`);
  }
  /**
   * Stores a manifest under a tag (`PUT /v2/<name>/manifests/<tag>`).
   * @returns the manifest's digest
   */
  async putManifest(tag, manifest) {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const res = await this.request("PUT", `/manifests/${tag}`, { headers: { "content-type": MANIFEST_MEDIA_TYPE }, body: () => bytes });
    if (res.status !== 201) return this.fail(res, `Storing manifest ${tag}`);
    await res.body?.cancel();
    return digestOf(bytes);
  }
  /** A manifest by tag or digest, with its digest; `null` when there is none. */
  async getManifest(reference) {
    const res = await this.request("GET", `/manifests/${reference}`, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    if (res.status === 404) return null;
    if (!res.ok) return this.fail(res, `Reading manifest ${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const manifest = JSON.parse(bytes.toString("utf8"));
    return { manifest, digest: res.headers.get("docker-content-digest") ?? digestOf(bytes) };
  }
  /** The digest a tag points to (`HEAD /v2/<name>/manifests/<tag>`), `null` when there is no such tag. */
  async resolve(tag) {
    const res = await this.request("HEAD", `/manifests/${tag}`, { headers: { accept: MANIFEST_MEDIA_TYPE } });
    if (res.status === 404) return null;
    if (!res.ok) return this.fail(res, `Resolving ${tag}`);
    const digest = res.headers.get("docker-content-digest");
    if (digest) return digest;
    return (await this.getManifest(tag))?.digest ?? null;
  }
  /**
   * Deletes a manifest by digest (`DELETE /v2/<name>/manifests/<digest>`), which removes
   * its tags; its blobs go at the registry's garbage collection.
   * @returns false when it did not exist
   * @throws RegistryError when the registry refuses (405: deletion disabled)
   */
  async deleteManifest(digest) {
    const res = await this.request("DELETE", `/manifests/${digest}`);
    if (res.status === 404) return false;
    if (res.status !== 202) return this.fail(res, `Deleting manifest ${digest}`);
    await res.body?.cancel();
    return true;
  }
  /** Every tag of the repository (`GET /v2/<name>/tags/list?n=`, following `Link` pages); none when the repository does not exist. */
  async tags() {
    const out = [];
    let next = "/tags/list?n=1000";
    while (next) {
      const res = await this.request("GET", next);
      if (res.status === 404) return out;
      if (!res.ok) return this.fail(res, "Listing tags");
      const body = await res.json();
      out.push(...body.tags ?? []);
      const link = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get("link") ?? "");
      next = link ? new URL(link[1], this.base).toString() : null;
    }
    return out;
  }
};

// action/src/snapshot/store.ts
function cacheServiceAvailable(env) {
  return Boolean(env[Env.ResultsUrl] || env[Env.CacheUrl]);
}
function parseStoreSpec(input, env) {
  const value = input.trim();
  if (value.startsWith(Stores.DirPrefix)) {
    const path = value.slice(Stores.DirPrefix.length).trim();
    if (!path) throw new Error(`The "store" input "${value}" names no directory: use dir:<path>`);
    return { kind: "dir", path };
  }
  if (value.startsWith(Stores.OciPrefix)) {
    try {
      return { kind: "oci", ref: parseRepositoryRef(value.slice(Stores.OciPrefix.length).trim()) };
    } catch (err) {
      throw new Error(`Invalid "store" input "${value}": ${err.message}`);
    }
  }
  if (value === Stores.ActionsCache || value === "") {
    if (cacheServiceAvailable(env)) return { kind: "actions-cache" };
    throw new Error(
      value === "" ? `No snapshot store: the "store" input is empty and the Actions cache service is not available here (${Env.ResultsUrl} / ${Env.CacheUrl} are not set). Set store: dir:<path> on self-hosted runners and locally.` : `The "store" input is ${Stores.ActionsCache} but the Actions cache service is not available here (${Env.ResultsUrl} / ${Env.CacheUrl} are not set). Use store: dir:<path> outside GitHub Actions.`
    );
  }
  throw new Error(`Unknown "store" input "${value}": use ${Stores.ActionsCache}, ${Stores.DirPrefix}<path> or ${Stores.OciPrefix}REGISTRY/NAME`);
}

// src/lifecycle/snapshot/archive.ts
import { spawn } from "node:child_process";
import { once } from "node:events";
import { open } from "node:fs/promises";
import { pipeline as pipeline2 } from "node:stream/promises";

// src/lifecycle/snapshot/tar-guard.ts
import { Transform } from "node:stream";
var UnsafeArchiveError = class extends Error {
  /**
   * @param entry the entry's name as stored in the archive
   * @param reason why it is refused
   */
  constructor(entry, reason) {
    super(`Refusing the snapshot: entry "${entry}" ${reason}`);
    this.entry = entry;
    this.reason = reason;
    this.name = "UnsafeArchiveError";
  }
  entry;
  reason;
};
var MAX_META_BYTES = 1024 * 1024;
var FILE_TYPES = /* @__PURE__ */ new Set(["0", "\0", "7"]);
var META_TYPES = /* @__PURE__ */ new Set(["x", "g", "L", "K"]);
var TYPE_NAMES = {
  "3": "a character device",
  "4": "a block device",
  "6": "a FIFO",
  S: "a GNU sparse file",
  D: "a GNU dump directory",
  V: "a volume label",
  M: "a multi-volume continuation"
};
function numberOrThrow(buf, start, length, name, entry) {
  const n = numberField(buf, start, length);
  if (n === null) throw new UnsafeArchiveError(entry, `has an unreadable ${name} field (a corrupt or crafted archive)`);
  return n;
}
function components(name) {
  if (name.includes("\0")) return "has a NUL byte in its name";
  if (name.startsWith("/")) return "has an absolute path";
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) return 'escapes the workspace (a ".." component)';
  return parts;
}
var TarGuard = class extends Transform {
  header = Buffer.alloc(BLOCK);
  headerBytes = 0;
  /** Bytes of the current entry's data (and padding) still to pass. */
  skip = 0;
  /** Collects a pax / GNU long-name entry's data, when the current entry is one. */
  meta = null;
  /** Names and size from the `x` / `L` / `K` entries before the next entry. */
  pending = {};
  /** Normalised paths of symlinks extracted so far. */
  symlinks = /* @__PURE__ */ new Set();
  /** Normalised paths of regular files and hard links extracted so far (valid hard-link targets). */
  files = /* @__PURE__ */ new Set();
  /** Entries passed so far (for tests and logs). */
  entries = 0;
  _transform(chunk, _encoding, done) {
    let off = 0;
    let passed = 0;
    try {
      while (off < chunk.length) {
        if (this.skip > 0) {
          const n2 = Math.min(this.skip, chunk.length - off);
          if (this.meta) this.collect(chunk.subarray(off, off + n2));
          this.skip -= n2;
          off += n2;
          if (this.skip === 0 && this.meta) this.finishMeta();
          continue;
        }
        const heldBack = this.headerBytes > 0;
        const n = Math.min(BLOCK - this.headerBytes, chunk.length - off);
        chunk.copy(this.header, this.headerBytes, off, off + n);
        this.headerBytes += n;
        if (this.headerBytes < BLOCK) {
          if (off > passed) this.push(chunk.subarray(passed, off));
          passed = chunk.length;
          break;
        }
        this.headerBytes = 0;
        this.onHeader();
        if (heldBack) {
          this.push(Buffer.from(this.header));
          passed = off + n;
        }
        off += n;
        if (this.skip === 0 && this.meta) this.finishMeta();
      }
      if (passed < chunk.length) this.push(passed === 0 ? chunk : chunk.subarray(passed));
      done();
    } catch (err) {
      done(err);
    }
  }
  _flush(done) {
    if (this.headerBytes !== 0 || this.skip !== 0) done(new UnsafeArchiveError("(end of archive)", "is truncated: the archive ends inside an entry"));
    else done();
  }
  collect(slice) {
    const meta = this.meta;
    const want = meta.size - meta.length;
    if (want > 0) {
      const part = slice.subarray(0, want);
      meta.chunks.push(Buffer.from(part));
      meta.length += part.length;
    }
  }
  finishMeta() {
    const meta = this.meta;
    this.meta = null;
    const data = Buffer.concat(meta.chunks);
    if (meta.type === "L") this.pending.longName = cString(data, 0, data.length);
    else if (meta.type === "K") this.pending.longLink = cString(data, 0, data.length);
    else {
      const records = paxRecords(data);
      if (!records) throw new UnsafeArchiveError(meta.name, "has a malformed pax extended header");
      for (const key of records.keys()) {
        if (key.startsWith("GNU.sparse")) throw new UnsafeArchiveError(meta.name, "is a GNU sparse entry (not supported in snapshots)");
      }
      if (meta.type === "g") {
        if (["path", "linkpath", "size"].some((k) => records.has(k)))
          throw new UnsafeArchiveError(meta.name, "is a pax global header that sets names or sizes");
        return;
      }
      if (records.has("path")) this.pending.paxPath = records.get("path");
      if (records.has("linkpath")) this.pending.paxLinkpath = records.get("linkpath");
      if (records.has("size")) {
        const size = records.get("size");
        if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) throw new UnsafeArchiveError(meta.name, `has an unreadable pax size "${size}"`);
        this.pending.size = Number(size);
      }
    }
  }
  /** Validates the header in `this.header`; sets `skip` (and `meta`). @throws UnsafeArchiveError */
  onHeader() {
    const h = this.header;
    if (h.every((b) => b === 0)) return;
    const rawName = cString(h, 0, 100);
    if (!checksumOk(h)) throw new UnsafeArchiveError(rawName, "has a bad header checksum (a corrupt or crafted archive)");
    const type = String.fromCharCode(h[156]);
    const magic = h.toString("latin1", 257, 263);
    const prefix = magic.startsWith("ustar") ? cString(h, 345, 500) : "";
    const pending = this.pending;
    const size = pending.size ?? numberOrThrow(h, 124, 12, "size", rawName);
    const names = [rawName, prefix ? `${prefix}/${rawName}` : null, pending.longName, pending.paxPath].filter((n) => typeof n === "string");
    const shown = pending.paxPath ?? pending.longName ?? (prefix ? `${prefix}/${rawName}` : rawName);
    if (META_TYPES.has(type)) {
      if (size > MAX_META_BYTES) throw new UnsafeArchiveError(shown, `has a ${size}-byte extended header (more than ${MAX_META_BYTES})`);
      if (type !== "g" && pending.size !== void 0)
        throw new UnsafeArchiveError(shown, "has an extended header that sets a size for another extended header");
      this.meta = { type, size, chunks: [], length: 0, name: shown };
      this.skip = Math.ceil(size / BLOCK) * BLOCK;
      return;
    }
    this.pending = {};
    if (!FILE_TYPES.has(type) && type !== "1" && type !== "2" && type !== "5") {
      throw new UnsafeArchiveError(shown, `is ${TYPE_NAMES[type] ?? `of type "${type}"`}: only files, directories, symlinks and hard links are allowed`);
    }
    if (!FILE_TYPES.has(type) && size !== 0)
      throw new UnsafeArchiveError(shown, `is a ${type === "5" ? "directory" : "link"} with ${size} bytes of data (a crafted archive)`);
    const paths = [];
    for (const name of names) {
      const parts = components(name);
      if (typeof parts === "string") throw new UnsafeArchiveError(name, parts);
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join("/");
        if (this.symlinks.has(parent)) throw new UnsafeArchiveError(name, `would be written through the symlink "${parent}"`);
      }
      const full = parts.join("/");
      if (full === "" && type !== "5") throw new UnsafeArchiveError(name, "has an empty name");
      if (this.symlinks.has(full) && type !== "2") throw new UnsafeArchiveError(name, "replaces a symlink extracted before it");
      paths.push(full);
    }
    if (type === "1") {
      const targets = [cString(h, 157, 257), pending.longLink, pending.paxLinkpath].filter((n) => typeof n === "string");
      let linksToSymlink = false;
      for (const target of targets) {
        const parts = components(target);
        if (typeof parts === "string") throw new UnsafeArchiveError(shown, `is a hard link whose target "${target}" ${parts}`);
        const t = parts.join("/");
        if (this.symlinks.has(t)) linksToSymlink = true;
        else if (!this.files.has(t)) throw new UnsafeArchiveError(shown, `is a hard link to "${target}", which is not a file earlier in the archive`);
      }
      for (const p of paths) (linksToSymlink ? this.symlinks : this.files).add(p);
    } else if (type === "2") {
      for (const p of paths) this.symlinks.add(p);
    } else if (FILE_TYPES.has(type)) {
      for (const p of paths) this.files.add(p);
    }
    this.entries++;
    this.skip = FILE_TYPES.has(type) ? Math.ceil(size / BLOCK) * BLOCK : 0;
  }
};

// src/lifecycle/snapshot/archive.ts
function excludePatterns(paths) {
  return paths.flatMap((p) => [p, `./${p}`]);
}
var ALWAYS_EXCLUDED = [".git", "./.git"];
function tarCreateArgs(opts) {
  const exclude = [...ALWAYS_EXCLUDED, ...opts.exclude ?? []];
  return ["--posix", "-c", "-f", "-", "-C", opts.cwd, "--anchored", ...exclude.map((e) => `--exclude=${e}`), "--", ...opts.paths];
}
function stderrTail(child) {
  let text = "";
  child.stderr?.on("data", (d) => {
    text = (text + d.toString("utf8")).slice(-2e3);
  });
  return () => text.trim();
}
async function exitOf(child, name, stderr) {
  const [code, signal] = await Promise.race([
    once(child, "close"),
    once(child, "error").then(([err]) => {
      throw new Error(`${name} could not be started: ${err.message}`);
    })
  ]);
  if (code !== 0) throw new Error(`${name} failed (${signal ? `signal ${signal}` : `exit code ${code}`})${stderr() ? `: ${stderr()}` : ""}`);
}
async function streamArchive(opts, sink) {
  const tar = spawn("tar", tarCreateArgs(opts), { stdio: ["ignore", "pipe", "pipe"] });
  const tarErr = stderrTail(tar);
  const zstdArgs = ["-T0", `-${opts.level ?? 3}`, "-q", "-c"];
  const scan = opts.secrets && scannable(opts.secrets).length > 0 ? new SecretScan(opts.secrets) : null;
  const zstd = spawn("zstd", zstdArgs, { stdio: [scan ? "pipe" : tar.stdout, typeof sink === "number" ? sink : "pipe", "pipe"] });
  const zstdErr = stderrTail(zstd);
  const scanned = scan ? pipeline2(tar.stdout, scan, zstd.stdin).catch((err) => {
    tar.kill("SIGKILL");
    zstd.kill("SIGKILL");
    throw err;
  }) : (tar.stdout.destroy(), Promise.resolve());
  const piped = typeof sink === "number" ? Promise.resolve() : new Promise((resolve, reject) => {
    zstd.stdout.on("error", reject).pipe(sink, { end: false }).on("error", reject);
    zstd.stdout.on("end", resolve);
  });
  const results = await Promise.allSettled([scanned, exitOf(tar, "tar", tarErr), exitOf(zstd, "zstd", zstdErr), piped]);
  const found = results.find((r) => r.status === "rejected" && r.reason instanceof SecretInSnapshotError);
  if (found) throw found.reason;
  const failures = results.filter((r) => r.status === "rejected");
  if (failures.length > 0) throw new Error(failures.map((f) => f.reason.message).join("; "));
}
async function createArchive(opts, file) {
  const handle = await open(file, "w", 420);
  try {
    await streamArchive(opts, handle.fd);
    return { bytes: (await handle.stat()).size };
  } finally {
    await handle.close();
  }
}
function decompressor(magic, file) {
  if (magic.readUInt32LE(0) === 4247762216) return ["zstd", ["-d", "-q", "-c", "--long=31"]];
  if (magic[0] === 31 && magic[1] === 139) return ["gzip", ["-d", "-c"]];
  throw new Error(`${file} is neither a zstd nor a gzip archive`);
}
async function extractArchive(file, cwd, options = {}) {
  const handle = await open(file, "r");
  try {
    const magic = Buffer.alloc(4);
    await handle.read(magic, 0, 4, 0);
    const [program, args] = decompressor(magic, file);
    const dec = spawn(program, args, { stdio: [handle.fd, "pipe", "pipe"] });
    const decErr = stderrTail(dec);
    const exclude = excludePatterns(options.exclude ?? []).map((p) => `--exclude=${p}`);
    const tar = spawn("tar", ["-x", "-f", "-", "-C", cwd, ...exclude.length > 0 ? ["--anchored", ...exclude] : []], { stdio: ["pipe", "ignore", "pipe"] });
    const tarErr = stderrTail(tar);
    const guard = new TarGuard();
    const guarded = pipeline2(dec.stdout, guard, tar.stdin).catch((err) => {
      tar.kill("SIGKILL");
      dec.kill("SIGKILL");
      throw err;
    });
    const results = await Promise.allSettled([guarded, exitOf(dec, program, decErr), exitOf(tar, "tar", tarErr)]);
    const unsafe = results.find((r) => r.status === "rejected" && r.reason instanceof UnsafeArchiveError);
    if (unsafe) throw unsafe.reason;
    const failures = results.filter((r) => r.status === "rejected");
    failures.sort((a, b) => Number(a.reason.code === "EPIPE") - Number(b.reason.code === "EPIPE"));
    if (failures.length > 0) throw new Error(failures.map((f) => f.reason.message).join("; "));
    return { entries: guard.entries };
  } finally {
    await handle.close();
  }
}

export {
  TAG_RE,
  RegistryClient,
  parseStoreSpec,
  excludePatterns,
  createArchive,
  extractArchive
};
//# sourceMappingURL=chunk-D4CPKEJV.js.map
