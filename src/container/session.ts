/**
 * One dev container driven through @devcontainers/cli: start it (a prebuild build
 * with `devcontainer up --prebuild`, or from a prebuilt image with
 * `--skip-post-create`), run lifecycle hooks in it (`devcontainer exec`, with the
 * shared src/lifecycle runner), commit and push it, remove it. Node-only.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment, LifecycleCommand, LifecycleHook, SingleCommand } from '../config/model.js';
import { runHook, type HookRun, type LifecycleLog } from '../lifecycle/run-hooks.js';
import { gitpodDevcontainer, idLabelArgs, mergedLifecycle, parseUpResult, pinned, prebuiltConfig, type UpResult } from './model.js';
import { docker, runTool, type DevcontainerCli } from './tools.js';

/** How to address one dev container with the CLI. */
export interface ContainerTarget {
  cli: DevcontainerCli;
  /** Absolute path of the workspace on this machine (bind-mounted into the container). */
  workspace: string;
  /** Repository-relative devcontainer.json path. */
  configFile: string;
  /** `--id-label`s identifying the container. */
  labels: Record<string, string>;
  /** `--override-config` file (starting from a prebuilt image), if any. */
  overrideConfig?: string;
  env: NodeJS.ProcessEnv;
  log: LifecycleLog;
}

/** The CLI arguments naming the workspace, configuration and container. */
function targetArgs(t: ContainerTarget): string[] {
  const args = ['--workspace-folder', t.workspace];
  // A devcontainer.json outside the default lookup is named; a .gitpod.yml is passed as an override config.
  const devcontainer = /(^|\/)\.?devcontainer\.json$/.test(t.configFile);
  if (devcontainer && t.configFile !== '.devcontainer/devcontainer.json' && t.configFile !== '.devcontainer.json')
    args.push('--config', path.join(t.workspace, t.configFile));
  if (t.overrideConfig) args.push('--override-config', t.overrideConfig);
  return [...args, ...idLabelArgs(t.labels)];
}

/** A started container: the CLI's result, and how long `up` took (ms). */
export interface StartedContainer extends UpResult {
  upMs: number;
  /** The text log of `devcontainer up` (hook start times). */
  log: string;
}

/**
 * `devcontainer up` for `t`. With `prebuild`, stops after updateContentCommand (the
 * CLI runs onCreate + updateContent, Features' included); with `skipLifecycle`, runs
 * no lifecycle command (`--skip-post-create`).
 * @throws Error with the CLI's message when the build or a command fails
 */
export async function up(
  t: ContainerTarget,
  opts: { prebuild?: boolean; skipLifecycle?: boolean; cacheFrom?: string[]; title?: string },
): Promise<StartedContainer> {
  const args = ['up', ...targetArgs(t), '--remove-existing-container', '--log-format', 'text'];
  if (opts.prebuild) args.push('--prebuild');
  if (opts.skipLifecycle) args.push('--skip-post-create');
  for (const ref of opts.cacheFrom ?? []) args.push('--cache-from', ref);
  let run;
  try {
    run = await runTool([...t.cli, ...args], { env: t.env, cwd: t.workspace, log: t.log, title: opts.title ?? `devcontainer ${args.join(' ')}` });
  } catch (err) {
    // The CLI prints its JSON result even when it fails: prefer its message.
    const out = (err as { output?: string }).output ?? '';
    parseUpResult(out);
    throw err;
  }
  return { ...parseUpResult(run.stdout), upMs: run.durationMs, log: run.output };
}

/**
 * The lifecycle commands of the merged configuration (the image's
 * `devcontainer.metadata`: Features' first, then devcontainer.json's), variables
 * substituted by the CLI. With `fromImage`, read from the image the configuration
 * names (an id label that matches no container), so it can run while `up` starts the
 * container; else from the running container.
 */
export async function readMergedLifecycle(t: ContainerTarget, fromImage = false): Promise<Partial<Record<LifecycleHook, LifecycleCommand[]>>> {
  const target = fromImage ? { ...t, labels: { 'prebuilds.read-configuration': randomUUID() } } : t;
  const { stdout } = await runTool([...t.cli, 'read-configuration', ...targetArgs(target), '--include-merged-configuration'], { env: t.env, cwd: t.workspace });
  return mergedLifecycle(stdout);
}

/** Turns a command into `devcontainer exec … <command>` (cwd: the workspace folder in the container; remoteEnv applies). */
export function execWrapper(t: ContainerTarget): (command: SingleCommand) => SingleCommand {
  return (command) => {
    const envArgs = Object.entries(command.env ?? {}).flatMap(([k, v]) => ['--remote-env', `${k}=${v}`]);
    const argv = command.kind === 'shell' ? [command.shell === 'bash' ? 'bash' : '/bin/sh', '-c', command.command] : command.argv;
    return { kind: 'exec', argv: [...t.cli, 'exec', ...targetArgs(t), ...envArgs, ...argv] };
  };
}

/**
 * Runs one hook's commands (each entry of the merged list, in order) inside the
 * container, with the shared runner: same log groups, same error messages.
 * @returns the run (durations summed over the entries), `null` when the hook has no command
 * @throws LifecycleError when a command fails
 */
export async function runHookInContainer(t: ContainerTarget, hook: LifecycleHook, commands: LifecycleCommand[]): Promise<HookRun | null> {
  if (commands.length === 0) return null;
  const startedAt = new Date().toISOString();
  const started = performance.now();
  const all: Record<string, number> = {};
  for (const command of commands) {
    const run = await runHook(hook, command, { cwd: t.workspace, env: t.env, log: t.log, wrap: execWrapper(t) });
    Object.assign(all, run.commands);
  }
  return { hook, startedAt, durationMs: Math.round(performance.now() - started), commands: all };
}

/** Writes the `--override-config` for starting from the prebuilt `image` into `dir`; returns its path. */
export async function writePrebuiltConfig(dir: string, environment: Pick<Environment, 'format' | 'parsed'>, image: string): Promise<string> {
  const file = path.join(dir, 'devcontainer.prebuilt.json');
  await writeFile(file, `${JSON.stringify(prebuiltConfig(environment, image), null, 2)}\n`);
  return file;
}

/**
 * The `--override-config` a configuration needs to be built by the CLI: none for a
 * devcontainer.json (the CLI reads it), a generated devcontainer.json for a `.gitpod.yml`.
 * @returns its path, or `undefined`
 */
export async function writeBuildConfig(dir: string, environment: Environment, workspace: string): Promise<string | undefined> {
  if (environment.format === 'devcontainer') return undefined;
  const file = path.join(dir, 'devcontainer.gitpod.json');
  await writeFile(file, `${JSON.stringify(gitpodDevcontainer(environment, workspace), null, 2)}\n`);
  return file;
}

/**
 * The label a prebuilt image carries when its @devcontainers/cli lifecycle markers are
 * sealed (see {@link sealLifecycleMarkers}): a plain `devcontainer up` from it runs only
 * postCreate, postStart and postAttach.
 */
export const SEALED_MARKERS_LABEL = 'prebuilds.lifecycle-markers';

/**
 * Marks onCreateCommand and updateContentCommand as done for every container made from
 * this one's commit, and postCreate/postStart/postAttach as not done yet.
 *
 * @devcontainers/cli 0.89 keeps one marker file per hook in the remote user's
 * `~/.devcontainer` (`.onCreateCommandMarker`, …) holding the container's creation time:
 * a hook runs when its marker's content differs from the current container's. A committed
 * image's markers name the prebuild's container, so a new container would run every hook
 * again; an EMPTY marker counts as "ran in this container" (the CLI's
 * `"${CONTENT:-<createdAt>}" != <createdAt>` test), which is what a prebuilt image needs.
 * Runs as `remoteUser` with `docker exec` (its passwd HOME: the CLI's user data folder).
 * @throws ToolError when the container does not answer
 */
export async function sealLifecycleMarkers(t: ContainerTarget, containerId: string, remoteUser: string): Promise<void> {
  const script = [
    'set -e',
    'dir="$HOME/.devcontainer"',
    'mkdir -p "$dir"',
    ': > "$dir/.onCreateCommandMarker"',
    ': > "$dir/.updateContentCommandMarker"',
    'rm -f "$dir/.postCreateCommandMarker" "$dir/.postStartCommandMarker" "$dir/.postAttachCommandMarker"',
  ].join('\n');
  await docker(['exec', ...(remoteUser ? ['-u', remoteUser] : []), containerId, '/bin/sh', '-c', script], { env: t.env });
}

/** A pushed image: tagged references, the digest, the pinned reference, the size (bytes). */
export interface PushedImage {
  references: string[];
  digest: string;
  pinned: string;
  bytes: number;
  /** `docker push` time, ms. */
  pushMs: number;
}

/**
 * Commits the container into an image tagged with every reference (labels kept:
 * the container's `devcontainer.metadata` carries Features' and the configuration's
 * lifecycle commands, env and user; `labels` are added) and pushes each tag.
 * @throws ToolError when commit or push fails (nothing is left tagged locally: see {@link removeImages})
 */
export async function commitAndPush(
  t: ContainerTarget,
  containerId: string,
  remoteUser: string,
  references: string[],
  labels: Record<string, string>,
): Promise<PushedImage> {
  const [first, ...rest] = references;
  if (!first) throw new Error('commitAndPush: no image reference');
  const metadata = (await docker(['inspect', '--format', '{{index .Config.Labels "devcontainer.metadata"}}', containerId], { env: t.env })).stdout.trim();
  if (!metadata || metadata === '<no value>')
    throw new Error(`The container ${containerId.slice(0, 12)} has no devcontainer.metadata label: not started by @devcontainers/cli`);
  await sealLifecycleMarkers(t, containerId, remoteUser);
  const changes = Object.entries({ ...labels, [SEALED_MARKERS_LABEL]: 'sealed' }).flatMap(([k, v]) => ['--change', `LABEL ${k}=${JSON.stringify(v)}`]);
  await docker(['commit', ...changes, containerId, first], { env: t.env, log: t.log, title: `docker commit ${containerId.slice(0, 12)} ${first}` });
  for (const ref of rest) await docker(['tag', first, ref], { env: t.env });
  const started = performance.now();
  for (const ref of references) await docker(['push', ref], { env: t.env, log: t.log, title: `docker push ${ref}` });
  const pushMs = Math.round(performance.now() - started);
  const inspect = JSON.parse((await docker(['image', 'inspect', '--format', '{{json .}}', first], { env: t.env })).stdout) as {
    RepoDigests?: string[];
    Size?: number;
  };
  const repo = first.slice(0, first.lastIndexOf(':'));
  const digest = (inspect.RepoDigests ?? []).find((d) => d.startsWith(`${repo}@`))?.split('@')[1];
  if (!digest) throw new Error(`docker push ${first} reported no digest`);
  return { references, digest, pinned: pinned(first, digest), bytes: inspect.Size ?? 0, pushMs };
}

/** The labels of a local image, `null` when the engine does not have it. */
export async function localImageLabels(reference: string, env: NodeJS.ProcessEnv): Promise<Record<string, string> | null> {
  return docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', reference], { env }).then(
    (r) => (JSON.parse(r.stdout.trim() || 'null') as Record<string, string> | null) ?? {},
    () => null,
  );
}

/**
 * Pulls `reference`, unless it is pinned by digest (`repo@sha256:…`) and the engine already
 * has that image (a digest names one content: nothing newer can exist).
 * @returns the time it took (ms; 0 when skipped)
 * @throws ToolError when the registry does not have it
 */
export async function pull(reference: string, env: NodeJS.ProcessEnv, log?: LifecycleLog): Promise<number> {
  if (/@sha256:[0-9a-f]{64}$/.test(reference) && (await localImageLabels(reference, env)) !== null) {
    log?.info(`${reference} is already on the engine: not pulled`);
    return 0;
  }
  return (await docker(['pull', reference], { env, log, title: `docker pull ${reference}` })).durationMs;
}

/** Removes a container (never throws: cleanup). */
export async function removeContainer(containerId: string, env: NodeJS.ProcessEnv): Promise<void> {
  await docker(['rm', '-f', '-v', containerId], { env }).catch(() => undefined);
}

/** Removes image references (tags or ids) that exist (never throws: cleanup). */
export async function removeImages(references: string[], env: NodeJS.ProcessEnv): Promise<void> {
  for (const ref of references) await docker(['image', 'rm', '--force', ref], { env }).catch(() => undefined);
}

/** The image a container runs (its id), `null` when the container is gone. */
export async function containerImage(containerId: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return docker(['inspect', '--format', '{{.Image}}', containerId], { env }).then(
    (r) => r.stdout.trim(),
    () => null,
  );
}
