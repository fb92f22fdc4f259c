import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  PullError,
  SEALED_MARKERS_LABEL,
  composeConfigName,
  defaultProjectName,
  localImageLabels,
  namedSecrets,
  pull,
  runUserCommands,
  up,
  writeBuildConfig,
  writePrebuiltConfig,
  writeSecretsFile
} from "./chunk-NNFF4U5H.js";
import {
  restorePrebuild
} from "./chunk-PJ4F5OAW.js";
import {
  CONTAINER_HOOKS,
  changedDependencyFiles,
  hashDependencyFiles,
  hookTimesFromLog,
  imageRepository,
  pinned
} from "./chunk-S7TV35CP.js";
import "./chunk-TAP6C6ZV.js";
import "./chunk-GPWEZFP6.js";
import {
  MARKER_DIR
} from "./chunk-AETBLR7H.js";
import "./chunk-ILOR4H4D.js";

// src/container/up.ts
import { chmod, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
async function upFromPrebuild(req) {
  const started = req.startedAt ?? performance.now();
  const secrets = await writeSecretsFile(namedSecrets(req.configuration.settings.secrets, req.env));
  try {
    return await startDevContainer(req, started, secrets.file);
  } finally {
    await secrets.remove();
  }
}
async function startDevContainer(req, started, secretsFile) {
  const { workspace, configuration, log, env } = req;
  const refOf = (image2) => req.registry ? `${imageRepository(req.registry, configuration.settings.name)}@${image2.digest}` : pinned(image2.reference, image2.digest);
  const pulls = /* @__PURE__ */ new Map();
  const found = await restorePrebuild({ ...req, startedAt: started }, (m) => {
    if (!m?.image) return "it has no prebuilt image (a host-mode prebuild)";
    const ref2 = refOf(m.image);
    if (!pulls.has(ref2)) pulls.set(ref2, pullResult(ref2, env, log));
    return null;
  });
  const composeFiles = configuration.environment.dockerComposeFiles;
  const composeProject = composeFiles.length > 0 ? await defaultProjectName(workspace, composeFiles, env, () => composeConfigName(workspace, composeFiles, env)) : null;
  const cliEnv = composeProject ? { ...env, COMPOSE_PROJECT_NAME: composeProject } : env;
  const target = { cli: req.cli, workspace, configFile: configuration.environment.file, labels: {}, env: cliEnv, log, secretsFile };
  const image = found.marker?.image;
  const base = { hit: found.hit, snapshotKey: found.chosen?.key ?? null, prebuildSha: found.chosen?.sha ?? null, distance: found.chosen?.distance ?? null };
  const common = { restoreMs: found.restoreMs, searched: found.searched, shallow: found.shallow, rejected: found.rejected, composeProject };
  const { environment } = configuration;
  if (!image) return coldStart(target, environment, { ...base, ...common, hit: "none" }, started);
  const ref = refOf(image);
  const pulling = pulls.get(ref) ?? pullResult(ref, env, log);
  await mkdir(path.join(workspace, MARKER_DIR), { recursive: true });
  target.overrideConfig = await writePrebuiltConfig(path.join(workspace, MARKER_DIR), environment, ref, {
    workspace,
    env: cliEnv,
    ...composeProject ? { composeDir: await privateComposeDir(composeProject, env) } : {}
  });
  const changed = found.marker?.dependencyFiles ? changedDependencyFiles(found.marker.dependencyFiles, await hashDependencyFiles(workspace)) : [];
  const unchanged = found.hit === "exact" && changed.length === 0;
  let single = unchanged && image.markersSealed === true;
  if (unchanged && image.markersSealed === void 0) {
    const pulled2 = await pulling;
    if ("error" in pulled2) return pullFailed(target, environment, { ...base, ...common }, ref, pulled2.error, started);
    single = (await localImageLabels(ref, env))?.[SEALED_MARKERS_LABEL] === "sealed";
  }
  const stop = new AbortController();
  const pulled = pulling.then((r) => {
    if ("error" in r && !r.error.transient) stop.abort();
    return r;
  });
  const starting = up(target, {
    ...single ? {} : { skipLifecycle: true },
    title: `devcontainer up from ${ref}`,
    signal: stop.signal
  });
  const [pullOutcome, start] = await Promise.all([pulled, Promise.allSettled([starting]).then(([s]) => s)]);
  if (start.status === "rejected") {
    if ("error" in pullOutcome) return pullFailed(target, environment, { ...base, ...common }, ref, pullOutcome.error, started);
    throw start.reason;
  }
  const c = start.value;
  const pullMs = "error" in pullOutcome ? 0 : pullOutcome.ms;
  if ("error" in pullOutcome) log.warning(`docker pull ${ref} failed (${pullOutcome.error.message.split("\n")[0]}), but the Dev Containers CLI pulled it`);
  else
    log.info(
      pullMs === 0 ? `${ref} is already on the engine: not pulled` : `Pulled ${ref} in ${pullMs} ms (overlapping the workspace merge and the container's start)`
    );
  const hooks = single ? hooksFromLog(c.log) : await runRemaining(target, c, { kind: found.hit, distance: found.chosen?.distance ?? 0, changedDependencyFiles: changed });
  for (const h of hooks) log.info(h.action === "skip" ? `${h.hook}: skipped (${h.reason})` : `${h.hook}: ran (${h.durationMs} ms)`);
  const durationMs = Math.round(performance.now() - started);
  const coldMs = image.coldMs || null;
  const speedup = coldMs ? ` (${Math.round(coldMs / Math.max(durationMs, 1) * 10) / 10}× faster than the cold path, which took ${coldMs} ms to build the image and run onCreate + updateContent)` : "";
  log.info(`Dev container ${c.containerId.slice(0, 12)} ready from the prebuild in ${durationMs} ms${speedup}`);
  return {
    ...base,
    ...common,
    image: ref,
    containerId: c.containerId,
    remoteWorkspaceFolder: c.remoteWorkspaceFolder,
    pullMs,
    upMs: c.upMs,
    hooks,
    durationMs,
    coldMs
  };
}
function pullResult(ref, env, log) {
  const onRetry = (attempt, error, waitMs) => log.warning(`docker pull ${ref} failed (${error.message.split("\n").pop()}): attempt ${attempt} in ${waitMs} ms`);
  return pull(ref, env, void 0, { onRetry }).then(
    (ms) => ({ ms }),
    (error) => ({ error: error instanceof PullError ? error : new PullError(String(error), 1, false, String(error)) })
  );
}
function pullFailed(target, environment, outcome, ref, error, started) {
  const tries = `${error.attempts} attempt${error.attempts === 1 ? "" : "s"}`;
  target.log.warning(`The prebuild's image ${ref} cannot be pulled (${error.message.split("\n").pop()}; ${tries}): starting the cold way`);
  return coldStart(target, environment, outcome, started);
}
async function coldStart(target, environment, outcome, started) {
  const { workspace } = target;
  await mkdir(path.join(workspace, MARKER_DIR), { recursive: true });
  target.overrideConfig = await writeBuildConfig(path.join(workspace, MARKER_DIR), environment, workspace);
  const c = await up(target, {});
  target.log.info(`Dev container ${c.containerId.slice(0, 12)} ready the cold way in ${Math.round(performance.now() - started)} ms`);
  return {
    ...outcome,
    image: null,
    containerId: c.containerId,
    remoteWorkspaceFolder: c.remoteWorkspaceFolder,
    pullMs: 0,
    upMs: c.upMs,
    hooks: [],
    durationMs: Math.round(performance.now() - started),
    coldMs: null
  };
}
function hooksFromLog(upLog) {
  const times = hookTimesFromLog(upLog, Date.now());
  return CONTAINER_HOOKS.map((hook) => {
    const ran = times[hook];
    if (ran) return { hook, action: "run", durationMs: ran.durationMs };
    if (hook === "onCreateCommand") return { hook, action: "skip", reason: "ran in the prebuild" };
    if (hook === "updateContentCommand") return { hook, action: "skip", reason: "ran in the prebuild at this commit" };
    return { hook, action: "skip", reason: "not configured" };
  });
}
async function runRemaining(target, c, hit) {
  const rerun = [];
  if (hit.changedDependencyFiles.length > 0) {
    target.log.info(`onCreateCommand: dependency files changed since the prebuild ran it: ${hit.changedDependencyFiles.join(", ")}`);
    rerun.push("onCreateCommand");
  }
  if (hit.kind !== "exact") {
    target.log.info(`updateContentCommand: the prebuild is ${hit.distance} commit${hit.distance === 1 ? "" : "s"} behind: updating it`);
    rerun.push("updateContentCommand");
  }
  const run = await runUserCommands(target, c, { rerun });
  return hooksFromLog(run.log);
}
async function privateComposeDir(project, env) {
  const dir = path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache"), "prebuilds", "compose", project);
  await mkdir(dir, { recursive: true, mode: 448 });
  await chmod(dir, 448);
  return dir;
}
export {
  upFromPrebuild
};
//# sourceMappingURL=up-CRAUSY3V.js.map
