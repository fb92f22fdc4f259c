/**
 * One dev container driven through @devcontainers/cli: start it (a prebuild build
 * with `devcontainer up --prebuild`, or from a prebuilt image), run lifecycle hooks in
 * it (the CLI's own passes: `up`, `run-user-commands`, steered by its per-container
 * markers), commit and push it, remove it. Node-only.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Environment, LifecycleHook } from '../config/model.js';
import type { PrebuildHook } from '../lifecycle/plan.js';
import type { LifecycleLog } from '../lifecycle/run-hooks.js';
import type { SecretValue } from '../lifecycle/snapshot/secret-scan.js';
import { writePrebuiltCompose } from './compose.js';
import { withPullRetries, type PullRetry } from './pull.js';
import { imageSecretLeaks } from './secrets.js';
import { gitpodDevcontainer, idLabelArgs, parseUpResult, pinned, prebuiltConfig, type UpResult } from './model.js';
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
  /**
   * `--secrets-file` (a 0600 JSON file of name → value, see secrets.ts): the CLI gives the
   * values to lifecycle commands as environment variables and masks them in its log; they
   * are not part of the container's configuration, so a commit does not keep them.
   */
  secretsFile?: string;
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
 * no lifecycle command (`--skip-post-create`); `signal` stops the CLI when aborted (it
 * then fails).
 * @throws Error with the CLI's message when the build or a command fails
 */
export async function up(
  t: ContainerTarget,
  opts: { prebuild?: boolean; skipLifecycle?: boolean; cacheFrom?: string[]; title?: string; signal?: AbortSignal },
): Promise<StartedContainer> {
  const args = ['up', ...targetArgs(t), '--remove-existing-container', '--log-format', 'text'];
  if (opts.prebuild) args.push('--prebuild');
  if (opts.skipLifecycle) args.push('--skip-post-create');
  if (t.secretsFile) args.push('--secrets-file', t.secretsFile);
  for (const ref of opts.cacheFrom ?? []) args.push('--cache-from', ref);
  let run;
  try {
    run = await runTool([...t.cli, ...args], {
      env: t.env,
      cwd: t.workspace,
      log: t.log,
      title: opts.title ?? `devcontainer ${args.join(' ')}`,
      signal: opts.signal,
    });
  } catch (err) {
    // The CLI prints its JSON result even when it fails: prefer its message.
    const out = (err as { output?: string }).output ?? '';
    parseUpResult(out);
    throw err;
  }
  return { ...parseUpResult(run.stdout), upMs: run.durationMs, log: run.output };
}

/**
 * Runs the lifecycle commands of a started container (`devcontainer up
 * --skip-post-create` made it) with `devcontainer run-user-commands`: Features' and the
 * configuration's, in the CLI's order, secrets included. Which hooks run is decided by the
 * CLI's markers (see {@link setLifecycleMarkers}, called first): `rerun` lists the prebuild
 * hooks to run again, every other prebuild hook is marked done; postCreate, postStart and
 * postAttach run unless `prebuild` (then the CLI stops after updateContentCommand, which
 * it always runs).
 * @returns the CLI's text log (hook start times: model.ts hookTimesFromLog) and the duration (ms)
 * @throws ToolError naming the failing command
 */
export async function runUserCommands(
  t: ContainerTarget,
  container: { containerId: string; remoteUser: string },
  opts: { rerun: readonly PrebuildHook[]; prebuild?: boolean },
): Promise<{ log: string; durationMs: number }> {
  await setLifecycleMarkers(t, container.containerId, container.remoteUser, {
    done: PREBUILD_HOOKS.filter((h) => !opts.rerun.includes(h)),
    pending: [...opts.rerun, ...POST_HOOKS],
  });
  const args = ['run-user-commands', ...targetArgs(t), '--log-format', 'text'];
  if (opts.prebuild) args.push('--prebuild');
  if (t.secretsFile) args.push('--secrets-file', t.secretsFile);
  const run = await runTool([...t.cli, ...args], { env: t.env, cwd: t.workspace, log: t.log, title: `devcontainer ${args.join(' ')}` });
  return { log: run.output, durationMs: run.durationMs };
}

/**
 * Writes the `--override-config` for starting from the prebuilt `image` into `dir`; returns
 * its path. For a Docker Compose configuration also the compose file that starts its
 * `service` from `image` (compose.ts), read from the compose files in `workspace`, into
 * `where.composeDir` (default `dir`): compose fills in variables from the environment, so
 * a caller whose `dir` is in the workspace gives a private directory outside it.
 * @throws ToolError when compose cannot read the configuration's compose files
 */
export async function writePrebuiltConfig(
  dir: string,
  environment: Pick<Environment, 'format' | 'parsed' | 'dockerComposeFiles'>,
  image: string,
  where: { workspace: string; env: NodeJS.ProcessEnv; composeDir?: string },
): Promise<string> {
  const composeFile =
    environment.dockerComposeFiles.length > 0 ? await writePrebuiltCompose(where.composeDir ?? dir, environment, where.workspace, image, where.env) : undefined;
  const file = path.join(dir, 'devcontainer.prebuilt.json');
  await writeFile(file, `${JSON.stringify(prebuiltConfig(environment, image, composeFile), null, 2)}\n`);
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
  await setLifecycleMarkers(t, containerId, remoteUser, { done: PREBUILD_HOOKS, pending: POST_HOOKS });
}

const PREBUILD_HOOKS = ['onCreateCommand', 'updateContentCommand'] as const satisfies readonly PrebuildHook[];
const POST_HOOKS = ['postCreateCommand', 'postStartCommand', 'postAttachCommand'] as const satisfies readonly LifecycleHook[];

/**
 * Sets @devcontainers/cli's lifecycle markers in a container (see {@link sealLifecycleMarkers}):
 * each `done` hook counts as ran in this container and every container made from its
 * commit (empty marker), each `pending` hook runs at the CLI's next lifecycle pass (no marker).
 * @throws ToolError when the container does not answer
 */
export async function setLifecycleMarkers(
  t: ContainerTarget,
  containerId: string,
  remoteUser: string,
  hooks: { done: readonly LifecycleHook[]; pending: readonly LifecycleHook[] },
): Promise<void> {
  const script = [
    'set -e',
    'dir="$HOME/.devcontainer"',
    'mkdir -p "$dir"',
    ...hooks.done.map((h) => `: > "$dir/.${h}Marker"`),
    ...hooks.pending.map((h) => `rm -f "$dir/.${h}Marker"`),
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
 * lifecycle commands, env and user; `labels` are added) and pushes each tag — unless
 * the image's configuration or history holds one of `secrets` (secrets.ts).
 * @throws Error naming the secret (never its value) when the image holds one; ToolError when commit or push fails (nothing is left tagged locally: see {@link removeImages})
 */
export async function commitAndPush(
  t: ContainerTarget,
  containerId: string,
  remoteUser: string,
  references: string[],
  labels: Record<string, string>,
  secrets: readonly SecretValue[] = [],
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
  const leaks = await imageSecretLeaks(first, secrets, t.env);
  if (leaks.length > 0)
    throw new Error(
      `Refusing to push the prebuilt image: its configuration or history contains the value of the secret${leaks.length > 1 ? 's' : ''} ${leaks.join(', ')}`,
    );
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
 * has that image (a digest names one content: nothing newer can exist). A transient failure
 * (connection reset, timeout, 5xx) is tried again after a short backoff; one the registry
 * means (not found, manifest unknown, unauthorized) is not (pull.ts).
 * @param retry attempts and backoff (default pull.ts's); each retry is logged as a warning when `log` is given
 * @returns the time it took (ms, all attempts; 0 when skipped)
 * @throws PullError (attempts made, whether the last failure was transient) when it cannot be pulled
 */
export async function pull(reference: string, env: NodeJS.ProcessEnv, log?: LifecycleLog, retry: PullRetry = {}): Promise<number> {
  if (/@sha256:[0-9a-f]{64}$/.test(reference) && (await localImageLabels(reference, env)) !== null) return 0;
  const started = performance.now();
  await withPullRetries(() => docker(['pull', reference], { env, log, title: `docker pull ${reference}` }), {
    onRetry: (attempt, error, waitMs) =>
      log?.warning(`docker pull ${reference} failed (${error.message.split('\n').pop()}): attempt ${attempt} in ${waitMs} ms`),
    ...retry,
  });
  return Math.round(performance.now() - started);
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

/**
 * The container's mount points outside `workspaceFolder` (named and anonymous volumes,
 * bind mounts: `docker inspect` `.Mounts`): `docker commit` keeps nothing written there,
 * and the workspace snapshot covers only the workspace, so a prebuild warns about each.
 * @param workspaceFolder the workspace's path in the container
 * @returns their destinations with their kind, e.g. `/workspace/node_modules (volume)`; [] when the engine cannot say
 */
export async function mountsLeftOut(containerId: string, workspaceFolder: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout } = await docker(['inspect', '--format', '{{json .Mounts}}', containerId], { env }).catch(() => ({ stdout: '[]' }));
  let mounts: Array<{ Type?: string; Destination?: string }>;
  try {
    mounts = JSON.parse(stdout) as typeof mounts;
  } catch {
    return [];
  }
  const inside = (d: string) => workspaceFolder !== '' && d.startsWith(`${workspaceFolder.replace(/\/+$/, '')}/`);
  // A bind mount inside the workspace holds host files the snapshot has; a volume anywhere does not.
  return (Array.isArray(mounts) ? mounts : [])
    .filter((m): m is { Type?: string; Destination: string } => typeof m.Destination === 'string' && m.Destination !== workspaceFolder)
    .filter((m) => m.Type !== 'bind' || !inside(m.Destination))
    .map((m) => `${m.Destination} (${m.Type ?? 'mount'})`);
}
