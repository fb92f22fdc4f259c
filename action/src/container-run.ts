/**
 * A prebuild in container mode (issue 9), through @devcontainers/cli:
 *
 * - from scratch: `devcontainer up --prebuild` builds the environment (image or
 *   Dockerfile, Features; `--cache-from` the configuration identity's previous image)
 *   and runs onCreate + updateContent inside the container, Features' own commands
 *   included, with the checkout bind-mounted at its workspaceFolder;
 * - incremental (a base of the same identity whose marker names an image): the base's
 *   workspace is restored, its image pulled and started with `--skip-post-create`,
 *   and only the hooks src/lifecycle/plan.ts plans run (updateContentCommand; also
 *   onCreateCommand when a dependency file changed), inside the container, in one
 *   `devcontainer run-user-commands --prebuild` pass (session.ts sets the CLI's markers);
 *
 * then the container is committed (its `devcontainer.metadata` label kept) and
 * pushed to the registry tagged by sha and by identity, and the workspace snapshot
 * (marker naming the image by digest) is saved with the same stores and keys as host
 * mode. A failing command fails the prebuild before anything is pushed or saved. In all
 * cases the run's container (found by a label unique to the run) is removed, and what
 * the run added to the engine's images (src/container/engine-images.ts): new images,
 * and new tags on images the engine already had (a fully cached build answers with an
 * existing image), never an image or reference that was there before.
 *
 * A Docker Compose configuration (`dockerComposeFile` + `service`) runs the same way in a
 * compose project of its own (src/container/compose.ts): the CLI brings the project up,
 * the hooks run in the `service` container, that container alone is committed; the
 * incremental path starts the service from the base's image through a generated compose
 * file. The project (every service's container, its networks and volumes) is taken down
 * whatever happened.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrebuiltImage } from '../../src/lifecycle/marker.js';
import { hashDependencyFiles } from '../../src/lifecycle/dependency-files.js';
import { planPrebuild, snapshotPaths, type PlannedHook, type PrebuildHook } from '../../src/lifecycle/plan.js';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import {
  composeService,
  DEFAULT_MAX_IMAGE_LAYERS,
  hookTimesFromLog,
  imageRepository,
  imageTags,
  layerLimitReason,
  pinned,
  prebuildLabels,
} from '../../src/container/model.js';
import {
  commitAndPush,
  containerImage,
  mountsLeftOut,
  pull,
  removeContainer,
  runUserCommands,
  up,
  writeBuildConfig,
  writePrebuiltConfig,
  type ContainerTarget,
  type PushedImage,
} from '../../src/container/session.js';
import { composeDown, projectImages, toProjectName } from '../../src/container/compose.js';
import { engineImages, removeAddedImages } from '../../src/container/engine-images.js';
import { namedSecrets, writeSecretsFile } from '../../src/container/secrets.js';
import { docker, type DevcontainerCli } from '../../src/container/tools.js';
import { Env } from './constants.js';
import { finishPrebuild, startFromBase, type PrebuildRequest } from './prebuild.js';

/** The label naming one run's container (`--id-label`; also kept on the committed image). */
const RUN_LABEL = 'prebuilds.run';
/** The image @devcontainers/cli builds to stage local Features (a fixed name on every engine). */
const FEATURE_CONTENT_IMAGE = 'dev_container_feature_content_temp';

/** A container-mode prebuild: a host-mode request plus the registry and the CLI. */
export interface ContainerPrebuildRequest extends PrebuildRequest {
  /** Image repository prefix, e.g. `ghcr.io/octo/app/prebuilds` or `127.0.0.1:5000/prebuilds`. */
  registry: string;
  cli: DevcontainerCli;
  /** The layer-count limit of incremental images (default {@link DEFAULT_MAX_IMAGE_LAYERS}). */
  maxImageLayers?: number;
}

/** What a container prebuild did. */
export interface ContainerPrebuildOutcome {
  result: PrebuildResult;
  plan: PlannedHook[];
  image: PushedImage;
  /** Started from the base's image (only the planned hooks ran) rather than a build. */
  incremental: boolean;
  baseMissing: boolean;
}

async function imageId(reference: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return docker(['image', 'inspect', '--format', '{{.Id}}', reference], { env }).then(
    (r) => r.stdout.trim() || null,
    () => null,
  );
}

/** Layers of a local image (`RootFS.Layers`). @throws ToolError when the engine does not have it */
async function imageLayers(reference: string, env: NodeJS.ProcessEnv): Promise<number> {
  return Number((await docker(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', reference], { env })).stdout.trim());
}

/**
 * Runs one container-mode prebuild (see the module comment).
 * @throws LifecycleError / Error naming the failed command (`devcontainer up`'s message
 *   for a failing onCreateCommand); SnapshotExistsError when the key is taken
 */
export async function containerPrebuild(req: ContainerPrebuildRequest): Promise<ContainerPrebuildOutcome> {
  const started = req.startedAt ?? performance.now();
  const { workspace, configuration, log, env } = req;
  const key = snapshotKey(configuration.settings.name, req.sha, req.prebuildId);
  const paths = snapshotPaths(configuration.settings.paths);
  const tags = imageTags(imageRepository(req.registry, configuration.settings.name), req.sha, configuration.identity);
  const base = await startFromBase(req, key, paths, (m) => (m && !m.image ? 'it has no prebuilt image (a host-mode prebuild)' : null));
  const dependencyFiles = await hashDependencyFiles(workspace);
  const labels = prebuildLabels(req);
  const tmp = await mkdtemp(path.join(env[Env.RunnerTemp] || os.tmpdir(), 'prebuild-container-'));
  // The container is found by its labels (`--id-label`): a label unique to this run keeps
  // another run with the same prebuild id on this engine (a shared runner) from finding it.
  const runLabel = { [RUN_LABEL]: randomUUID() };
  // A Docker Compose configuration gets a compose project of its own per run (COMPOSE_PROJECT_NAME,
  // which the CLI passes as `--project-name`): parallel prebuilds on one engine share no container,
  // network or volume, and the cleanup takes down exactly this run's project.
  const composeFiles = configuration.environment.dockerComposeFiles;
  const project = composeFiles.length > 0 ? toProjectName(`prebuild-${runLabel[RUN_LABEL].replace(/-/g, '').slice(0, 12)}`) : null;
  const cliEnv = project ? { ...env, COMPOSE_PROJECT_NAME: project } : env;
  // The named secrets go to the hooks through the CLI's --secrets-file (never the container's config).
  const secretsFile = await writeSecretsFile(namedSecrets(configuration.settings.secrets, env), tmp);
  const target: ContainerTarget = {
    cli: req.cli,
    workspace,
    configFile: configuration.environment.file,
    labels: { ...labels, ...runLabel },
    env: cliEnv,
    log,
    secretsFile: secretsFile.file,
  };
  const imagesBefore = await engineImages(env);
  const pulledIds: string[] = [];
  const built: string[] = [];
  const pullInto = async (ref: string): Promise<boolean> => {
    try {
      await pull(ref, env, log);
      const id = await imageId(ref, env);
      if (id) pulledIds.push(id);
      return true;
    } catch (err) {
      log.info(`Could not pull ${ref}: ${(err as Error).message.split('\n')[0]}`);
      return false;
    }
  };

  if (project)
    log.info(
      `Docker Compose: project ${project}; the service ${composeService(configuration.environment)} is the dev container (the one committed); taken down after the prebuild`,
    );
  try {
    const ran: Partial<Record<PrebuildHook, { startedAt: string; durationMs: number }>> = {};
    let plan: PlannedHook[];
    let coldMs: number;
    let containerId: string;
    let remoteUser: string;
    let workspaceFolder: string;
    const baseImage = base.baseMarker?.image;
    const baseRef = baseImage ? pinned(baseImage.reference, baseImage.digest) : null;
    let incremental = baseRef !== null && (await pullInto(baseRef));
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
        if (step.action === 'skip') log.info(`${step.hook}: skipped (${step.reason})`);
        else if (step.note) log.info(`${step.hook}: ${step.note}`);
      }
      // One CLI pass runs the planned hooks (Features' too, secrets included) and stops after updateContentCommand.
      const rerun = plan.filter((step) => step.action === 'run').map((step) => step.hook);
      const run = await runUserCommands(target, c, { rerun, prebuild: true });
      Object.assign(ran, hookTimesFromLog(run.log, Date.now()));
      coldMs = baseImage.coldMs;
    } else {
      const cacheFrom = (await pullInto(tags.identity)) ? [tags.identity] : [];
      if (cacheFrom.length === 0) log.info(`No previous image of this configuration identity: the image is built without a layer cache`);
      // `--prebuild` on a new container runs every hook (the CLI's own markers are per container).
      plan = planPrebuild(configuration.environment.lifecycle, { identity: configuration.identity, baseMarker: null });
      target.overrideConfig = await writeBuildConfig(tmp, configuration.environment, workspace);
      const c = await up(target, { prebuild: true, cacheFrom });
      containerId = c.containerId;
      remoteUser = c.remoteUser;
      workspaceFolder = c.remoteWorkspaceFolder;
      Object.assign(ran, hookTimesFromLog(c.log, Date.now()));
      coldMs = c.upMs;
      const image = await containerImage(containerId, env);
      if (image) built.push(image);
    }
    for (const step of plan) {
      // The CLI ran it (it succeeded) but its log did not say when: record it, untimed.
      if (step.action === 'run' && !ran[step.hook]) {
        log.warning(`Could not time ${step.hook} from the devcontainer log; recorded as run`);
        ran[step.hook] = { startedAt: new Date().toISOString(), durationMs: 0 };
      }
    }

    for (const mount of await mountsLeftOut(containerId, workspaceFolder, env)) {
      log.warning(`${mount}: what the lifecycle commands wrote there is neither in the prebuilt image nor in the workspace snapshot`);
    }
    const image = await commitAndPush(target, containerId, remoteUser, [tags.sha, tags.identity], labels, req.secrets ?? []);
    // commitAndPush sealed the lifecycle markers (the image's label says so too).
    const prebuilt: PrebuiltImage = { reference: tags.sha, digest: image.digest, bytes: image.bytes, coldMs, markersSealed: true };
    log.info(`Pushed ${image.pinned} (${image.bytes} bytes) in ${image.pushMs} ms`);
    const result = await finishPrebuild(req, key, paths, base, { ran, dependencyFiles, image: prebuilt, startedAt: started });
    return { result, plan, image, incremental, baseMissing: base.baseMissing };
  } finally {
    // The container (also one a failed `up` left behind), then what this run added to the
    // images, newest first: the commit, what the CLI built (possibly an image the engine
    // had under another tag: then only the new tag goes), what was pulled, the CLI's
    // Features staging image, and dangling leftovers of the build.
    if (project) {
      // Every service's container, network and volume; the images they ran are candidates for removal (only new ones go).
      for (const image of await projectImages(project, env)) if (!built.includes(image)) built.push(image);
      await composeDown(project, workspace, composeFiles, env);
    }
    const { stdout } = await docker(['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${RUN_LABEL}=${runLabel[RUN_LABEL]}`], { env }).catch(() => ({
      stdout: '',
    }));
    for (const id of stdout.split('\n').filter(Boolean)) {
      const image = await containerImage(id, env);
      if (image && !built.includes(image)) built.push(image);
      await removeContainer(id, env);
    }
    await removeAddedImages([tags.sha, tags.identity, ...built, ...pulledIds, FEATURE_CONTENT_IMAGE], imagesBefore, env);
    await secretsFile.remove();
    await rm(tmp, { recursive: true, force: true });
  }
}
