/**
 * A ready dev container from a container-mode prebuild (issue 9, "Using a container
 * prebuild"), shared by the CLI (`prebuilds up`) and the action (`mode: restore` in
 * container mode): pick the prebuild as restore does (exact commit, else the newest
 * successful ancestor of the same identity: src/lifecycle/restore.ts), restore its
 * workspace while its image is pulled by digest (no pull when the engine has it), start
 * the dev container from it with @devcontainers/cli — the CLI's start overlapping the rest
 * of the pull — and run only what the prebuild did not —
 * Features' commands included, inside the container:
 * - the prebuild of this very commit, no dependency file changed, and an image whose
 *   lifecycle markers are sealed (session.ts): one `devcontainer up`, which runs
 *   postCreate, postStart and postAttach itself (no `devcontainer exec` per hook);
 * - otherwise `devcontainer up --skip-post-create`, then one `devcontainer
 *   run-user-commands`: updateContentCommand for an ancestor, onCreateCommand when a
 *   dependency file changed (src/lifecycle/restore-plan.ts), then postCreate, postStart
 *   and postAttach (session.ts sets the CLI's markers to say which).
 * Without a usable prebuild: the cold path (`devcontainer up` builds and runs everything).
 *
 * A Docker Compose configuration starts its compose project with a generated compose file
 * in which the `service` runs the prebuilt image, its `build` dropped (compose.ts); the
 * other services start as their own files say.
 *
 * The container carries the CLI's default labels (`devcontainer.local_folder`), so
 * `devcontainer exec --workspace-folder WS` finds it afterwards.
 */
import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Environment, LifecycleHook, ResolvedConfiguration } from '../config/model.js';
import { changedDependencyFiles, hashDependencyFiles } from '../lifecycle/dependency-files.js';
import { MARKER_DIR, type PrebuiltImage } from '../lifecycle/marker.js';
import { restorePrebuild, type RestoredPrebuild } from '../lifecycle/restore.js';
import type { PrebuildHook } from '../lifecycle/plan.js';
import type { PrebuildHit } from '../lifecycle/restore-plan.js';
import type { LifecycleLog } from '../lifecycle/run-hooks.js';
import type { SnapshotCatalog, SnapshotStore } from '../lifecycle/snapshot/store.js';
import { composeConfigName, defaultProjectName } from './compose.js';
import { namedSecrets, writeSecretsFile } from './secrets.js';
import { CONTAINER_HOOKS, hookTimesFromLog, imageRepository, pinned } from './model.js';
import {
  localImageLabels,
  pull,
  runUserCommands,
  SEALED_MARKERS_LABEL,
  up,
  writeBuildConfig,
  writePrebuiltConfig,
  type ContainerTarget,
  type StartedContainer,
} from './session.js';
import { PullError } from './pull.js';
import type { DevcontainerCli } from './tools.js';

/** Everything `prebuilds up` needs. */
export interface UpRequest {
  /** Absolute path of the checkout (at `sha`). */
  workspace: string;
  configuration: ResolvedConfiguration;
  sha: string;
  store: SnapshotStore;
  catalog: SnapshotCatalog;
  log: LifecycleLog;
  env: NodeJS.ProcessEnv;
  cli: DevcontainerCli;
  /** Pull from this registry instead of the one the prebuild pushed to (a mirror), else empty. */
  registry?: string;
  /** `performance.now()` ms at the start (default: when called). */
  startedAt?: number;
}

/** One hook of the start: ran (ms) or skipped (why). */
export type UpHook = { hook: LifecycleHook; action: 'run'; durationMs: number } | { hook: LifecycleHook; action: 'skip'; reason: string };

/** What `prebuilds up` did. Durations ms. */
export interface UpOutcome {
  hit: PrebuildHit;
  snapshotKey: string | null;
  prebuildSha: string | null;
  distance: number | null;
  /** The image the container runs: the prebuild's, pinned by digest; `null` on the cold path. */
  image: string | null;
  containerId: string;
  remoteWorkspaceFolder: string;
  /**
   * The compose project of a Docker Compose configuration (its other services run in it:
   * `docker compose -p NAME down` stops them), `null` for an image or Dockerfile.
   */
  composeProject: string | null;
  /** Finding and restoring the workspace snapshot. */
  restoreMs: number;
  /** Pulling the image (0 when it was already there or on the cold path). */
  pullMs: number;
  /** `devcontainer up` (on the cold path: build + every hook). */
  upMs: number;
  hooks: UpHook[];
  /** From the start until the container is ready (every hook done). */
  durationMs: number;
  /**
   * What the cold path took when the prebuild's lineage was built from scratch
   * (image build + onCreate + updateContent, recorded in the marker); `null` when unknown.
   */
  coldMs: number | null;
  searched: number;
  shallow: boolean;
  rejected: RestoredPrebuild['rejected'];
}

/**
 * Makes a running dev container for the workspace (see the module comment).
 * The configuration's named `secrets` found in `env` reach the lifecycle commands through
 * the CLI's `--secrets-file` (secrets.ts), removed when this returns.
 * @throws Error naming the failed command when `devcontainer up` or `run-user-commands`
 *   fails (the container stays, for inspection), or when the snapshot cannot be restored
 */
export async function upFromPrebuild(req: UpRequest): Promise<UpOutcome> {
  const started = req.startedAt ?? performance.now();
  // The configuration's named secrets in the environment go to the hooks (secrets.ts).
  const secrets = await writeSecretsFile(namedSecrets(req.configuration.settings.secrets, req.env));
  try {
    return await startDevContainer(req, started, secrets.file);
  } finally {
    await secrets.remove();
  }
}

async function startDevContainer(req: UpRequest, started: number, secretsFile: string | undefined): Promise<UpOutcome> {
  const { workspace, configuration, log, env } = req;
  const refOf = (image: PrebuiltImage) =>
    req.registry ? `${imageRepository(req.registry, configuration.settings.name)}@${image.digest}` : pinned(image.reference, image.digest);
  // The pull starts as soon as a candidate's marker (read right after extraction) names the
  // image, so it overlaps the merge into the checkout; a discarded candidate's pull is only wasted.
  const pulls = new Map<string, Promise<PullResult>>();
  const found = await restorePrebuild({ ...req, startedAt: started }, (m) => {
    if (!m?.image) return 'it has no prebuilt image (a host-mode prebuild)';
    const ref = refOf(m.image);
    if (!pulls.has(ref)) pulls.set(ref, pullResult(ref, env, log));
    return null;
  });
  // A Docker Compose configuration starts from a generated compose file (compose.ts) outside its
  // folder: the project keeps the name the CLI gives the configuration's own files.
  const composeFiles = configuration.environment.dockerComposeFiles;
  const composeProject =
    composeFiles.length > 0 ? await defaultProjectName(workspace, composeFiles, env, () => composeConfigName(workspace, composeFiles, env)) : null;
  const cliEnv = composeProject ? { ...env, COMPOSE_PROJECT_NAME: composeProject } : env;
  const target: ContainerTarget = { cli: req.cli, workspace, configFile: configuration.environment.file, labels: {}, env: cliEnv, log, secretsFile };
  const image = found.marker?.image;
  const base = { hit: found.hit, snapshotKey: found.chosen?.key ?? null, prebuildSha: found.chosen?.sha ?? null, distance: found.chosen?.distance ?? null };
  const common = { restoreMs: found.restoreMs, searched: found.searched, shallow: found.shallow, rejected: found.rejected, composeProject };

  const { environment } = configuration;
  if (!image) return coldStart(target, environment, { ...base, ...common, hit: 'none' }, started);
  const ref = refOf(image);
  const pulling = pulls.get(ref) ?? pullResult(ref, env, log);
  await mkdir(path.join(workspace, MARKER_DIR), { recursive: true });
  target.overrideConfig = await writePrebuiltConfig(path.join(workspace, MARKER_DIR), environment, ref, {
    workspace,
    env: cliEnv,
    ...(composeProject ? { composeDir: await privateComposeDir(composeProject, env) } : {}),
  });
  const changed = found.marker?.dependencyFiles ? changedDependencyFiles(found.marker.dependencyFiles, await hashDependencyFiles(workspace)) : [];
  const unchanged = found.hit === 'exact' && changed.length === 0;
  // Nothing of the prebuild's to redo and the image's markers sealed: one `devcontainer up` runs
  // postCreate, postStart and postAttach (Features' included) by itself. The marker says whether
  // the image is sealed; an older marker does not, and the image's label is read once it is here.
  let single = unchanged && image.markersSealed === true;
  if (unchanged && image.markersSealed === undefined) {
    const pulled = await pulling;
    if ('error' in pulled) return pullFailed(target, environment, { ...base, ...common }, ref, pulled.error, started);
    single = (await localImageLabels(ref, env))?.[SEALED_MARKERS_LABEL] === 'sealed';
  }
  // The container starts while the image is still being pulled: the CLI's start-up (reading the
  // configuration, looking for an existing container) overlaps the pull, and its own inspection
  // waits for the image (the engine joins the pull in progress rather than downloading twice).
  // A pull that fails for good (not found, unauthorized) stops the CLI at once: it would retry
  // its own pull five times, a second apart, before failing, and the cold way waits for it.
  const stop = new AbortController();
  const pulled = pulling.then((r) => {
    if ('error' in r && !r.error.transient) stop.abort();
    return r;
  });
  const starting = up(target, {
    ...(single ? {} : { skipLifecycle: true }),
    title: `devcontainer up from ${ref}`,
    signal: stop.signal,
  });
  const [pullOutcome, start] = await Promise.all([pulled, Promise.allSettled([starting]).then(([s]) => s)]);
  if (start.status === 'rejected') {
    // It could not start because the image could not be pulled: the cold way. Any other failure is the start's.
    if ('error' in pullOutcome) return pullFailed(target, environment, { ...base, ...common }, ref, pullOutcome.error, started);
    throw start.reason;
  }
  const c = start.value;
  const pullMs = 'error' in pullOutcome ? 0 : pullOutcome.ms;
  if ('error' in pullOutcome) log.warning(`docker pull ${ref} failed (${pullOutcome.error.message.split('\n')[0]}), but the Dev Containers CLI pulled it`);
  else
    log.info(
      pullMs === 0
        ? `${ref} is already on the engine: not pulled`
        : `Pulled ${ref} in ${pullMs} ms (overlapping the workspace merge and the container's start)`,
    );
  const hooks = single
    ? hooksFromLog(c.log)
    : await runRemaining(target, c, { kind: found.hit, distance: found.chosen?.distance ?? 0, changedDependencyFiles: changed });
  for (const h of hooks) log.info(h.action === 'skip' ? `${h.hook}: skipped (${h.reason})` : `${h.hook}: ran (${h.durationMs} ms)`);
  const durationMs = Math.round(performance.now() - started);
  const coldMs = image.coldMs || null;
  const speedup = coldMs
    ? ` (${Math.round((coldMs / Math.max(durationMs, 1)) * 10) / 10}× faster than the cold path, which took ${coldMs} ms to build the image and run onCreate + updateContent)`
    : '';
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
    coldMs,
  };
}

type PullResult = { ms: number } | { error: PullError };

/**
 * {@link pull} as a value: its time (ms), or why it failed. Never rejects. Quiet (it overlaps
 * the CLI's output) but for its retries, each a warning.
 */
function pullResult(ref: string, env: NodeJS.ProcessEnv, log: LifecycleLog): Promise<PullResult> {
  const onRetry = (attempt: number, error: Error, waitMs: number) =>
    log.warning(`docker pull ${ref} failed (${error.message.split('\n').pop()}): attempt ${attempt} in ${waitMs} ms`);
  return pull(ref, env, undefined, { onRetry }).then(
    (ms) => ({ ms }),
    (error: unknown) => ({ error: error instanceof PullError ? error : new PullError(String(error), 1, false, String(error)) }),
  );
}

type OutcomeBase = Pick<UpOutcome, 'hit' | 'snapshotKey' | 'prebuildSha' | 'distance' | 'restoreMs' | 'searched' | 'shallow' | 'rejected' | 'composeProject'>;

/** The prebuild's image cannot be pulled: warns, then the cold path. */
function pullFailed(
  target: ContainerTarget,
  environment: Environment,
  outcome: OutcomeBase,
  ref: string,
  error: PullError,
  started: number,
): Promise<UpOutcome> {
  const tries = `${error.attempts} attempt${error.attempts === 1 ? '' : 's'}`;
  target.log.warning(`The prebuild's image ${ref} cannot be pulled (${error.message.split('\n').pop()}; ${tries}): starting the cold way`);
  return coldStart(target, environment, outcome, started);
}

/** The cold path: `devcontainer up` builds the environment and runs every hook. */
async function coldStart(target: ContainerTarget, environment: Environment, outcome: OutcomeBase, started: number): Promise<UpOutcome> {
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
    coldMs: null,
  };
}

/** The hooks of a single `devcontainer up` from a sealed image, timed from its log. */
function hooksFromLog(upLog: string): UpHook[] {
  const times = hookTimesFromLog(upLog, Date.now());
  return CONTAINER_HOOKS.map((hook): UpHook => {
    const ran = times[hook];
    if (ran) return { hook, action: 'run', durationMs: ran.durationMs };
    if (hook === 'onCreateCommand') return { hook, action: 'skip', reason: 'ran in the prebuild' };
    if (hook === 'updateContentCommand') return { hook, action: 'skip', reason: 'ran in the prebuild at this commit' };
    return { hook, action: 'skip', reason: 'not configured' };
  });
}

/**
 * After a start with no lifecycle command (`--skip-post-create`), one `devcontainer
 * run-user-commands` runs what the restore plan says — updateContentCommand for an ancestor,
 * onCreateCommand when a dependency file changed (src/lifecycle/restore-plan.ts) — then
 * postCreate, postStart and postAttach.
 * @returns the hooks, timed from the CLI's log
 */
async function runRemaining(
  target: ContainerTarget,
  c: StartedContainer,
  hit: { kind: PrebuildHit; distance: number; changedDependencyFiles: string[] },
): Promise<UpHook[]> {
  const rerun: PrebuildHook[] = [];
  if (hit.changedDependencyFiles.length > 0) {
    target.log.info(`onCreateCommand: dependency files changed since the prebuild ran it: ${hit.changedDependencyFiles.join(', ')}`);
    rerun.push('onCreateCommand');
  }
  if (hit.kind !== 'exact') {
    target.log.info(`updateContentCommand: the prebuild is ${hit.distance} commit${hit.distance === 1 ? '' : 's'} behind: updating it`);
    rerun.push('updateContentCommand');
  }
  const run = await runUserCommands(target, c, { rerun });
  return hooksFromLog(run.log);
}

/**
 * Where `prebuilds up` keeps a compose project's generated compose file: outside the
 * workspace (its variables are filled in from the environment, secrets included, and the
 * workspace is mounted into the container and committed by users), in a 0700 directory
 * that outlives the command (later `docker compose` and `devcontainer exec` read the file
 * again): `$XDG_CACHE_HOME/prebuilds/compose/<project>` or `~/.cache/…`.
 */
async function privateComposeDir(project: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'prebuilds', 'compose', project);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  return dir;
}
