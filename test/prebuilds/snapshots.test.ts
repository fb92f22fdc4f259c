/** Deleting a snapshot from every store the app reaches: the Actions cache (REST, nock) and real directory stores. */
import { Octokit as RestOctokit } from '@octokit/rest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { dirStoresFromEnv, DIR_STORES_ENV } from '../../src/env.js';
import { deleteSnapshotEverywhere, deleteUnsuccessfulSnapshot } from '../../src/prebuilds/snapshots.js';
import type { Octokit } from '../../src/github/octokit.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { example } from '../helpers/fake-github.js';

const repo = { owner: 'octo', repo: 'app' };
const sha = 'c'.repeat(40);
let root: string;

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'caches-'));
});
afterEach(async () => {
  nock.cleanAll();
  await rm(root, { recursive: true, force: true });
});

function octokit(): Octokit {
  return new RestOctokit({ auth: 'ghs_test', request: { fetch } }) as unknown as Octokit;
}

describe('deleteSnapshotEverywhere', () => {
  it('deletes the key from the Actions cache and from every reachable directory store', async () => {
    const key = snapshotKey('web', sha, 9);
    const [a, b] = [path.join(root, 'a'), path.join(root, 'b')];
    const dirs = dirStoresFromEnv({ [DIR_STORES_ENV]: `${a}:relative/ignored:${b}:${a}` });
    expect(dirs.map((d) => d.root)).toEqual([a, b]);
    // Store a only has it (a real save), and an unrelated snapshot that must stay.
    const ws = await mkdtemp(path.join(root, 'ws-'));
    await writeFile(path.join(ws, 'f.txt'), 'x');
    await dirs[0]!.save(key, ['.'], ws);
    await dirs[0]!.save(snapshotKey('web', sha, 10), ['.'], ws);
    const api = nock('https://api.github.com')
      .delete('/repos/octo/app/actions/caches')
      .query({ key })
      .reply(200, example('/repos/{owner}/{repo}/actions/caches', 'delete', 200));

    const d = await deleteUnsuccessfulSnapshot({ octokit: octokit(), repo, dirs }, { configuration: 'web', sha, prebuildId: 9 });
    expect(d).toEqual({ key, actionsCache: true, dirs: [a] });
    expect(api.isDone()).toBe(true);
    expect((await readdir(a)).filter((n) => n.includes('+9.'))).toEqual([]);
    expect(await dirs[0]!.list('prebuilds-v1/web/')).toEqual([expect.objectContaining({ key: snapshotKey('web', sha, 10) })]);
  });

  it('is idempotent: a key no store has (404 from the cache API) is no error', async () => {
    const key = snapshotKey('web', sha, 11);
    nock('https://api.github.com').delete('/repos/octo/app/actions/caches').query({ key }).reply(404, { message: 'Not Found' });
    expect(await deleteSnapshotEverywhere({ octokit: octokit(), repo, dirs: dirStoresFromEnv({ [DIR_STORES_ENV]: root }) }, key)).toEqual({ key, actionsCache: false, dirs: [] });
  });
});
