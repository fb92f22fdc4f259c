/** Deleting a snapshot from every store the app reaches: the Actions cache (REST, the GitHub fake) and real directory stores. */
import { Octokit as RestOctokit } from '@octokit/rest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dirStoresFromEnv, DIR_STORES_ENV } from '../../src/env.js';
import { deleteSnapshotEverywhere, deleteUnsuccessfulSnapshot } from '../../src/prebuilds/snapshots.js';
import type { Octokit } from '../../src/github/octokit.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { startGitHub, testAppKeys, type TestGitHub } from '../helpers/github.js';
import { APP_ID, REPO } from '../helpers/ids.js';
import { installationToken } from '../helpers/standin.js';

const repo = REPO;
const sha = 'c'.repeat(40);
let root: string;
let gh: TestGitHub;
let token: string;

beforeAll(async () => {
  gh = await startGitHub();
  token = await installationToken(gh.apiUrl, APP_ID, testAppKeys().privateKey);
});
afterAll(async () => {
  await gh.stop();
  expect(gh.problems()).toEqual([]);
});
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'caches-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function octokit(): Octokit {
  // Quiet: the 404 of the idempotence case is expected (octokit logs failed requests as errors).
  const quiet = () => undefined;
  return new RestOctokit({ auth: token, baseUrl: gh.apiUrl, log: { debug: quiet, info: quiet, warn: console.warn, error: quiet } }) as unknown as Octokit;
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
    gh.standIn.recordCache(repo.repo, { key });

    const d = await deleteUnsuccessfulSnapshot({ octokit: octokit(), repo, dirs }, { configuration: 'web', sha, prebuildId: 9 });
    expect(d).toEqual({ key, actionsCache: true, dirs: [a] });
    expect(gh.deletedCaches).toEqual([key]);
    expect((await readdir(a)).filter((n) => n.includes('+9.'))).toEqual([]);
    expect(await dirs[0]!.list('prebuilds-v1/web/')).toEqual([expect.objectContaining({ key: snapshotKey('web', sha, 10) })]);
  });

  it('is idempotent: a key no store has (404 from the cache API) is no error', async () => {
    const key = snapshotKey('web', sha, 11);
    expect(await deleteSnapshotEverywhere({ octokit: octokit(), repo, dirs: dirStoresFromEnv({ [DIR_STORES_ENV]: root }) }, key)).toEqual({
      key,
      actionsCache: false,
      dirs: [],
    });
    const asked = gh.made('DELETE', /\/actions\/caches$/).filter((x) => new URLSearchParams(x.query).get('key') === key);
    expect(asked.map((x) => x.status)).toEqual([404]);
  });
});
