import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  commitAndPush,
  composeDown,
  containerImage,
  mountsLeftOut,
  namedSecrets,
  projectImages,
  pull,
  removeContainer,
  runUserCommands,
  toProjectName,
  up,
  writeBuildConfig,
  writePrebuiltConfig,
  writeSecretsFile
} from "./chunk-NNFF4U5H.js";
import {
  finishPrebuild,
  startFromBase
} from "./chunk-C53BSU53.js";
import {
  DEFAULT_MAX_IMAGE_LAYERS,
  composeService,
  docker,
  hashDependencyFiles,
  hookTimesFromLog,
  imageRepository,
  imageTags,
  layerLimitReason,
  pinned,
  planPrebuild,
  prebuildLabels,
  snapshotPaths
} from "./chunk-S7TV35CP.js";
import "./chunk-D4CPKEJV.js";
import {
  Env
} from "./chunk-GMZZ543P.js";
import "./chunk-TAP6C6ZV.js";
import "./chunk-GPWEZFP6.js";
import {
  snapshotKey
} from "./chunk-AETBLR7H.js";
import "./chunk-ILOR4H4D.js";

// action/src/container-run.ts
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// src/container/engine-images.ts
var INSPECT_FORMAT = "{{.Id}} {{if .Parent}}{{.Parent}}{{else}}-{{end}}{{range .RepoTags}} {{.}}{{end}}{{range .RepoDigests}} {{.}}{{end}}";
async function inspectNames(refs, env) {
  if (refs.length === 0) return [];
  const out = await docker(["image", "inspect", "--format", INSPECT_FORMAT, ...refs], { env }).then(
    (r) => r.stdout,
    // Some were removed meanwhile: docker still prints the others (stderr names the missing ones).
    (err) => err.output ?? ""
  );
  return out.split("\n").filter((line) => line.startsWith("sha256:")).map((line) => {
    const [id, parent, ...references] = line.trim().split(" ");
    return { id, parent: parent === "-" ? "" : parent, references };
  });
}
async function exists(id, env) {
  return (await inspectNames([id], env)).length > 0;
}
async function removeNewChain(image, before, env) {
  let current = image;
  while (current && !before.ids.has(current.id)) {
    if (await exists(current.id, env)) {
      await docker(["image", "rm", "--no-prune", current.id], { env }).catch(() => void 0);
      if (await exists(current.id, env)) return;
    }
    [current] = current.parent ? await inspectNames([current.parent], env) : [];
  }
}
async function listIds(env, dangling) {
  const args = ["images", "--all", "--quiet", "--no-trunc", ...dangling ? ["--filter", "dangling=true"] : []];
  const { stdout } = await docker(args, { env }).catch(() => ({ stdout: "" }));
  return [...new Set(stdout.split("\n").filter(Boolean))];
}
async function engineImages(env) {
  const ids = await listIds(env, false);
  const references = /* @__PURE__ */ new Set();
  for (const image of await inspectNames(ids, env)) for (const ref of image.references) references.add(`${image.id} ${ref}`);
  return { ids: new Set(ids), references };
}
async function removeAddedImages(refs, before, env) {
  const runIds = /* @__PURE__ */ new Set();
  for (const image of await inspectNames(refs, env)) {
    let current = image;
    while (current && !before.ids.has(current.id) && !runIds.has(current.id)) {
      runIds.add(current.id);
      [current] = current.parent ? await inspectNames([current.parent], env) : [];
    }
  }
  const seen = /* @__PURE__ */ new Set();
  for (const ref of refs) {
    const [image] = await inspectNames([ref], env);
    if (!image || seen.has(image.id)) continue;
    seen.add(image.id);
    for (const added of image.references.filter((r) => !before.references.has(`${image.id} ${r}`))) {
      await docker(["image", "rm", "--no-prune", added], { env }).catch(() => void 0);
    }
    await removeNewChain(image, before, env);
  }
  for (const id of await listIds(env, true)) {
    if (before.ids.has(id)) continue;
    const [image] = await inspectNames([id], env);
    if (image && await descendsFrom(image, runIds, before, env)) await removeNewChain(image, before, env);
  }
}
async function descendsFrom(image, ids, before, env) {
  let current = image;
  while (current && !before.ids.has(current.id)) {
    if (ids.has(current.id)) return true;
    [current] = current.parent ? await inspectNames([current.parent], env) : [];
  }
  return false;
}

// action/src/container-run.ts
var RUN_LABEL = "prebuilds.run";
var FEATURE_CONTENT_IMAGE = "dev_container_feature_content_temp";
async function imageId(reference, env) {
  return docker(["image", "inspect", "--format", "{{.Id}}", reference], { env }).then(
    (r) => r.stdout.trim() || null,
    () => null
  );
}
async function imageLayers(reference, env) {
  return Number((await docker(["image", "inspect", "--format", "{{len .RootFS.Layers}}", reference], { env })).stdout.trim());
}
async function containerPrebuild(req) {
  const started = req.startedAt ?? performance.now();
  const { workspace, configuration, log, env } = req;
  const key = snapshotKey(configuration.settings.name, req.sha, req.prebuildId);
  const paths = snapshotPaths(configuration.settings.paths);
  const tags = imageTags(imageRepository(req.registry, configuration.settings.name), req.sha, configuration.identity);
  const base = await startFromBase(req, key, paths, (m) => m && !m.image ? "it has no prebuilt image (a host-mode prebuild)" : null);
  const dependencyFiles = await hashDependencyFiles(workspace);
  const labels = prebuildLabels(req);
  const tmp = await mkdtemp(path.join(env[Env.RunnerTemp] || os.tmpdir(), "prebuild-container-"));
  const runLabel = { [RUN_LABEL]: randomUUID() };
  const composeFiles = configuration.environment.dockerComposeFiles;
  const project = composeFiles.length > 0 ? toProjectName(`prebuild-${runLabel[RUN_LABEL].replace(/-/g, "").slice(0, 12)}`) : null;
  const cliEnv = project ? { ...env, COMPOSE_PROJECT_NAME: project } : env;
  const secretsFile = await writeSecretsFile(namedSecrets(configuration.settings.secrets, env), tmp);
  const target = {
    cli: req.cli,
    workspace,
    configFile: configuration.environment.file,
    labels: { ...labels, ...runLabel },
    env: cliEnv,
    log,
    secretsFile: secretsFile.file
  };
  const imagesBefore = await engineImages(env);
  const pulledIds = [];
  const built = [];
  const pullInto = async (ref) => {
    try {
      await pull(ref, env, log);
      const id = await imageId(ref, env);
      if (id) pulledIds.push(id);
      return true;
    } catch (err) {
      log.info(`Could not pull ${ref}: ${err.message.split("\n")[0]}`);
      return false;
    }
  };
  if (project)
    log.info(
      `Docker Compose: project ${project}; the service ${composeService(configuration.environment)} is the dev container (the one committed); taken down after the prebuild`
    );
  try {
    const ran = {};
    let plan;
    let coldMs;
    let containerId;
    let remoteUser;
    let workspaceFolder;
    const baseImage = base.baseMarker?.image;
    const baseRef = baseImage ? pinned(baseImage.reference, baseImage.digest) : null;
    let incremental = baseRef !== null && await pullInto(baseRef);
    if (baseRef && !incremental) log.warning(`The base's image ${baseRef} cannot be pulled: building the environment from scratch`);
    if (incremental && baseRef) {
      const tooDeep = layerLimitReason(await imageLayers(baseRef, env), req.maxImageLayers ?? DEFAULT_MAX_IMAGE_LAYERS);
      if (tooDeep) {
        log.info(`Full prebuild: ${tooDeep}`);
        incremental = false;
      }
    }
    if (incremental && baseImage && baseRef) {
      log.info(`Incremental prebuild: starting from the base's image ${baseRef}`);
      target.overrideConfig = await writePrebuiltConfig(tmp, configuration.environment, baseRef, { workspace, env: cliEnv });
      plan = planPrebuild(configuration.environment.lifecycle, { identity: configuration.identity, baseMarker: base.baseMarker, dependencyFiles });
      const c = await up(target, { skipLifecycle: true });
      containerId = c.containerId;
      remoteUser = c.remoteUser;
      workspaceFolder = c.remoteWorkspaceFolder;
      for (const step of plan) {
        if (step.action === "skip") log.info(`${step.hook}: skipped (${step.reason})`);
        else if (step.note) log.info(`${step.hook}: ${step.note}`);
      }
      const rerun = plan.filter((step) => step.action === "run").map((step) => step.hook);
      const run = await runUserCommands(target, c, { rerun, prebuild: true });
      Object.assign(ran, hookTimesFromLog(run.log, Date.now()));
      coldMs = baseImage.coldMs;
    } else {
      const cacheFrom = await pullInto(tags.identity) ? [tags.identity] : [];
      if (cacheFrom.length === 0) log.info(`No previous image of this configuration identity: the image is built without a layer cache`);
      plan = planPrebuild(configuration.environment.lifecycle, { identity: configuration.identity, baseMarker: null });
      target.overrideConfig = await writeBuildConfig(tmp, configuration.environment, workspace);
      const c = await up(target, { prebuild: true, cacheFrom });
      containerId = c.containerId;
      remoteUser = c.remoteUser;
      workspaceFolder = c.remoteWorkspaceFolder;
      Object.assign(ran, hookTimesFromLog(c.log, Date.now()));
      coldMs = c.upMs;
      const image2 = await containerImage(containerId, env);
      if (image2) built.push(image2);
    }
    for (const step of plan) {
      if (step.action === "run" && !ran[step.hook]) {
        log.warning(`Could not time ${step.hook} from the devcontainer log; recorded as run`);
        ran[step.hook] = { startedAt: (/* @__PURE__ */ new Date()).toISOString(), durationMs: 0 };
      }
    }
    for (const mount of await mountsLeftOut(containerId, workspaceFolder, env)) {
      log.warning(`${mount}: what the lifecycle commands wrote there is neither in the prebuilt image nor in the workspace snapshot`);
    }
    const image = await commitAndPush(target, containerId, remoteUser, [tags.sha, tags.identity], labels, req.secrets ?? []);
    const prebuilt = { reference: tags.sha, digest: image.digest, bytes: image.bytes, coldMs, markersSealed: true };
    log.info(`Pushed ${image.pinned} (${image.bytes} bytes) in ${image.pushMs} ms`);
    const result = await finishPrebuild(req, key, paths, base, { ran, dependencyFiles, image: prebuilt, startedAt: started });
    return { result, plan, image, incremental, baseMissing: base.baseMissing };
  } finally {
    if (project) {
      for (const image of await projectImages(project, env)) if (!built.includes(image)) built.push(image);
      await composeDown(project, workspace, composeFiles, env);
    }
    const { stdout } = await docker(["ps", "--all", "--quiet", "--no-trunc", "--filter", `label=${RUN_LABEL}=${runLabel[RUN_LABEL]}`], { env }).catch(() => ({
      stdout: ""
    }));
    for (const id of stdout.split("\n").filter(Boolean)) {
      const image = await containerImage(id, env);
      if (image && !built.includes(image)) built.push(image);
      await removeContainer(id, env);
    }
    await removeAddedImages([tags.sha, tags.identity, ...built, ...pulledIds, FEATURE_CONTENT_IMAGE], imagesBefore, env);
    await secretsFile.remove();
    await rm(tmp, { recursive: true, force: true });
  }
}
export {
  containerPrebuild
};
//# sourceMappingURL=container-run-WZV66L3A.js.map
