/**
 * What a container-mode run leaves on the Docker engine: a record of the images
 * before it (ids and the references naming them), and the removal of exactly what
 * it added afterwards. Node-only, shared by the action and anything else that
 * prebuilds in a container.
 *
 * An image the run "built" may be one the engine already had: the classic builder
 * answers a build whose every step is cached with the existing image id, so the
 * CLI's `vsc-<folder>-<hash>:latest` tag can land on an image that existed under
 * another tag (the same Dockerfile in another checkout, an earlier run). Removing
 * by id would delete someone else's image; skipping it would leave the new tag
 * behind. So references are compared too: on an image that existed, only the
 * references this run added are removed (an untag), never the image.
 *
 * Nothing is removed by force: an image a container uses (another run's, on a shared
 * engine) or a concurrent build stands on stays.
 */
import { docker } from './tools.js';

/** The engine's images at one moment: ids (`sha256:…`) and `id reference` pairs (tags and digests). */
export interface EngineImages {
  ids: Set<string>;
  /** `<id> <reference>` for every tag (`repo:tag`) and digest (`repo@sha256:…`) of every image. */
  references: Set<string>;
}

/** One image now: its id, its parent (classic builder: the previous step), the references (tags, digests) naming it. */
interface ImageNames {
  id: string;
  parent: string;
  references: string[];
}

const INSPECT_FORMAT = '{{.Id}} {{if .Parent}}{{.Parent}}{{else}}-{{end}}{{range .RepoTags}} {{.}}{{end}}{{range .RepoDigests}} {{.}}{{end}}';

/** `docker image inspect` of `refs` (ids or references); missing ones are left out, never throws. */
async function inspectNames(refs: string[], env: NodeJS.ProcessEnv): Promise<ImageNames[]> {
  if (refs.length === 0) return [];
  const out = await docker(['image', 'inspect', '--format', INSPECT_FORMAT, ...refs], { env }).then(
    (r) => r.stdout,
    // Some were removed meanwhile: docker still prints the others (stderr names the missing ones).
    (err: { output?: string }) => err.output ?? '',
  );
  return out
    .split('\n')
    .filter((line) => line.startsWith('sha256:'))
    .map((line) => {
      const [id, parent, ...references] = line.trim().split(' ');
      return { id: id!, parent: parent === '-' ? '' : parent!, references };
    });
}

async function exists(id: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return (await inspectNames([id], env)).length > 0;
}

/**
 * Removes `image` (already untagged of this run's references) when it is new, then
 * each new parent it leaves childless, up to the first image that existed `before`
 * (`--no-prune`: the engine's own pruning would also delete older untagged parents,
 * the layer cache another build may be reading). Stops at the first one that stays
 * (a reference, a child or a container holds it).
 */
async function removeNewChain(image: ImageNames, before: EngineImages, env: NodeJS.ProcessEnv): Promise<void> {
  let current: ImageNames | undefined = image;
  while (current && !before.ids.has(current.id)) {
    if (await exists(current.id, env)) {
      await docker(['image', 'rm', '--no-prune', current.id], { env }).catch(() => undefined);
      if (await exists(current.id, env)) return;
    }
    [current] = current.parent ? await inspectNames([current.parent], env) : [];
  }
}

async function listIds(env: NodeJS.ProcessEnv, dangling: boolean): Promise<string[]> {
  const args = ['images', '--all', '--quiet', '--no-trunc', ...(dangling ? ['--filter', 'dangling=true'] : [])];
  const { stdout } = await docker(args, { env }).catch(() => ({ stdout: '' }));
  return [...new Set(stdout.split('\n').filter(Boolean))];
}

/** Records the engine's images (see {@link EngineImages}); empty when Docker does not answer. */
export async function engineImages(env: NodeJS.ProcessEnv): Promise<EngineImages> {
  const ids = await listIds(env, false);
  const references = new Set<string>();
  for (const image of await inspectNames(ids, env)) for (const ref of image.references) references.add(`${image.id} ${ref}`);
  return { ids: new Set(ids), references };
}

/**
 * Removes what this run added to the images `refs` name (ids or references, newest
 * first: a commit before the image it was made from): the references added to each
 * since `before` are removed, then the image itself when it did not exist `before`
 * (an image that did keeps its old references and stays). Then the dangling images created since
 * `before` that descend from one of the run's new images (leftovers of the build, e.g. the
 * stage built on the CLI's Features staging image), each only when nothing uses it; a
 * dangling image another build made meanwhile on a shared engine is not touched.
 * Never throws (cleanup).
 */
export async function removeAddedImages(refs: string[], before: EngineImages, env: NodeJS.ProcessEnv): Promise<void> {
  // The run's new images and their new ancestors, before anything is removed: a dangling
  // image is only this run's when its chain reaches one of them.
  const runIds = new Set<string>();
  for (const image of await inspectNames(refs, env)) {
    let current: ImageNames | undefined = image;
    while (current && !before.ids.has(current.id) && !runIds.has(current.id)) {
      runIds.add(current.id);
      [current] = current.parent ? await inspectNames([current.parent], env) : [];
    }
  }
  const seen = new Set<string>();
  for (const ref of refs) {
    // One at a time: removing a commit changes what its parent's children are.
    const [image] = await inspectNames([ref], env);
    if (!image || seen.has(image.id)) continue;
    seen.add(image.id);
    // Untag first (a new image's references are all this run's), then the image itself
    // when it is new. Nothing is forced: an image a container (another run's) uses stays.
    for (const added of image.references.filter((r) => !before.references.has(`${image.id} ${r}`))) {
      await docker(['image', 'rm', '--no-prune', added], { env }).catch(() => undefined);
    }
    await removeNewChain(image, before, env);
  }
  for (const id of await listIds(env, true)) {
    if (before.ids.has(id)) continue;
    const [image] = await inspectNames([id], env);
    if (image && (await descendsFrom(image, runIds, before, env))) await removeNewChain(image, before, env);
  }
}

/**
 * Whether `image` or one of its new ancestors is among `ids` (the run's): a dangling image
 * made since `before` from something else is another build's on a shared engine, and stays.
 */
async function descendsFrom(image: ImageNames, ids: Set<string>, before: EngineImages, env: NodeJS.ProcessEnv): Promise<boolean> {
  let current: ImageNames | undefined = image;
  while (current && !before.ids.has(current.id)) {
    if (ids.has(current.id)) return true;
    [current] = current.parent ? await inspectNames([current.parent], env) : [];
  }
  return false;
}
