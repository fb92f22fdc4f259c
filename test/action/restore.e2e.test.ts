/**
 * Restore mode end to end: the BUNDLED action as a child process with a runner's
 * environment, a dir: store filled by real prebuilds, real git history, and
 * checkouts made the way actions/checkout makes them (shallow `--depth 1`, or full).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MARKER_DIR, MARKER_PATH, formatMarker, nextMarker } from '../../src/lifecycle/marker.js';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { git, runBundle, type ActionRun } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

const devcontainer = {
  image: 'mcr.microsoft.com/devcontainers/base:ubuntu',
  onCreateCommand: 'echo created >> created.txt',
  updateContentCommand: ['sh', '-c', 'cat src.txt >> updated.txt'],
  postCreateCommand: 'echo post >> post-create.txt',
  postStartCommand: 'touch post-start-ran.txt',
};

async function read(file: string): Promise<string | null> {
  return readFile(file, 'utf8').catch(() => null);
}

/** A checkout of `sha` from `origin`, like actions/checkout: `depth` 1 is its default (shallow), 0 the full history. */
async function checkout(origin: string, sha: string, depth: number): Promise<string> {
  const ws = await tempDir('checkout-');
  dirs.push(ws);
  git(ws, 'init', '-q');
  git(ws, 'fetch', '-q', ...(depth > 0 ? [`--depth=${depth}`] : []), `file://${origin}`, sha);
  git(ws, 'checkout', '-q', '--detach', sha);
  return ws;
}

function expectOk(run: ActionRun): void {
  expect(run.stdout).not.toContain('::error::');
  expect(run.status).toBe(0);
}

describe('the bundled action, mode: restore', () => {
  let origin: string;
  let store: string;
  let sha1: string;
  let sha2: string;
  const restore = (ws: string, extra: Record<string, string> = {}) => runBundle(ws, { mode: 'restore', store: `dir:${store}`, ...extra }, dirs);

  beforeAll(async () => {
    origin = await tempDir('origin-');
    store = await tempDir('store-');
    dirs.push(origin, store);
    git(origin, 'init', '-q', '-b', 'main');
    await mkdir(path.join(origin, '.devcontainer'));
    await writeFile(path.join(origin, '.devcontainer/devcontainer.json'), JSON.stringify(devcontainer, null, 2));
    await writeFile(path.join(origin, 'src.txt'), 'v1\n');
    await writeFile(path.join(origin, 'old.txt'), 'deleted in the next commit\n');
    await writeFile(path.join(origin, '.gitignore'), '.prebuilds/\n*.txt\n!src.txt\n!old.txt\n');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'first');
    sha1 = git(origin, 'rev-parse', 'HEAD');
    // the prebuild of commit 1, through the bundle, in a checkout of its own
    const pb = await checkout(origin, sha1, 1);
    expectOk(await runBundle(pb, { store: `dir:${store}`, 'prebuild-id': '1' }, dirs));
    // commit 2: a source change and a deleted file; no prebuild for it
    await writeFile(path.join(origin, 'src.txt'), 'v2\n');
    git(origin, 'rm', '-q', 'old.txt');
    git(origin, 'commit', '-q', '-a', '-m', 'second');
    sha2 = git(origin, 'rev-parse', 'HEAD');
  });

  it('exact hit: restores the prebuild of the commit, runs only postCreateCommand, reports the time saved', async () => {
    const ws = await checkout(origin, sha1, 1); // the default shallow checkout is enough for an exact hit
    const run = await restore(ws);
    expectOk(run);
    expect(run.outputs).toMatchObject({ 'prebuild-hit': 'exact', 'prebuild-sha': sha1, 'snapshot-key': `prebuilds-v1/devcontainer/${sha1}/1` });
    // Finding and restoring the snapshot is part of the step: an integer number of ms within the step's duration.
    expect(Number.isInteger(Number(run.outputs['restore-ms']))).toBe(true);
    expect(Number(run.outputs['restore-ms'])).toBeLessThanOrEqual(Number(run.outputs['duration-ms']));
    expect(await read(path.join(ws, 'created.txt'))).toBe('created\n'); // from the snapshot
    expect(await read(path.join(ws, 'updated.txt'))).toBe('v1\n'); // not re-run
    expect(await read(path.join(ws, 'post-create.txt'))).toBe('post\n');
    expect(await read(path.join(ws, 'post-start-ran.txt'))).toBeNull(); // never postStart
    expect(run.stdout).toContain('updateContentCommand: skipped (ran in the prebuild at this commit)');
    expect(run.stdout).toMatch(/^::group::postCreateCommand: echo post >> post-create.txt/m);
    expect(git(ws, 'rev-parse', 'HEAD')).toBe(sha1);
    expect(git(ws, 'status', '--porcelain')).toBe('');

    expect(run.summary).toContain('Workspace ready from a prebuild: devcontainer (exact)');
    expect(run.summary).toContain('Prebuild hit: <b>exact</b>');
    expect(run.summary).toContain(`Prebuild used: <code>prebuilds-v1/devcontainer/${sha1}/1</code>`);
    expect(run.summary).toMatch(/Restore time: \d/);
    expect(run.summary).toMatch(/Time saved: −?[\d.]+ m?s \(the prebuild's onCreateCommand \+ updateContentCommand took [\d.]+ m?s when it was built/);
    expect(run.summary).toContain('<td>postCreateCommand</td><td>ran</td>');
    expect(run.summary).toContain('<td>onCreateCommand</td><td>skipped: ran in the prebuild</td>');
  });

  it('ancestor hit with full history: updates the prebuild to the commit (updateContent on new sources, deleted files gone)', async () => {
    const ws = await checkout(origin, sha2, 0); // fetch-depth: 0
    const run = await restore(ws);
    expectOk(run);
    expect(run.outputs).toMatchObject({ 'prebuild-hit': 'ancestor', 'prebuild-sha': sha1 });
    expect(await read(path.join(ws, 'created.txt'))).toBe('created\n'); // onCreate not re-run
    expect(await read(path.join(ws, 'updated.txt'))).toBe('v1\nv2\n'); // re-run on the new sources
    expect(await read(path.join(ws, 'src.txt'))).toBe('v2\n'); // the checkout's sources win
    expect(await read(path.join(ws, 'old.txt'))).toBeNull(); // deleted since the prebuild
    expect(await read(path.join(ws, 'post-create.txt'))).toBe('post\n');
    expect(run.stdout).toContain('updateContentCommand: the prebuild is 1 commit behind: updating it');
    expect(git(ws, 'rev-parse', 'HEAD')).toBe(sha2);
    expect(git(ws, 'status', '--porcelain')).toBe('');
    expect(run.summary).toContain('(ancestor, 1 commit behind)');
    expect(run.summary).not.toContain('Shallow checkout');
  });

  it('shallow checkout (fetch-depth 1) of a commit without its own prebuild: says so, falls back to the full lifecycle', async () => {
    const ws = await checkout(origin, sha2, 1);
    const run = await restore(ws);
    expectOk(run);
    expect(run.outputs).toMatchObject({ 'prebuild-hit': 'none', 'prebuild-sha': '', 'snapshot-key': '' });
    expect(run.stdout).toMatch(/The checkout is shallow \(1 of the 101 commits to search\): only prebuilds of this exact commit can be found.*fetch-depth: 0/);
    expect(await read(path.join(ws, 'created.txt'))).toBe('created\n');
    expect(await read(path.join(ws, 'updated.txt'))).toBe('v2\n');
    expect(await read(path.join(ws, 'post-create.txt'))).toBe('post\n');
    expect(run.summary).toContain('No prebuild for devcontainer: full lifecycle');
    expect(run.summary).toContain('Prebuild hit: <b>none</b>');
    expect(run.summary).toContain('Shallow checkout: 1 commit searched');
  });

  it('identity mismatch found only in the restored marker: discards that snapshot and falls back to the next candidate', async () => {
    // A snapshot of commit 2 whose listing does not know its identity (like an Actions cache entry)
    // and whose marker was written for another configuration identity.
    const fake = await checkout(origin, sha2, 1);
    await mkdir(path.join(fake, MARKER_DIR));
    await writeFile(path.join(fake, 'updated.txt'), 'from the wrong environment\n');
    const marker = nextMarker(null, {
      configuration: 'devcontainer',
      identity: 'f'.repeat(64),
      sha: sha2,
      prebuildId: 'wrong',
      base: null,
      ran: {},
      now: new Date().toISOString(),
    });
    await writeFile(path.join(fake, MARKER_PATH), formatMarker(marker));
    const dirStore = new DirStore(store);
    const key = `prebuilds-v1/devcontainer/${sha2}/wrong`;
    await dirStore.save(key, ['.'], fake, { sha: sha2, configuration: 'devcontainer', prebuildId: 'wrong', identity: 'unknown', hooks: {}, base: null });
    const manifestFile = dirStore.files(key).manifest;
    const { identity: _dropped, ...manifest } = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    await writeFile(manifestFile, JSON.stringify(manifest)); // the listing does not know the identity

    const ws = await checkout(origin, sha2, 0);
    const run = await restore(ws);
    expectOk(run);
    expect(run.stdout).toMatch(new RegExp(`::warning::Discarding snapshot ${key}: it was built for configuration identity ffffffffffff`));
    expect(run.outputs).toMatchObject({ 'prebuild-hit': 'ancestor', 'prebuild-sha': sha1 });
    expect(await read(path.join(ws, 'updated.txt'))).toBe('v1\nv2\n'); // nothing of the discarded snapshot was merged
    expect(run.summary).toContain(`Discarded <code>${key}</code>: it was built for configuration identity`);
    await dirStore.delete(key);
  });

  it('no prebuild at all: the full lifecycle, in order', async () => {
    const empty = await tempDir('store-');
    dirs.push(empty);
    const ws = await checkout(origin, sha2, 0);
    const run = await runBundle(ws, { mode: 'restore', store: `dir:${empty}` }, dirs);
    expectOk(run);
    expect(run.outputs['prebuild-hit']).toBe('none');
    const order = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'].map((h) => run.stdout.indexOf(`::group::${h}`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(await read(path.join(ws, 'post-start-ran.txt'))).toBeNull();
  });

  it('fails the step, naming the command, when postCreateCommand fails', async () => {
    const ws = await checkout(origin, sha1, 1);
    await writeFile(path.join(ws, '.devcontainer/devcontainer.json'), JSON.stringify({ ...devcontainer, postCreateCommand: 'exit 4' }));
    const run = await restore(ws);
    expect(run.status).toBe(1);
    // another devcontainer.json is another identity: no hit, full lifecycle, then the failure
    expect(run.stdout).toMatch(/^::error::postCreateCommand \(exit 4\) failed with exit code 4$/m);
  });
});

describe('the bundled action, mode: restore, ancestorDepth from .github/prebuilds.yml', () => {
  it('finds a prebuild within ancestorDepth and none beyond it', async () => {
    const origin = await tempDir('origin-');
    const store = await tempDir('store-');
    dirs.push(origin, store);
    git(origin, 'init', '-q', '-b', 'main');
    await mkdir(path.join(origin, '.devcontainer'));
    await mkdir(path.join(origin, '.github'));
    await writeFile(path.join(origin, '.devcontainer/devcontainer.json'), JSON.stringify(devcontainer));
    await writeFile(path.join(origin, '.github/prebuilds.yml'), 'prebuilds:\n  - name: web\n    ancestorDepth: 1\n');
    await writeFile(path.join(origin, '.gitignore'), '.prebuilds/\n*.txt\n!src.txt\n');
    const shas: string[] = [];
    for (const v of ['v1', 'v2', 'v3']) {
      await writeFile(path.join(origin, 'src.txt'), `${v}\n`);
      git(origin, 'add', '-A');
      git(origin, 'commit', '-q', '-m', v);
      shas.push(git(origin, 'rev-parse', 'HEAD'));
    }
    expectOk(await runBundle(await checkout(origin, shas[0]!, 1), { store: `dir:${store}`, 'prebuild-id': '1' }, dirs));

    const near = await runBundle(await checkout(origin, shas[1]!, 0), { mode: 'restore', store: `dir:${store}` }, dirs);
    expectOk(near);
    expect(near.outputs).toMatchObject({ 'prebuild-hit': 'ancestor', 'prebuild-sha': shas[0], 'snapshot-key': `prebuilds-v1/web/${shas[0]}/1` });

    const far = await runBundle(await checkout(origin, shas[2]!, 0), { mode: 'restore', store: `dir:${store}` }, dirs);
    expectOk(far);
    expect(far.stdout).toContain('Searching 2 commits for a prebuild of "web": 1 snapshot in the directory');
    expect(far.outputs['prebuild-hit']).toBe('none');
  });
});
