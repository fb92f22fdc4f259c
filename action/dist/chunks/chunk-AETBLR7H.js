import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);

// src/lifecycle/marker.ts
var MARKER_DIR = ".prebuilds";
var MARKER_PATH = `${MARKER_DIR}/marker.json`;
var TRACKED_FILES_PATH = `${MARKER_DIR}/tracked-files`;
var MARKER_HISTORY_LIMIT = 20;
function parseImage(v) {
  if (typeof v !== "object" || v === null) return void 0;
  const i = v;
  if (typeof i.reference !== "string" || typeof i.digest !== "string") return void 0;
  return {
    reference: i.reference,
    digest: i.digest,
    bytes: Number(i.bytes) || 0,
    coldMs: Number(i.coldMs) || 0,
    ...i.markersSealed === true ? { markersSealed: true } : {}
  };
}
function parseMarker(text) {
  if (!text) return null;
  try {
    const v = JSON.parse(text);
    if (typeof v !== "object" || v === null || v.version !== 1) return null;
    if (typeof v.identity !== "string" || typeof v.sha !== "string") return null;
    return {
      version: 1,
      configuration: String(v.configuration ?? ""),
      identity: v.identity,
      sha: v.sha,
      prebuildId: String(v.prebuildId ?? ""),
      createdAt: String(v.createdAt ?? ""),
      updatedAt: String(v.updatedAt ?? ""),
      hooks: typeof v.hooks === "object" && v.hooks !== null ? v.hooks : {},
      history: Array.isArray(v.history) ? v.history : [],
      ...typeof v.dependencyFiles === "object" && v.dependencyFiles !== null ? { dependencyFiles: v.dependencyFiles } : {},
      ...typeof v.caches === "string" ? { caches: v.caches } : {},
      ...v.outcome === "success" ? { outcome: "success" } : {},
      ...parseImage(v.image) ? { image: parseImage(v.image) } : {}
    };
  } catch {
    return null;
  }
}
function unsuccessfulMarker(marker) {
  if (!marker) return `it has no ${MARKER_PATH} (not a prebuild snapshot)`;
  if (marker.outcome !== "success") return "its marker does not record a successful prebuild (a failed run, or an action too old to record it)";
  return null;
}
function nextMarker(previous, update) {
  const prev = previous && previous.identity === update.identity ? previous : null;
  const hooks = { ...prev?.hooks ?? {} };
  const ranHooks = [];
  for (const [hook, run] of Object.entries(update.ran)) {
    hooks[hook] = { sha: update.sha, prebuildId: update.prebuildId, startedAt: run.startedAt, durationMs: run.durationMs };
    ranHooks.push(hook);
  }
  const entry = {
    sha: update.sha,
    prebuildId: update.prebuildId,
    base: update.base,
    hooks: ranHooks,
    finishedAt: update.now
  };
  return {
    version: 1,
    configuration: update.configuration,
    identity: update.identity,
    sha: update.sha,
    prebuildId: update.prebuildId,
    createdAt: prev?.createdAt || update.now,
    updatedAt: update.now,
    hooks,
    history: [...prev?.history ?? [], entry].slice(-MARKER_HISTORY_LIMIT),
    ...dependencyFilesOf(update, prev),
    outcome: "success",
    ...update.image ? { image: update.image } : {}
  };
}
function dependencyFilesOf(update, prev) {
  const files = update.ran.onCreateCommand ? update.dependencyFiles : prev?.dependencyFiles;
  return files ? { dependencyFiles: files } : {};
}
function formatMarker(marker) {
  return `${JSON.stringify(marker, null, 2)}
`;
}

// src/lifecycle/snapshot-key.ts
var SNAPSHOT_KEY_PREFIX = "prebuilds-v1";
function keySegment(name) {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 100) || "default";
}
function snapshotKey(configuration, sha, prebuildId) {
  return `${SNAPSHOT_KEY_PREFIX}/${keySegment(configuration)}/${sha}/${prebuildId}`;
}
function snapshotKeyPrefix(configuration) {
  return `${SNAPSHOT_KEY_PREFIX}/${keySegment(configuration)}/`;
}
function parseSnapshotKey(key) {
  const m = /^prebuilds-v1\/([A-Za-z0-9._-]+)\/([0-9a-f]{7,64})\/([A-Za-z0-9_-]+)$/.exec(key);
  return m ? { configuration: m[1], sha: m[2], prebuildId: m[3] } : null;
}

// src/lifecycle/snapshot/store.ts
var SnapshotExistsError = class extends Error {
  constructor(key) {
    super(`Unable to save snapshot "${key}": an entry with this key already exists (snapshots are immutable; use a new prebuild id)`);
    this.key = key;
    this.name = "SnapshotExistsError";
  }
  key;
};

// src/lifecycle/caches-part.ts
import { createHash, randomBytes } from "node:crypto";
import { lstat as lstat2, mkdir, rm as rm2 } from "node:fs/promises";
import path3 from "node:path";

// src/lifecycle/caches.ts
import { existsSync } from "node:fs";
import path from "node:path";

// src/config/caches.ts
var PACKAGE_MANAGERS = ["npm", "yarn", "pnpm", "pip", "uv", "cargo", "go", "gradle", "maven"];
function parseCachesSetting(value) {
  if (typeof value === "boolean") return { setting: value };
  const names = typeof value === "string" ? [value] : Array.isArray(value) ? value : null;
  if (names === null) return { problem: "`caches` must be `true`, `false` or a list of package managers" };
  const unknown = names.find((n) => typeof n !== "string" || !PACKAGE_MANAGERS.includes(n));
  if (unknown !== void 0) return { problem: `\`caches\`: unknown package manager \`${String(unknown)}\` (known: ${PACKAGE_MANAGERS.join(", ")})` };
  return { setting: PACKAGE_MANAGERS.filter((m) => names.includes(m)) };
}

// src/lifecycle/caches.ts
var CACHES_DIR = `${MARKER_DIR}/caches`;
var CACHE_DETECTION = {
  npm: ["package-lock.json", "npm-shrinkwrap.json"],
  yarn: ["yarn.lock"],
  pnpm: ["pnpm-lock.yaml"],
  pip: ["requirements.txt", "Pipfile.lock", "poetry.lock"],
  uv: ["uv.lock"],
  cargo: ["Cargo.lock"],
  go: ["go.sum"],
  gradle: ["gradle.lockfile", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"],
  maven: ["pom.xml"]
};
function variablesFor(manager, dir, env) {
  switch (manager) {
    case "npm":
      return { npm_config_cache: dir, npm_config_prefer_offline: "true" };
    case "yarn":
      return { YARN_CACHE_FOLDER: dir, YARN_ENABLE_GLOBAL_CACHE: "false" };
    case "pnpm":
      return { npm_config_store_dir: path.join(dir, "store"), npm_config_cache_dir: path.join(dir, "metadata"), npm_config_prefer_offline: "true" };
    case "pip":
      return { PIP_CACHE_DIR: dir };
    case "uv":
      return { UV_CACHE_DIR: dir };
    case "cargo":
      return { CARGO_HOME: dir };
    case "go":
      return { GOMODCACHE: path.join(dir, "mod"), GOCACHE: path.join(dir, "build") };
    case "gradle":
      return { GRADLE_USER_HOME: dir };
    case "maven":
      return { MAVEN_ARGS: `${env.MAVEN_ARGS ? `${env.MAVEN_ARGS} ` : ""}-Dmaven.repo.local=${path.join(dir, "repository")}` };
  }
}
var TUNING = /* @__PURE__ */ new Set(["npm_config_prefer_offline", "YARN_ENABLE_GLOBAL_CACHE"]);
function packageCaches(setting, workspace, env) {
  const out = { kept: [], skipped: [], env: {} };
  if (setting === false) return out;
  const wanted = setting === true ? PACKAGE_MANAGERS.filter((m) => CACHE_DETECTION[m].some((f) => existsSync(path.join(workspace, f)))) : setting;
  for (const manager of PACKAGE_MANAGERS) {
    if (!wanted.includes(manager)) continue;
    if (manager === "yarn" && existsSync(path.join(workspace, ".yarn/cache"))) {
      out.skipped.push({ manager, reason: "the repository has its own .yarn/cache (zero-install)" });
      continue;
    }
    const vars = variablesFor(manager, path.join(workspace, CACHES_DIR, manager), env);
    const taken = Object.keys(vars).find(
      (name) => name === "MAVEN_ARGS" ? /-Dmaven\.repo\.local=/.test(env[name] ?? "") : !TUNING.has(name) && env[name] !== void 0
    );
    if (taken) {
      out.skipped.push({ manager, reason: `${taken} is already set by the environment` });
      continue;
    }
    out.kept.push(manager);
    for (const [name, value] of Object.entries(vars)) if (!TUNING.has(name) || env[name] === void 0) out.env[name] = value;
  }
  return out;
}
function logCaches(caches, log) {
  if (caches.kept.length > 0) log.info(`Package-manager caches kept in the snapshot (${CACHES_DIR}): ${caches.kept.join(", ")}`);
  for (const s of caches.skipped) log.info(`Package-manager cache of ${s.manager} not kept: ${s.reason}`);
}

// src/lifecycle/merge.ts
import { cp, lstat, readdir, rename, rm } from "node:fs/promises";
import path2 from "node:path";
async function lstatOrNull(p) {
  try {
    return await lstat(p);
  } catch (err) {
    if (err.code === "ENOENT") return null;
    throw err;
  }
}
async function move(from, to) {
  try {
    await rename(from, to);
  } catch (err) {
    if (err.code !== "EXDEV") throw err;
    await cp(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true, errorOnExist: true, force: false });
    await rm(from, { recursive: true, force: true });
  }
}
async function mergeTree(source, target, skipTop = []) {
  const stats = { moved: 0, kept: 0 };
  const walk = async (src, dst, top) => {
    for (const entry of await readdir(src, { withFileTypes: true })) {
      if (top && skipTop.includes(entry.name)) continue;
      const from = path2.join(src, entry.name);
      const to = path2.join(dst, entry.name);
      const existing = await lstatOrNull(to);
      if (!existing) {
        await move(from, to);
        stats.moved++;
      } else if (existing.isDirectory() && entry.isDirectory()) {
        await walk(from, to, false);
      } else {
        stats.kept++;
      }
    }
  };
  await walk(source, target, true);
  return stats;
}

// src/lifecycle/caches-part.ts
var CACHES_PART_PREFIX = "prebuilds-v1-caches";
var CACHES_PART_PATHS = [CACHES_DIR];
var UNREFERENCED_PART_GRACE_MS = 6 * 60 * 60 * 1e3;
function cachesPartKey(configuration, identity, managers, dependencyFiles) {
  if (managers.length === 0) return null;
  const files = Object.keys(dependencyFiles).sort().map((f) => `${f}\0${dependencyFiles[f]}`);
  const digest = createHash("sha256").update(JSON.stringify({ identity, managers, files })).digest("hex");
  return `${CACHES_PART_PREFIX}/${keySegment(configuration)}/${digest}`;
}
function cachesPartPrefix(configuration) {
  return `${CACHES_PART_PREFIX}/${keySegment(configuration)}/`;
}
function isCachesPartKey(key) {
  return /^prebuilds-v1-caches\/[A-Za-z0-9._-]+\/[0-9a-f]{64}$/.test(key);
}
async function saveCachesPart(store, key, workspace, options) {
  const { timer } = options;
  return timer.timeOuter("saveCaches", ["upload"], async () => {
    const st = await lstat2(path3.join(workspace, CACHES_DIR)).catch(() => null);
    if (!st?.isDirectory()) return { state: "absent" };
    if (await store.exists(key, CACHES_PART_PATHS)) return { state: "reused" };
    try {
      const { bytes } = await store.save(key, CACHES_PART_PATHS, workspace, void 0, { secrets: options.secrets, timer });
      return { state: "saved", bytes };
    } catch (err) {
      if (err instanceof SnapshotExistsError) return { state: "reused" };
      throw err;
    }
  });
}
async function restoreCachesPart(store, marker, workspace, timer) {
  const key = marker?.caches;
  if (!key) return "the snapshot names no package caches part";
  if (!isCachesPartKey(key)) return `the snapshot names an invalid caches part key ${JSON.stringify(key)}`;
  return timer.timeOuter("restoreCaches", ["download"], async () => {
    const staging = path3.join(workspace, `.prebuilds-caches-${randomBytes(4).toString("hex")}`);
    await mkdir(staging);
    try {
      const found = await store.restore(key, CACHES_PART_PATHS, staging, { timer });
      if (!found) return `${key} is not in the ${store.description} (evicted or deleted)`;
      const from = path3.join(staging, CACHES_DIR);
      const st = await lstat2(from).catch(() => null);
      if (!st?.isDirectory()) return `${key} holds no ${CACHES_DIR} directory`;
      const into = path3.join(workspace, CACHES_DIR);
      await mkdir(into, { recursive: true });
      await mergeTree(from, into, []);
      return true;
    } catch (err) {
      return `${key} cannot be restored: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      await rm2(staging, { recursive: true, force: true });
    }
  });
}
function orphanedParts(parts, rule) {
  const used = new Set(rule.referenced);
  if (used.has(void 0)) return [];
  const cutoff = Math.min(rule.now - rule.graceMs, ...rule.inFlightSince);
  const anyAge = rule.graceMs <= 0 && rule.inFlightSince.length === 0;
  const out = /* @__PURE__ */ new Set();
  for (const part of parts) {
    if (!isCachesPartKey(part.key) || used.has(part.key)) continue;
    if (part.createdAt === null ? anyAge : part.createdAt < cutoff) out.add(part.key);
  }
  return [...out];
}
function listedParts(parts) {
  return [...parts].map((p) => ({ key: p.key, createdAt: Date.parse(p.createdAt) }));
}

export {
  parseCachesSetting,
  MARKER_DIR,
  MARKER_PATH,
  TRACKED_FILES_PATH,
  parseMarker,
  unsuccessfulMarker,
  nextMarker,
  formatMarker,
  CACHES_DIR,
  packageCaches,
  logCaches,
  mergeTree,
  SNAPSHOT_KEY_PREFIX,
  keySegment,
  snapshotKey,
  snapshotKeyPrefix,
  parseSnapshotKey,
  SnapshotExistsError,
  UNREFERENCED_PART_GRACE_MS,
  cachesPartKey,
  cachesPartPrefix,
  isCachesPartKey,
  saveCachesPart,
  restoreCachesPart,
  orphanedParts,
  listedParts
};
//# sourceMappingURL=chunk-AETBLR7H.js.map
