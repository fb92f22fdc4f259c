/**
 * Removing what a container-mode run added, with the real engine
 * (src/container/engine-images.ts): a new tag on an image the engine already had
 * under another tag goes (the image stays), new images go with their new parents,
 * and nothing that existed before is deleted, not even an untagged parent (layer cache),
 * nor a dangling image another build made meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { engineImages, removeAddedImages } from '../../src/container/engine-images.js';
import { BASE_IMAGE, describeWithDocker, docker } from '../helpers/docker.js';

/** The image id of a new commit of a throwaway container made from `image` (tagged `tag` when given). */
function commitFrom(image: string, tag?: string): string {
  const container = docker('create', image, 'true');
  try {
    return docker('commit', container, ...(tag ? [tag] : []));
  } finally {
    docker('rm', container);
  }
}

const exists = (ref: string): boolean => {
  try {
    docker('image', 'inspect', ref);
    return true;
  } catch {
    return false;
  }
};

describeWithDocker('removing the images a run added', () => {
  const run = randomUUID().slice(0, 8);
  const pre = `prebuilds-test-pre:${run}`;
  const cliTag = `prebuilds-test-cli:${run}`;
  const commitTag = `prebuilds-test-commit:${run}`;
  let oldParent = '';

  afterAll(() => {
    for (const ref of [commitTag, cliTag, pre, oldParent].filter(Boolean)) {
      try {
        docker('image', 'rm', ref);
      } catch {
        // already gone
      }
    }
  });

  it('untags what was added to an existing image, removes new images and their new parents, keeps every older image', async () => {
    // Before the run: the base under a second tag, and an untagged image (an older build's layer).
    docker('tag', BASE_IMAGE, pre);
    oldParent = commitFrom(BASE_IMAGE);
    const before = await engineImages(process.env);
    expect(before.ids.has(oldParent)).toBe(true);
    expect([...before.references]).toContain(`${docker('image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE)} ${pre}`);

    // The run: a build answered entirely from cache tags the existing image; a commit on the
    // older layer; a dangling image made from that commit (a multi-stage leftover).
    docker('tag', BASE_IMAGE, cliTag);
    const committed = commitFrom(oldParent, commitTag);
    const dangling = commitFrom(committed);

    await removeAddedImages([commitTag, cliTag], before, process.env);

    expect(exists(cliTag)).toBe(false);
    expect(exists(commitTag)).toBe(false);
    expect(exists(committed)).toBe(false);
    expect(exists(dangling)).toBe(false);
    // What existed stays, with its references: the base (both tags) and the untagged older layer.
    expect(exists(BASE_IMAGE)).toBe(true);
    expect(exists(pre)).toBe(true);
    expect(exists(oldParent)).toBe(true);
  });

  it("leaves a dangling image another build made meanwhile on the engine; removes the run's own leftover", async () => {
    const before = await engineImages(process.env);
    const others = commitFrom(BASE_IMAGE); // another job's untagged image, made while the run went on
    const image = commitFrom(BASE_IMAGE, commitTag);
    const leftover = commitFrom(image); // the run's own: a stage built on its image
    try {
      await removeAddedImages([commitTag], before, process.env);
      expect(exists(leftover)).toBe(false);
      expect(exists(image)).toBe(false);
      expect(exists(others)).toBe(true);
    } finally {
      docker('image', 'rm', others);
    }
  });

  it('never forces: an image a container uses stays, and so does its tag', async () => {
    const before = await engineImages(process.env);
    const image = commitFrom(BASE_IMAGE, commitTag);
    const container = docker('create', commitTag, 'true');
    try {
      await removeAddedImages([commitTag], before, process.env);
      expect(exists(commitTag)).toBe(true);
      expect(exists(image)).toBe(true);
    } finally {
      docker('rm', container);
    }
    await removeAddedImages([commitTag], before, process.env);
    expect(exists(image)).toBe(false);
  });
});
