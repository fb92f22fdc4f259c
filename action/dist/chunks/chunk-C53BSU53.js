import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  LeftoverTracker,
  changedDependencyFiles,
  hashDependencyFiles,
  hookEnvironment,
  pinned,
  planPrebuild,
  restoreBase,
  runHook,
  snapshotPaths,
  substituteCommand,
  writeSourceTimes,
  writeTrackedFiles
} from "./chunk-S7TV35CP.js";
import {
  RegistryClient,
  TAG_RE,
  createArchive,
  excludePatterns,
  extractArchive
} from "./chunk-D4CPKEJV.js";
import {
  PhaseTimer
} from "./chunk-GPWEZFP6.js";
import {
  CACHES_DIR,
  MARKER_DIR,
  MARKER_PATH,
  SNAPSHOT_KEY_PREFIX,
  SnapshotExistsError,
  UNREFERENCED_PART_GRACE_MS,
  cachesPartKey,
  cachesPartPrefix,
  formatMarker,
  isCachesPartKey,
  listedParts,
  logCaches,
  nextMarker,
  orphanedParts,
  restoreCachesPart,
  saveCachesPart,
  snapshotKey,
  snapshotKeyPrefix,
  unsuccessfulMarker
} from "./chunk-AETBLR7H.js";

// action/src/prebuild.ts
import { mkdir as mkdir2, writeFile as writeFile2 } from "node:fs/promises";
import path3 from "node:path";

// src/lifecycle/snapshot/dir-store.ts
import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
var MAX_NAME = 180;
function safeKeyName(key) {
  let name = "";
  for (const ch of key) {
    if (/[A-Za-z0-9_-]/.test(ch) || ch === "." && name !== "") name += ch;
    else if (ch === "/") name += "+";
    else name += [...Buffer.from(ch, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  }
  if (name.length > MAX_NAME) name = `${name.slice(0, MAX_NAME - 65)}~${createHash("sha256").update(key).digest("hex")}`;
  return name;
}
function sameList(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
var DirStore = class {
  /** @param root absolute directory path of the store */
  constructor(root) {
    this.root = root;
    this.description = `directory ${root}`;
  }
  root;
  description;
  /** Absolute paths of an entry's archive and manifest. */
  files(key) {
    const base = path.join(this.root, safeKeyName(key));
    return { archive: `${base}.tar.zst`, manifest: `${base}.json` };
  }
  /** The manifest of `key`, or `null` when there is no complete entry. */
  async manifest(key) {
    try {
      const m = JSON.parse(await readFile(this.files(key).manifest, "utf8"));
      return m.key === key ? m : null;
    } catch (err) {
      if (err.code === "ENOENT") return null;
      throw err;
    }
  }
  async save(key, paths, cwd, metadata, options) {
    const { archive, manifest } = this.files(key);
    if (await this.manifest(key)) throw new SnapshotExistsError(key);
    await mkdir(this.root, { recursive: true });
    const tmp = path.join(this.root, `.tmp-${randomBytes(6).toString("hex")}`);
    const rel = path.relative(cwd, this.root);
    const inside = rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
    const exclude = [...inside ? [rel, `./${rel}`] : [], ...excludePatterns(options?.exclude ?? [])];
    try {
      const { bytes } = await createArchive({ cwd, paths, exclude, secrets: options?.secrets }, `${tmp}.tar.zst`);
      const body = {
        version: 1,
        key,
        archive: path.basename(archive),
        bytes,
        createdAt: (/* @__PURE__ */ new Date()).toISOString(),
        paths: [...paths],
        ...metadata
      };
      await writeFile(`${tmp}.json`, `${JSON.stringify(body, null, 2)}
`);
      try {
        await link(`${tmp}.tar.zst`, archive);
      } catch (err) {
        if (err.code === "EEXIST") throw new SnapshotExistsError(key);
        throw err;
      }
      await rename(`${tmp}.json`, manifest);
      return { bytes };
    } finally {
      await unlink(`${tmp}.tar.zst`).catch(() => void 0);
      await unlink(`${tmp}.json`).catch(() => void 0);
    }
  }
  async restore(key, paths, cwd, options) {
    const m = await this.manifest(key);
    if (!m || !sameList(m.paths, paths)) return false;
    await extractArchive(this.files(key).archive, cwd, { exclude: options?.exclude });
    return true;
  }
  async exists(key, paths) {
    const m = await this.manifest(key);
    if (!m || !sameList(m.paths, paths)) return false;
    return stat(this.files(key).archive).then(
      () => true,
      () => false
    );
  }
  /**
   * Every complete entry whose key starts with `prefix`, from the manifests (a
   * manifest is written last, so a half-saved entry is never listed). Unreadable
   * or foreign JSON files are skipped; a missing store directory lists nothing.
   */
  async list(prefix) {
    let names;
    try {
      names = await readdir(this.root);
    } catch (err) {
      if (err.code === "ENOENT") return [];
      throw err;
    }
    const out = [];
    for (const name of names) {
      if (!name.endsWith(".json") || name.startsWith(".tmp-")) continue;
      let m;
      try {
        m = JSON.parse(await readFile(path.join(this.root, name), "utf8"));
      } catch {
        continue;
      }
      if (m?.version !== 1 || typeof m.key !== "string" || !m.key.startsWith(prefix) || safeKeyName(m.key) !== name.slice(0, -".json".length)) continue;
      out.push({
        key: m.key,
        sha: m.sha ?? "",
        configuration: m.configuration ?? "",
        identity: m.identity ?? null,
        createdAt: m.createdAt,
        bytes: m.bytes,
        hooks: m.hooks ?? {},
        caches: typeof m.caches === "string" ? m.caches : null
      });
    }
    return out;
  }
  /** Deletes the entry's files, manifest first (a listing never sees a half-deleted entry). */
  async delete(key) {
    const { archive, manifest } = this.files(key);
    let existed = false;
    for (const file of [manifest, archive]) {
      try {
        await unlink(file);
        existed = true;
      } catch (err) {
        if (err.code !== "ENOENT") throw err;
      }
    }
    return existed;
  }
};

// src/lifecycle/snapshot/oci-store.ts
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path2 from "node:path";
import { createHash as createHash2 } from "node:crypto";
import { createReadStream } from "node:fs";
var ARTIFACT_TYPE = "application/vnd.prebuilds.snapshot.v1";
var LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+zstd";
var EMPTY_CONFIG = {
  mediaType: "application/vnd.oci.empty.v1+json",
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2
};
var ANNOTATIONS = {
  Created: "org.opencontainers.image.created",
  Key: "dev.prebuilds.snapshot.key",
  Sha: "dev.prebuilds.snapshot.sha",
  Configuration: "dev.prebuilds.snapshot.configuration",
  Identity: "dev.prebuilds.snapshot.identity",
  PrebuildId: "dev.prebuilds.snapshot.prebuild-id",
  Base: "dev.prebuilds.snapshot.base",
  /** JSON array of the archived paths. */
  Paths: "dev.prebuilds.snapshot.paths",
  /** JSON object of hook durations, ms. */
  Hooks: "dev.prebuilds.snapshot.hooks",
  /** Key of the package caches part the snapshot goes with (src/lifecycle/caches-part.ts); absent for none. */
  Caches: "dev.prebuilds.snapshot.caches"
};
function tagOf(key) {
  const tag = key.replace(/^prebuilds-v1\//, "").replace(/\//g, ".");
  return TAG_RE.test(tag) && !tag.startsWith("h.") ? tag : `h.${createHash2("sha256").update(key).digest("hex")}`;
}
async function fileDigest(file) {
  const hash = createHash2("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}
function sameList2(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
var OciStore = class {
  /**
   * @param ref the repository snapshots go to
   * @param credentials for the registry (GHCR: `GITHUB_TOKEN`), or none
   * @param tempRoot where archives are staged (default: the OS temp directory)
   */
  constructor(ref, credentials = null, tempRoot = os.tmpdir()) {
    this.ref = ref;
    this.tempRoot = tempRoot;
    this.client = new RegistryClient(ref, credentials);
    this.description = `registry ${ref.registry}/${ref.name}`;
  }
  ref;
  tempRoot;
  description;
  client;
  async withTemp(fn) {
    const dir = await mkdtemp(path2.join(this.tempRoot, "prebuild-oci-"));
    try {
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  /** The manifest saved under exactly `key`, or `null`. */
  async manifestOf(key) {
    const found = await this.client.getManifest(tagOf(key));
    return found && found.manifest.annotations?.[ANNOTATIONS.Key] === key ? found : null;
  }
  async save(key, paths, cwd, metadata, options) {
    const tag = tagOf(key);
    if (await this.client.resolve(tag)) throw new SnapshotExistsError(key);
    return this.withTemp(async (dir) => {
      const file = path2.join(dir, "snapshot.tar.zst");
      const { bytes } = await createArchive({ cwd, paths, secrets: options?.secrets, exclude: excludePatterns(options?.exclude ?? []) }, file);
      const push = async () => {
        const pushed = await this.client.pushBlob({ file, digest: await fileDigest(file) });
        await this.client.pushBlob(Buffer.from("{}"));
        return pushed;
      };
      const layer = options?.timer ? await options.timer.time("upload", push) : await push();
      const annotations = {
        [ANNOTATIONS.Created]: (/* @__PURE__ */ new Date()).toISOString(),
        [ANNOTATIONS.Key]: key,
        [ANNOTATIONS.Paths]: JSON.stringify(paths)
      };
      if (metadata) {
        annotations[ANNOTATIONS.Sha] = metadata.sha;
        annotations[ANNOTATIONS.Configuration] = metadata.configuration;
        annotations[ANNOTATIONS.Identity] = metadata.identity;
        annotations[ANNOTATIONS.PrebuildId] = metadata.prebuildId;
        annotations[ANNOTATIONS.Base] = metadata.base ?? "";
        annotations[ANNOTATIONS.Hooks] = JSON.stringify(metadata.hooks);
        if (metadata.caches) annotations[ANNOTATIONS.Caches] = metadata.caches;
      }
      const manifest = {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: ARTIFACT_TYPE,
        config: EMPTY_CONFIG,
        layers: [{ mediaType: LAYER_MEDIA_TYPE, digest: layer.digest, size: layer.size }],
        annotations
      };
      await this.client.putManifest(tag, manifest);
      return { bytes };
    });
  }
  async restore(key, paths, cwd, options) {
    const found = await this.manifestOf(key);
    if (!found || !sameList2(JSON.parse(found.manifest.annotations?.[ANNOTATIONS.Paths] ?? "[]"), paths)) return false;
    const layer = found.manifest.layers.find((l) => l.mediaType === LAYER_MEDIA_TYPE);
    if (!layer) throw new Error(`The artifact of "${key}" in the ${this.description} has no ${LAYER_MEDIA_TYPE} layer`);
    await this.withTemp(async (dir) => {
      const file = path2.join(dir, "snapshot.tar.zst");
      const pull = () => this.client.pullBlob(layer.digest, file);
      await (options?.timer ? options.timer.time("download", pull) : pull());
      await extractArchive(file, cwd, { exclude: options?.exclude });
    });
    return true;
  }
  async exists(key, paths) {
    const found = await this.manifestOf(key);
    return found !== null && sameList2(JSON.parse(found.manifest.annotations?.[ANNOTATIONS.Paths] ?? "[]"), paths);
  }
  /** Deletes the snapshot's manifest by digest (its tag goes with it). */
  async delete(key) {
    const found = await this.manifestOf(key);
    return found ? this.client.deleteManifest(found.digest) : false;
  }
  /**
   * Snapshots whose key starts with `prefix`, from the tags and their manifests' annotations
   * (tags of other configurations are skipped without reading their manifests).
   */
  async list(prefix) {
    const tagPrefix = tagOf(`${prefix}x`).slice(0, -1);
    const tags = (await this.client.tags()).filter((t) => t.startsWith(tagPrefix) || t.startsWith("h."));
    const out = [];
    for (const tag of tags) {
      const found = await this.client.getManifest(tag);
      const a = found?.manifest.annotations ?? {};
      const key = a[ANNOTATIONS.Key];
      if (!found || found.manifest.artifactType !== ARTIFACT_TYPE || !key?.startsWith(prefix)) continue;
      let hooks = {};
      try {
        hooks = JSON.parse(a[ANNOTATIONS.Hooks] ?? "{}");
      } catch {
      }
      out.push({
        key,
        sha: a[ANNOTATIONS.Sha] ?? "",
        configuration: a[ANNOTATIONS.Configuration] ?? "",
        identity: a[ANNOTATIONS.Identity] || null,
        createdAt: a[ANNOTATIONS.Created] ?? "",
        bytes: found.manifest.layers.find((l) => l.mediaType === LAYER_MEDIA_TYPE)?.size ?? null,
        hooks,
        caches: a[ANNOTATIONS.Caches] || null
      });
    }
    return out;
  }
};

// src/lifecycle/snapshot/prune.ts
async function pruneSnapshots(store, prefix, keep, protect = [], now = Date.now()) {
  const listed = (await store.list(prefix)).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.key.localeCompare(a.key));
  const expired = listed.slice(Math.max(1, keep)).filter((l) => !protect.includes(l.key));
  for (const l of expired) await store.delete(l.key);
  const gone = new Set(expired.map((l) => l.key));
  const parts = await sweepCachesParts(
    store,
    prefix,
    listed.filter((l) => !gone.has(l.key)),
    now
  );
  return [...expired.map((l) => l.key), ...parts];
}
async function sweepCachesParts(store, prefix, kept, now = Date.now()) {
  if (!prefix.startsWith(`${SNAPSHOT_KEY_PREFIX}/`)) return [];
  const configurationSegment = prefix.slice(SNAPSHOT_KEY_PREFIX.length + 1).replace(/\/$/, "");
  const parts = await store.list(cachesPartPrefix(configurationSegment));
  const doomed = orphanedParts(listedParts(parts), {
    referenced: kept.map((k) => k.caches),
    inFlightSince: [],
    graceMs: UNREFERENCED_PART_GRACE_MS,
    now
  });
  for (const key of doomed) await store.delete(key);
  return doomed;
}

// action/src/snapshot/retention.ts
async function applyRetention(store, configuration, protect, log) {
  if (!(store instanceof DirStore || store instanceof OciStore)) return [];
  const { name, retention } = configuration.settings;
  try {
    const deleted = await pruneSnapshots(store, snapshotKeyPrefix(name), retention, protect);
    const parts = deleted.filter(isCachesPartKey);
    const snapshots = deleted.filter((k) => !isCachesPartKey(k));
    if (snapshots.length > 0)
      log.info(`Retention (${retention} kept): deleted ${snapshots.length} older snapshot${snapshots.length === 1 ? "" : "s"}: ${snapshots.join(", ")}`);
    if (parts.length > 0)
      log.info(`Retention: deleted ${parts.length} package caches part${parts.length === 1 ? "" : "s"} no snapshot kept names: ${parts.join(", ")}`);
    return deleted;
  } catch (err) {
    log.warning(`Retention could not prune the ${store.description}: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
}

// action/src/prebuild.ts
async function startFromBase(req, key, paths, accept = () => null) {
  const { workspace, configuration, log } = req;
  let base = req.base || null;
  if (base === key) throw new Error(`The base snapshot "${base}" is the snapshot this run saves: use a new prebuild id`);
  if (await req.store.exists(key, paths)) throw new SnapshotExistsError(key);
  if (!base) return { base: null, baseMarker: null, baseMissing: false };
  log.info(`Restoring base snapshot ${base} from the ${req.store.description}`);
  const check = (m) => unsuccessfulMarker(m) ?? (m && m.identity !== configuration.identity ? `it was built for another configuration identity (${m.identity.slice(0, 12)})` : null) ?? accept(m);
  const restored = await restoreBase(req.store, base, paths, workspace, check, { timer: req.timer });
  if (!restored.restored) {
    const why = restored.rejected ?? `it was not found in the ${req.store.description} (evicted or never saved)`;
    log.warning(`Base snapshot "${base}" not used: ${why}; building from scratch`);
    return { base: null, baseMarker: null, baseMissing: true };
  }
  log.info(
    `Base restored: ${restored.moved} entries moved in, ${restored.kept} kept from the checkout, ${restored.deleted.length} files deleted since the base, ${restored.timesRestored ?? 0} unchanged files given the base's modification times`
  );
  if (!restored.marker) log.warning(`The base snapshot has no ${MARKER_PATH}: every hook runs`);
  base = req.base;
  return { base, baseMarker: restored.marker, baseMissing: false };
}
async function deleteSnapshot(req, key) {
  try {
    await req.store.delete(key);
    req.log.info(`Deleted snapshot ${key}: its package caches part was not saved`);
  } catch (err) {
    req.log.warning(`Could not delete snapshot ${key} (its package caches part was not saved): ${err instanceof Error ? err.message : String(err)}`);
  }
}
async function finishPrebuild(req, key, paths, started, done) {
  const { workspace, configuration } = req;
  const name = configuration.settings.name;
  const marker = nextMarker(started.baseMarker, {
    configuration: name,
    identity: configuration.identity,
    sha: req.sha,
    prebuildId: req.prebuildId,
    base: started.base,
    ran: done.ran,
    now: (/* @__PURE__ */ new Date()).toISOString(),
    dependencyFiles: done.dependencyFiles,
    ...done.image ? { image: done.image } : {}
  });
  const cachesKey = cachesPartKey(name, configuration.identity, done.caches ?? [], marker.dependencyFiles ?? {});
  if (cachesKey) marker.caches = cachesKey;
  await mkdir2(path3.join(workspace, MARKER_DIR), { recursive: true });
  await writeFile2(path3.join(workspace, MARKER_PATH), formatMarker(marker));
  await Promise.all([writeTrackedFiles(workspace), writeSourceTimes(workspace)]);
  const timer = req.timer ?? new PhaseTimer();
  const hooks = {};
  for (const [hook, run] of Object.entries(done.ran)) {
    hooks[hook] = run.durationMs;
    timer.add(hook, run.durationMs);
  }
  req.log.info(`Saving snapshot ${key} (${paths.join(", ")}${cachesKey ? `, without ${CACHES_DIR}` : ""}) to the ${req.store.description}`);
  const metadata = {
    sha: req.sha,
    configuration: name,
    prebuildId: req.prebuildId,
    identity: configuration.identity,
    hooks,
    base: started.base,
    caches: cachesKey
  };
  const exclude = cachesKey ? [CACHES_DIR] : [];
  const savesStarted = performance.now();
  let snapshotEnded = savesStarted;
  let partEnded = savesStarted;
  const [part, saved] = await Promise.allSettled([
    cachesKey ? saveCachesPart(req.store, cachesKey, workspace, { secrets: req.secrets, timer: new PhaseTimer() }).finally(() => partEnded = performance.now()) : Promise.resolve(null),
    timer.timeOuter("save", ["upload"], () => req.store.save(key, paths, workspace, metadata, { secrets: req.secrets, timer, exclude })).finally(() => snapshotEnded = performance.now())
  ]);
  if (cachesKey) timer.add("saveCaches", partEnded - snapshotEnded);
  if (part.status === "rejected") {
    if (saved.status === "fulfilled") await deleteSnapshot(req, key);
    throw part.reason;
  }
  if (saved.status === "rejected") throw saved.reason;
  if (cachesKey && part.value) {
    const took = `${Math.round(partEnded - savesStarted)} ms, alongside the snapshot`;
    req.log.info(
      part.value.state === "saved" ? `Package caches saved as ${cachesKey} (${part.value.bytes} bytes, ${took})` : part.value.state === "reused" ? `Package caches: ${cachesKey} is already in the ${req.store.description} (same dependency files), not saved again` : `Package caches: none in the workspace; the snapshot names ${cachesKey}`
    );
  }
  const { bytes } = saved.value;
  await timer.time("retention", () => applyRetention(req.store, configuration, started.base ? [started.base] : [], req.log));
  return {
    prebuildId: req.prebuildId,
    configuration: name,
    sha: req.sha,
    snapshotKey: key,
    snapshotBytes: bytes,
    ...cachesKey ? { cachesKey } : {},
    durationMs: Math.round(performance.now() - done.startedAt),
    hooks,
    base: started.base,
    identity: configuration.identity,
    ...done.image ? { mode: "container", image: pinned(done.image.reference, done.image.digest) } : {},
    timings: timer.toJSON()
  };
}
async function prebuild(request) {
  const started = request.startedAt ?? performance.now();
  const req = { ...request, timer: request.timer ?? new PhaseTimer() };
  const { workspace, configuration, log } = req;
  const key = snapshotKey(configuration.settings.name, req.sha, req.prebuildId);
  const paths = snapshotPaths(configuration.settings.paths);
  const base = await startFromBase(req, key, paths);
  const dependencyFiles = await hashDependencyFiles(workspace);
  const plan = planPrebuild(configuration.environment.lifecycle, { identity: configuration.identity, baseMarker: base.baseMarker, dependencyFiles });
  const { env, vars, caches } = hookEnvironment(configuration, workspace, req.env);
  logCaches(caches, log);
  if (base.baseMarker?.caches && changedDependencyFiles(base.baseMarker.dependencyFiles ?? {}, dependencyFiles).length > 0) {
    const restored = await restoreCachesPart(req.store, base.baseMarker, workspace, req.timer);
    if (restored === true) log.info(`Package caches restored from ${base.baseMarker.caches}`);
    else log.warning(`Package caches not restored (${restored}): the install downloads what it needs`);
  }
  const runs = [];
  const ran = {};
  const leftovers = new LeftoverTracker();
  try {
    for (const step of plan) {
      if (step.action === "skip") {
        log.info(`${step.hook}: skipped (${step.reason})`);
        continue;
      }
      if (step.note) log.info(`${step.hook}: ${step.note}`);
      const run = await runHook(step.hook, substituteCommand(step.command, vars), { cwd: workspace, env, log, leftovers });
      runs.push(run);
      ran[step.hook] = { startedAt: run.startedAt, durationMs: run.durationMs };
    }
  } finally {
    for (const g of await leftovers.killAll()) log.info(`Stopped process group ${g.pgid} left by ${g.origin}`);
  }
  const result = await finishPrebuild(req, key, paths, base, { ran, dependencyFiles, startedAt: started, caches: caches.kept });
  return { result, plan, runs, baseMissing: base.baseMissing };
}

export {
  DirStore,
  OciStore,
  startFromBase,
  finishPrebuild,
  prebuild
};
//# sourceMappingURL=chunk-C53BSU53.js.map
