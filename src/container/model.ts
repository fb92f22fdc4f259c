/**
 * Container mode, the pure part: when it applies, how prebuilt images are named
 * and labelled, the configuration `devcontainer up` gets for a prebuilt image, and
 * reading the Dev Containers CLI's output (REFERENCE.md "Dev Container lifecycle",
 * "Real services on this machine"). Shared by the action and the CLI.
 */
import path from 'node:path';
import type { Environment, LifecycleHook, ResolvedConfiguration, SingleCommand } from '../config/model.js';
import { keySegment } from '../lifecycle/snapshot-key.js';

/** Values of the `container-mode` input / `--container-mode` option. */
export const CONTAINER_MODES = ['auto', 'host', 'container'] as const;
/** One of {@link CONTAINER_MODES}. */
export type ContainerModeSetting = (typeof CONTAINER_MODES)[number];
/** Where a prebuild runs. */
export type ExecutionMode = 'host' | 'container';

/** The compose service of the dev container (devcontainer.json `service`), `null` when absent or not a name. */
export function composeService(environment: Pick<Environment, 'parsed'>): string | null {
  const parsed = environment.parsed;
  const service = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).service : undefined;
  return typeof service === 'string' && service.trim() !== '' ? service : null;
}

/**
 * Why a configuration cannot be prebuilt in container mode, or `null` when it can:
 * it must name an `image` or a Dockerfile (devcontainer.json `image`/`build`,
 * `.gitpod.yml` `image`/`image.file`), or Docker Compose files with the `service` that is
 * the dev container (devcontainer.json `dockerComposeFile` + `service`).
 */
export function containerUnsupported(configuration: ResolvedConfiguration): string | null {
  const env = configuration.environment;
  if (env.dockerComposeFiles.length > 0)
    return composeService(env) ? null : `${env.file} uses Docker Compose but names no \`service\` (the compose service of the dev container)`;
  if (!env.image && !env.build) return `${env.file} names no image and no Dockerfile`;
  return null;
}

/** A single command in devcontainer.json form: a Gitpod task (bash) becomes `bash -c`, its env `env K=V …`. */
function devcontainerSingle(c: SingleCommand): string | string[] {
  const envPrefix = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const argv = c.kind === 'exec' ? c.argv : c.shell === 'bash' || envPrefix.length > 0 ? [c.shell === 'bash' ? 'bash' : '/bin/sh', '-c', c.command] : null;
  if (argv === null) return (c as { command: string }).command;
  return envPrefix.length > 0 ? ['env', ...envPrefix, ...argv] : argv;
}

/**
 * The devcontainer.json @devcontainers/cli gets for a `.gitpod.yml` (`--override-config`):
 * its `image` (or `image.file` as `build`, paths absolute), and the lifecycle commands
 * the model maps Gitpod's tasks to (`before` + `init` → updateContentCommand, `before` +
 * `command` → postStartCommand), run with `bash` as Gitpod does.
 */
export function gitpodDevcontainer(environment: Environment, workspace: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (environment.build) {
    out.build = {
      dockerfile: path.join(workspace, environment.build.dockerfile),
      context: path.join(workspace, environment.build.context),
      args: environment.build.args,
    };
  } else if (environment.image) out.image = environment.image;
  for (const hook of CONTAINER_HOOKS) {
    const command = environment.lifecycle[hook];
    if (!command) continue;
    out[hook] =
      command.kind === 'parallel'
        ? Object.fromEntries(Object.entries(command.commands).map(([name, c]) => [name, devcontainerSingle(c)]))
        : devcontainerSingle(command);
  }
  if (Object.keys(environment.containerEnv).length > 0) out.containerEnv = environment.containerEnv;
  if (Object.keys(environment.remoteEnv).length > 0) out.remoteEnv = environment.remoteEnv;
  return out;
}

/**
 * Chooses the execution mode (SPEC/issue 9: `auto` is container when the
 * configuration names an image, a Dockerfile or compose files with a `service`, Docker answers and a registry is set).
 * @param dockerProblem why Docker cannot be used, `null` when it can
 * @returns the mode and, for `auto` falling back to host, the reason
 * @throws Error for `container` when it cannot run (the reason)
 */
export function chooseExecutionMode(
  setting: ContainerModeSetting,
  configuration: ResolvedConfiguration,
  facts: { dockerProblem: string | null; registry: string },
): { mode: ExecutionMode; reason: string } {
  if (setting === 'host') return { mode: 'host', reason: 'container-mode: host' };
  const problem =
    containerUnsupported(configuration) ??
    (facts.dockerProblem ? `Docker cannot be used: ${facts.dockerProblem}` : null) ??
    (facts.registry ? null : 'no registry is set (the "registry" input) to push the prebuilt image to');
  if (problem === null)
    return {
      mode: 'container',
      reason: setting === 'auto' ? 'container-mode: auto, and the configuration names an image, a Dockerfile or compose files' : 'container-mode: container',
    };
  if (setting === 'container') throw new Error(`container-mode: container cannot run: ${problem}`);
  return { mode: 'host', reason: `container-mode: auto chose host: ${problem}` };
}

/** Docker labels on a prebuild's container and image (and `--id-label`s of `devcontainer up`). */
export function prebuildLabels(p: { configuration: ResolvedConfiguration; sha: string; prebuildId: string }): Record<string, string> {
  return {
    'prebuilds.prebuild': p.prebuildId,
    'prebuilds.configuration': p.configuration.settings.name,
    'prebuilds.sha': p.sha,
    'prebuilds.identity': p.configuration.identity,
  };
}

/** `--id-label k=v` pairs. */
export function idLabelArgs(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--id-label', `${k}=${v}`]);
}

/**
 * The image repository of a configuration's prebuilds: `<registry>/<configuration>`,
 * lower-case (OCI names), e.g. `ghcr.io/octo/app/prebuilds/web`.
 * @throws Error for a registry that is not a valid repository prefix
 */
export function imageRepository(registry: string, configuration: string): string {
  const prefix = registry.trim().replace(/\/+$/, '').toLowerCase();
  if (!/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/.test(prefix)) {
    throw new Error(`Invalid registry "${registry}": expected HOST[:PORT][/PATH], e.g. ghcr.io/OWNER/REPO/prebuilds`);
  }
  const name =
    keySegment(configuration)
      .toLowerCase()
      .replace(/^[._-]+|[._-]+$/g, '')
      .replace(/[._-]{2,}/g, '-') || 'default';
  return `${prefix}/${name}`;
}

/**
 * The tags a prebuild pushes: `sha-<sha>` (this commit) and `identity-<32 hex>` (the
 * newest prebuild of this configuration identity: `--cache-from` of the next full build).
 */
export function imageTags(repository: string, sha: string, identity: string): { sha: string; identity: string } {
  return { sha: `${repository}:sha-${sha}`, identity: `${repository}:identity-${identity.slice(0, 32)}` };
}

/** `repository@digest` from a tagged reference and a digest. */
export function pinned(reference: string, digest: string): string {
  const at = reference.indexOf('@');
  const base = at >= 0 ? reference.slice(0, at) : reference;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const repository = colon > slash ? base.slice(0, colon) : base;
  return `${repository}@${digest}`;
}

/**
 * Properties the image's `devcontainer.metadata` label already carries (the CLI's
 * `pickConfigProperties`); left out of the configuration for a prebuilt image, or
 * the CLI would merge them twice (lifecycle commands would run twice).
 */
const METADATA_PROPERTIES = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
  'waitFor',
  'customizations',
  'mounts',
  'containerEnv',
  'containerUser',
  'init',
  'privileged',
  'capAdd',
  'securityOpt',
  'remoteUser',
  'userEnvProbe',
  'remoteEnv',
  'overrideCommand',
  'portsAttributes',
  'otherPortsAttributes',
  'forwardPorts',
  'shutdownAction',
  'updateRemoteUserUID',
  'hostRequirements',
  'entrypoint',
];
/** How the environment is built: replaced by the prebuilt image. */
const BUILD_PROPERTIES = ['image', 'build', 'dockerFile', 'context', 'dockerComposeFile', 'service', 'runServices', 'features', 'overrideFeatureInstallOrder'];

/**
 * The devcontainer.json `devcontainer up --override-config` gets to start from a
 * prebuilt image: the original document without how it is built (image, build,
 * Features: all in the image) and without what the image's `devcontainer.metadata`
 * label carries (lifecycle commands, env, user, mounts…), plus `image`. What stays
 * is how the workspace is mounted (`workspaceFolder`, `workspaceMount`, `runArgs`,
 * `initializeCommand`, …).
 *
 * For a Docker Compose configuration pass `composeFile`, the generated compose file whose
 * `service` runs the prebuilt image (compose.ts `writePrebuiltCompose`): it replaces
 * `dockerComposeFile`, and `service` and `runServices` stay; there is no `image`.
 */
export function prebuiltConfig(environment: Pick<Environment, 'format' | 'parsed'>, image: string, composeFile?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const parsed = environment.format === 'devcontainer' ? environment.parsed : null; // a .gitpod.yml: everything is in the image's label
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const [k, v] of Object.entries(parsed)) {
      if (!METADATA_PROPERTIES.includes(k) && !BUILD_PROPERTIES.includes(k)) out[k] = v;
    }
    if (composeFile) {
      const doc = parsed as Record<string, unknown>;
      out.dockerComposeFile = [composeFile];
      out.service = doc.service;
      if (doc.runServices !== undefined) out.runServices = doc.runServices;
      return out;
    }
  }
  out.image = image;
  return out;
}

/**
 * Default most layers an incremental image may have (the `max-image-layers` input). Each
 * incremental prebuild commits one layer on top of its base's image; overlay2 mounts at
 * most 128 lower layers (Docker refuses images past ~125: "max depth exceeded"), so a
 * chain must be cut well before.
 */
export const DEFAULT_MAX_IMAGE_LAYERS = 100;

/**
 * The layer-count policy, decided here only: an incremental prebuild commits one layer on
 * its base's image (`baseLayers` + 1); when that would pass `maxLayers`, the prebuild is
 * full instead (the environment rebuilt from the Dockerfile/image and Features, with the
 * layer cache of the previous image, and onCreate + updateContent run again), which starts
 * a new chain at the build's own depth.
 * @param baseLayers layers of the base's image (`RootFS.Layers`)
 * @param maxLayers the limit (≥ 2)
 * @returns `null` to go incremental, else why the prebuild is full
 */
export function layerLimitReason(baseLayers: number, maxLayers: number): string | null {
  if (baseLayers + 1 <= maxLayers) return null;
  return `the base's image has ${baseLayers} layers and an incremental prebuild adds one, past max-image-layers ${maxLayers} (overlay2 mounts at most 128)`;
}

/**
 * Parses a `max-image-layers` value: empty → {@link DEFAULT_MAX_IMAGE_LAYERS}.
 * @throws Error for anything but an integer from 2 to 125
 */
export function parseMaxImageLayers(value: string): number {
  if (value.trim() === '') return DEFAULT_MAX_IMAGE_LAYERS;
  const n = Number(value.trim());
  if (!Number.isInteger(n) || n < 2 || n > 125)
    throw new Error(`Invalid "max-image-layers" input "${value}": expected an integer from 2 to 125 (overlay2's limit)`);
  return n;
}

/** The result line of `devcontainer up`. */
export interface UpResult {
  containerId: string;
  remoteUser: string;
  remoteWorkspaceFolder: string;
}

/**
 * Reads the JSON result line `devcontainer up` prints last on stdout.
 * @throws Error with the CLI's message for `{"outcome":"error"}` or unreadable output
 */
export function parseUpResult(stdout: string): UpResult {
  for (const line of stdout.trim().split('\n').reverse()) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (v.outcome === 'success' && typeof v.containerId === 'string') {
      return { containerId: v.containerId, remoteUser: String(v.remoteUser ?? ''), remoteWorkspaceFolder: String(v.remoteWorkspaceFolder ?? '') };
    }
    if (v.outcome === 'error') {
      const parts = [v.description, v.message].filter((p): p is string => typeof p === 'string' && p !== '');
      throw new Error(`devcontainer up failed: ${parts.length === 2 ? `${parts[0]!.replace(/\.$/, '')} (${parts[1]})` : (parts[0] ?? 'unknown error')}`);
    }
  }
  throw new Error('devcontainer up printed no result line');
}

/** The hooks that run inside the container, in order. */
export const CONTAINER_HOOKS = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const satisfies readonly LifecycleHook[];

/**
 * When each hook started in the text log of `devcontainer up` (`[ISO time] Running the
 * onCreateCommand from …`), for per-hook durations of a prebuild the CLI ran.
 * @param endMs epoch ms when `up` ended (closes the last hook)
 * @returns duration (ms) and start (ISO) of each hook that ran
 */
export function hookTimesFromLog(log: string, endMs: number): Partial<Record<LifecycleHook, { startedAt: string; durationMs: number }>> {
  const starts: Array<[LifecycleHook, number]> = [];
  for (const m of log.matchAll(/^\[(\d{4}-\d\d-\d\dT[\d:.]+Z)\] Running the (\w+Command) from /gm)) {
    const hook = m[2] as LifecycleHook;
    const at = Date.parse(m[1]!);
    if (!starts.some(([h]) => h === hook) && Number.isFinite(at)) starts.push([hook, at]);
  }
  const out: Partial<Record<LifecycleHook, { startedAt: string; durationMs: number }>> = {};
  starts.forEach(([hook, at], i) => {
    const end = starts[i + 1]?.[1] ?? endMs;
    out[hook] = { startedAt: new Date(at).toISOString(), durationMs: Math.max(0, Math.round(end - at)) };
  });
  return out;
}
