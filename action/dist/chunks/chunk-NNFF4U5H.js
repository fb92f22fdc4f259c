import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  ToolError,
  composeService,
  docker,
  gitpodDevcontainer,
  idLabelArgs,
  parseUpResult,
  pinned,
  prebuiltConfig,
  runTool,
  yaml
} from "./chunk-S7TV35CP.js";
import {
  MIN_SCANNED_LENGTH
} from "./chunk-TAP6C6ZV.js";

// src/container/compose.ts
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
function toProjectName(name) {
  return name.toLowerCase().replace(/[^-_a-z0-9]/g, "");
}
async function defaultProjectName(workspace, composeFiles, env, mergedName) {
  const fromEnv = toProjectName(env.COMPOSE_PROJECT_NAME ?? "");
  if (fromEnv) return fromEnv;
  const dotEnv = await readFile(path.join(workspace, ".env"), "utf8").catch(() => "");
  const fromFile = toProjectName(/^COMPOSE_PROJECT_NAME=(.+)$/m.exec(dotEnv)?.[1]?.trim() ?? "");
  if (fromFile) return fromFile;
  const files = composeFiles.map((f) => path.resolve(workspace, f));
  const name = await mergedName?.();
  if (name && (name !== "devcontainer" || await someFileNamesTheProject(files))) return toProjectName(name);
  const first = files[0] ? path.dirname(files[0]) : workspace;
  return first === path.join(workspace, ".devcontainer") ? toProjectName(`${path.basename(workspace)}_devcontainer`) : toProjectName(path.basename(first));
}
async function someFileNamesTheProject(files) {
  for (const file of [...files].reverse()) {
    try {
      const doc = yaml.load(await readFile(file, "utf8"));
      if (doc?.name) return true;
    } catch {
    }
  }
  return false;
}
async function composeConfigName(workspace, composeFiles, env) {
  const compose = await composeCommand(env);
  if (compose[0] === "docker-compose") return void 0;
  const { stdout } = await runTool([...compose, ...fileArgs(workspace, composeFiles), "config"], { env, cwd: workspace });
  const name = yaml.load(stdout)?.name;
  return typeof name === "string" && name ? name : void 0;
}
var composeArgv = /* @__PURE__ */ new Map();
function composeCommand(env) {
  const key = JSON.stringify([env.PATH ?? "", env.DOCKER_CONFIG ?? "", env.HOME ?? ""]);
  let argv = composeArgv.get(key);
  if (!argv) {
    argv = docker(["compose", "version", "--short"], { env }).then(
      () => ["docker", "compose"],
      () => ["docker-compose"]
    );
    composeArgv.set(key, argv);
  }
  return argv;
}
function fileArgs(workspace, composeFiles) {
  return composeFiles.flatMap((f) => ["-f", path.resolve(workspace, f)]);
}
function prebuiltComposeDocument(merged, service, image) {
  const doc = typeof merged === "object" && merged !== null ? structuredClone(merged) : {};
  const services = doc.services;
  const entry = services?.[service];
  if (!entry || typeof entry !== "object") throw new Error(`The compose files define no service "${service}" (devcontainer.json \`service\`)`);
  delete entry.build;
  entry.image = image;
  delete doc.name;
  return doc;
}
async function writePrebuiltCompose(dir, environment, workspace, image, env) {
  const service = composeService(environment);
  if (!service) throw new Error("A Docker Compose configuration needs `service`: the compose service of the dev container");
  const compose = await composeCommand(env);
  const { stdout } = await runTool([...compose, ...fileArgs(workspace, environment.dockerComposeFiles), "config"], { env, cwd: workspace });
  const file = path.join(dir, "docker-compose.prebuilt.yml");
  await writeFile(file, yaml.dump(prebuiltComposeDocument(yaml.load(stdout), service, image), { lineWidth: -1, noRefs: true }), { mode: 384 });
  return file;
}
async function projectImages(project, env) {
  const { stdout } = await docker(["ps", "--all", "--quiet", "--no-trunc", "--filter", `label=com.docker.compose.project=${project}`], { env }).catch(() => ({
    stdout: ""
  }));
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const images = await docker(["inspect", "--format", "{{.Image}}", ...ids], { env }).catch((err) => ({ stdout: err.output ?? "" }));
  return [...new Set(images.stdout.split("\n").filter((l) => l.startsWith("sha256:")))];
}
async function composeDown(project, workspace, composeFiles, env) {
  const compose = await composeCommand(env);
  await runTool([...compose, "-p", project, ...fileArgs(workspace, composeFiles), "down", "--volumes", "--remove-orphans", "--timeout", "0"], {
    env,
    cwd: workspace
  }).catch(() => void 0);
  const label = `label=com.docker.compose.project=${project}`;
  const list = async (args) => (await docker(args, { env }).catch(() => ({ stdout: "" }))).stdout.split("\n").filter(Boolean);
  const containers = await list(["ps", "--all", "--quiet", "--filter", label]);
  if (containers.length > 0) await docker(["rm", "--force", "--volumes", ...containers], { env }).catch(() => void 0);
  const networks = await list(["network", "ls", "--quiet", "--filter", label]);
  if (networks.length > 0) await docker(["network", "rm", ...networks], { env }).catch(() => void 0);
  const volumes = await list(["volume", "ls", "--quiet", "--filter", label]);
  if (volumes.length > 0) await docker(["volume", "rm", "--force", ...volumes], { env }).catch(() => void 0);
}

// src/container/secrets.ts
import { chmod, mkdtemp, rm, writeFile as writeFile2 } from "node:fs/promises";
import os from "node:os";
import path2 from "node:path";
function namedSecrets(names, env) {
  const out = {};
  for (const name of names) {
    const value = env[name];
    if (value !== void 0 && value !== "") out[name] = value;
  }
  return out;
}
async function writeSecretsFile(secrets, parent = os.tmpdir()) {
  if (Object.keys(secrets).length === 0) return { file: void 0, remove: async () => void 0 };
  const dir = await mkdtemp(path2.join(parent, "prebuilds-secrets-"));
  const remove = () => rm(dir, { recursive: true, force: true }).catch(() => void 0);
  try {
    await chmod(dir, 448);
    const file = path2.join(dir, "secrets.json");
    await writeFile2(file, JSON.stringify(secrets), { mode: 384, flag: "wx" });
    return { file, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}
async function imageSecretLeaks(reference, secrets, env) {
  const scanned = secrets.filter((s) => s.value.length >= MIN_SCANNED_LENGTH);
  if (scanned.length === 0) return [];
  const config = (await docker(["image", "inspect", "--format", "{{json .Config}}", reference], { env })).stdout;
  const history = (await docker(["history", "--no-trunc", "--format", "{{.CreatedBy}} {{.Comment}}", reference], { env })).stdout;
  const text = `${config}
${history}`;
  return scanned.filter((s) => text.includes(s.value) || text.includes(JSON.stringify(s.value).slice(1, -1))).map((s) => s.name);
}

// src/container/pull.ts
var PULL_ATTEMPTS = 3;
var PULL_BACKOFF_MS = 250;
var TRANSIENT = /connection reset|broken pipe|unexpected EOF|\bi\/o timeout|timed? ?out|timeout exceeded|TLS handshake timeout|context deadline exceeded|connection refused|no such host|temporary failure|too many requests|toomanyrequests|\b429\b|\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)|status(?: code)?:? 5\d\d\b/i;
function isTransientPullFailure(output) {
  return TRANSIENT.test(output);
}
var PullError = class extends Error {
  constructor(message, attempts, transient, output) {
    super(message);
    this.attempts = attempts;
    this.transient = transient;
    this.output = output;
    this.name = "PullError";
  }
  attempts;
  transient;
  output;
};
async function withPullRetries(attempt, options = {}) {
  const attempts = Math.max(1, options.attempts ?? PULL_ATTEMPTS);
  let wait = options.backoffMs ?? PULL_BACKOFF_MS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const output = err instanceof ToolError ? err.output : error.message;
      const transient = isTransientPullFailure(output);
      if (!transient || n >= attempts) throw new PullError(error.message, n, transient, output);
      options.onRetry?.(n + 1, error, wait);
      await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
    }
  }
}

// src/container/session.ts
import { writeFile as writeFile3 } from "node:fs/promises";
import path3 from "node:path";
function targetArgs(t) {
  const args = ["--workspace-folder", t.workspace];
  const devcontainer = /(^|\/)\.?devcontainer\.json$/.test(t.configFile);
  if (devcontainer && t.configFile !== ".devcontainer/devcontainer.json" && t.configFile !== ".devcontainer.json")
    args.push("--config", path3.join(t.workspace, t.configFile));
  if (t.overrideConfig) args.push("--override-config", t.overrideConfig);
  return [...args, ...idLabelArgs(t.labels)];
}
async function up(t, opts) {
  const args = ["up", ...targetArgs(t), "--remove-existing-container", "--log-format", "text"];
  if (opts.prebuild) args.push("--prebuild");
  if (opts.skipLifecycle) args.push("--skip-post-create");
  if (t.secretsFile) args.push("--secrets-file", t.secretsFile);
  for (const ref of opts.cacheFrom ?? []) args.push("--cache-from", ref);
  let run;
  try {
    run = await runTool([...t.cli, ...args], {
      env: t.env,
      cwd: t.workspace,
      log: t.log,
      title: opts.title ?? `devcontainer ${args.join(" ")}`,
      signal: opts.signal
    });
  } catch (err) {
    const out = err.output ?? "";
    parseUpResult(out);
    throw err;
  }
  return { ...parseUpResult(run.stdout), upMs: run.durationMs, log: run.output };
}
async function runUserCommands(t, container, opts) {
  await setLifecycleMarkers(t, container.containerId, container.remoteUser, {
    done: PREBUILD_HOOKS.filter((h) => !opts.rerun.includes(h)),
    pending: [...opts.rerun, ...POST_HOOKS]
  });
  const args = ["run-user-commands", ...targetArgs(t), "--log-format", "text"];
  if (opts.prebuild) args.push("--prebuild");
  if (t.secretsFile) args.push("--secrets-file", t.secretsFile);
  const run = await runTool([...t.cli, ...args], { env: t.env, cwd: t.workspace, log: t.log, title: `devcontainer ${args.join(" ")}` });
  return { log: run.output, durationMs: run.durationMs };
}
async function writePrebuiltConfig(dir, environment, image, where) {
  const composeFile = environment.dockerComposeFiles.length > 0 ? await writePrebuiltCompose(where.composeDir ?? dir, environment, where.workspace, image, where.env) : void 0;
  const file = path3.join(dir, "devcontainer.prebuilt.json");
  await writeFile3(file, `${JSON.stringify(prebuiltConfig(environment, image, composeFile), null, 2)}
`);
  return file;
}
async function writeBuildConfig(dir, environment, workspace) {
  if (environment.format === "devcontainer") return void 0;
  const file = path3.join(dir, "devcontainer.gitpod.json");
  await writeFile3(file, `${JSON.stringify(gitpodDevcontainer(environment, workspace), null, 2)}
`);
  return file;
}
var SEALED_MARKERS_LABEL = "prebuilds.lifecycle-markers";
async function sealLifecycleMarkers(t, containerId, remoteUser) {
  await setLifecycleMarkers(t, containerId, remoteUser, { done: PREBUILD_HOOKS, pending: POST_HOOKS });
}
var PREBUILD_HOOKS = ["onCreateCommand", "updateContentCommand"];
var POST_HOOKS = ["postCreateCommand", "postStartCommand", "postAttachCommand"];
async function setLifecycleMarkers(t, containerId, remoteUser, hooks) {
  const script = [
    "set -e",
    'dir="$HOME/.devcontainer"',
    'mkdir -p "$dir"',
    ...hooks.done.map((h) => `: > "$dir/.${h}Marker"`),
    ...hooks.pending.map((h) => `rm -f "$dir/.${h}Marker"`)
  ].join("\n");
  await docker(["exec", ...remoteUser ? ["-u", remoteUser] : [], containerId, "/bin/sh", "-c", script], { env: t.env });
}
async function commitAndPush(t, containerId, remoteUser, references, labels, secrets = []) {
  const [first, ...rest] = references;
  if (!first) throw new Error("commitAndPush: no image reference");
  const metadata = (await docker(["inspect", "--format", '{{index .Config.Labels "devcontainer.metadata"}}', containerId], { env: t.env })).stdout.trim();
  if (!metadata || metadata === "<no value>")
    throw new Error(`The container ${containerId.slice(0, 12)} has no devcontainer.metadata label: not started by @devcontainers/cli`);
  await sealLifecycleMarkers(t, containerId, remoteUser);
  const changes = Object.entries({ ...labels, [SEALED_MARKERS_LABEL]: "sealed" }).flatMap(([k, v]) => ["--change", `LABEL ${k}=${JSON.stringify(v)}`]);
  await docker(["commit", ...changes, containerId, first], { env: t.env, log: t.log, title: `docker commit ${containerId.slice(0, 12)} ${first}` });
  for (const ref of rest) await docker(["tag", first, ref], { env: t.env });
  const leaks = await imageSecretLeaks(first, secrets, t.env);
  if (leaks.length > 0)
    throw new Error(
      `Refusing to push the prebuilt image: its configuration or history contains the value of the secret${leaks.length > 1 ? "s" : ""} ${leaks.join(", ")}`
    );
  const started = performance.now();
  for (const ref of references) await docker(["push", ref], { env: t.env, log: t.log, title: `docker push ${ref}` });
  const pushMs = Math.round(performance.now() - started);
  const inspect = JSON.parse((await docker(["image", "inspect", "--format", "{{json .}}", first], { env: t.env })).stdout);
  const repo = first.slice(0, first.lastIndexOf(":"));
  const digest = (inspect.RepoDigests ?? []).find((d) => d.startsWith(`${repo}@`))?.split("@")[1];
  if (!digest) throw new Error(`docker push ${first} reported no digest`);
  return { references, digest, pinned: pinned(first, digest), bytes: inspect.Size ?? 0, pushMs };
}
async function localImageLabels(reference, env) {
  return docker(["image", "inspect", "--format", "{{json .Config.Labels}}", reference], { env }).then(
    (r) => JSON.parse(r.stdout.trim() || "null") ?? {},
    () => null
  );
}
async function pull(reference, env, log, retry = {}) {
  if (/@sha256:[0-9a-f]{64}$/.test(reference) && await localImageLabels(reference, env) !== null) return 0;
  const started = performance.now();
  await withPullRetries(() => docker(["pull", reference], { env, log, title: `docker pull ${reference}` }), {
    onRetry: (attempt, error, waitMs) => log?.warning(`docker pull ${reference} failed (${error.message.split("\n").pop()}): attempt ${attempt} in ${waitMs} ms`),
    ...retry
  });
  return Math.round(performance.now() - started);
}
async function removeContainer(containerId, env) {
  await docker(["rm", "-f", "-v", containerId], { env }).catch(() => void 0);
}
async function containerImage(containerId, env) {
  return docker(["inspect", "--format", "{{.Image}}", containerId], { env }).then(
    (r) => r.stdout.trim(),
    () => null
  );
}
async function mountsLeftOut(containerId, workspaceFolder, env) {
  const { stdout } = await docker(["inspect", "--format", "{{json .Mounts}}", containerId], { env }).catch(() => ({ stdout: "[]" }));
  let mounts;
  try {
    mounts = JSON.parse(stdout);
  } catch {
    return [];
  }
  const inside = (d) => workspaceFolder !== "" && d.startsWith(`${workspaceFolder.replace(/\/+$/, "")}/`);
  return (Array.isArray(mounts) ? mounts : []).filter((m) => typeof m.Destination === "string" && m.Destination !== workspaceFolder).filter((m) => m.Type !== "bind" || !inside(m.Destination)).map((m) => `${m.Destination} (${m.Type ?? "mount"})`);
}

export {
  toProjectName,
  defaultProjectName,
  composeConfigName,
  projectImages,
  composeDown,
  namedSecrets,
  writeSecretsFile,
  PullError,
  up,
  runUserCommands,
  writePrebuiltConfig,
  writeBuildConfig,
  SEALED_MARKERS_LABEL,
  commitAndPush,
  localImageLabels,
  pull,
  removeContainer,
  containerImage,
  mountsLeftOut
};
//# sourceMappingURL=chunk-NNFF4U5H.js.map
