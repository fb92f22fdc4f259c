import path from 'node:path';
import { PushHistory } from '../../src/github/push-history.js';
import { selectBase, type History } from '../../src/scheduler/base.js';
import { openStore } from '../../src/store/index.js';
import type { PrebuildRecord, PrebuildState, Store } from '../../src/store/types.js';
import type { PrebuildSettings } from '../../src/config/model.js';
import { commit, git, initRepo } from '../helpers/git.js';
import { tempDir } from '../helpers/tmp.js';

/** History read from a real repository with git, counted per call. */
function gitHistory(dir: string): History & { calls: number } {
  const h = {
    calls: 0,
    async ancestors(sha: string, count: number) {
      h.calls++;
      const n = Math.min(100, count);
      const shas = git(dir, 'rev-list', `--max-count=${n}`, sha).split('\n').filter(Boolean);
      return { shas, truncated: shas.length === n };
    },
    async distance(base: string, head: string) {
      h.calls++;
      try {
        git(dir, 'merge-base', '--is-ancestor', base, head);
      } catch {
        return null;
      }
      return Number(git(dir, 'rev-list', '--count', `${base}..${head}`));
    },
  };
  return h;
}

const settings = { incremental: true, ancestorDepth: 100, retention: 3 } as PrebuildSettings;

describe('base selection against a real git history (SPEC.md rule 5)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let repoDir: string;
  const shas: string[] = [];
  let n = 0;

  const prebuild = async (sha: string, state: PrebuildState, identity = 'I', over: Partial<PrebuildRecord> = {}) => {
    const p = await store.createPrebuild({
      owner: 'o',
      repo: 'r',
      installationId: 1,
      configuration: 'c',
      identity,
      branch: 'main',
      sha,
      prNumber: null,
      trigger: 'push',
      workflow: 'prebuild.yml',
      timeoutMinutes: 60,
      deliveryId: `d${++n}`,
      settings,
    });
    return store.updatePrebuild(p.id, { state, snapshotKey: `prebuilds-v1/c/${sha}/${p.id}`, ...over });
  };
  const target = async (sha: string, identity = 'I', over: Partial<PrebuildSettings> = {}) =>
    ({ ...(await prebuild(sha, 'waiting', identity)), settings: { ...settings, ...over } }) as PrebuildRecord;

  beforeAll(() => {
    tmp = tempDir();
    repoDir = path.join(tmp.dir, 'repo');
    initRepo(repoDir);
    for (let i = 0; i < 110; i++) shas.push(commit(repoDir, `c${i}`, { 'f.txt': String(i) }));
    // A side branch from c50 with two commits, merged back into main after c109.
    git(repoDir, 'checkout', '-q', '-b', 'side', shas[50]!);
    shas.push(commit(repoDir, 'side-1', { 'side.txt': '1' })); // [110]
    shas.push(commit(repoDir, 'side-2', { 'side.txt': '2' })); // [111]
    git(repoDir, 'checkout', '-q', 'main');
    git(repoDir, 'merge', '-q', '--no-ff', '-m', 'merge side', 'side');
    shas.push(git(repoDir, 'rev-parse', 'HEAD')); // [112] merge
    // An unrelated branch (orphan).
    git(repoDir, 'checkout', '-q', '--orphan', 'unrelated');
    shas.push(commit(repoDir, 'orphan', { 'x.txt': 'x' })); // [113]
    git(repoDir, 'checkout', '-q', 'main');
  });
  beforeEach(async () => (store = await openStore(path.join(tmp.dir, `db-${Date.now()}-${Math.random()}.sqlite`))));
  afterEach(() => store.close());
  afterAll(() => tmp.cleanup());

  it('finds an ancestor at depth 1 with one history call', async () => {
    const base = await prebuild(shas[108]!, 'success');
    const h = gitHistory(repoDir);
    const choice = await selectBase(store, h, await target(shas[109]!));
    expect(choice).toEqual({ baseKey: base.snapshotKey, baseSha: shas[108], baseReason: 'ancestor at depth 1' });
    expect(h.calls).toBe(1);
  });

  it('finds an ancestor at depth 100 and not at depth 101', async () => {
    await prebuild(shas[9]!, 'success');
    const at100 = await selectBase(store, gitHistory(repoDir), await target(shas[109]!));
    expect(at100.baseSha).toBe(shas[9]);
    expect(at100.baseReason).toBe('ancestor at depth 100');
    const store2 = store;
    store = await openStore(path.join(tmp.dir, `db-101-${Math.random()}.sqlite`));
    await prebuild(shas[8]!, 'success');
    const at101 = await selectBase(store, gitHistory(repoDir), await target(shas[109]!));
    expect(at101.baseKey).toBeNull();
    expect(at101.baseReason).toContain('100 nearest ancestors');
    await store.close();
    store = store2;
  });

  it('prefers the nearest ancestor, and merge parents count', async () => {
    await prebuild(shas[100]!, 'success');
    await prebuild(shas[111]!, 'success'); // on the merged side branch
    const choice = await selectBase(store, gitHistory(repoDir), await target(shas[112]!));
    expect([shas[111], shas[109]]).toContain(choice.baseSha);
    expect(choice.baseSha).toBe(shas[111]);
  });

  it('never takes a commit of an unrelated branch, nor failed, cancelled, timed-out or other-identity prebuilds', async () => {
    await prebuild(shas[113]!, 'success');
    await prebuild(shas[108]!, 'failure');
    await prebuild(shas[107]!, 'cancelled');
    await prebuild(shas[106]!, 'timed_out');
    await prebuild(shas[105]!, 'success', 'OTHER');
    await prebuild(shas[104]!, 'expired');
    const ok = await prebuild(shas[103]!, 'success');
    const choice = await selectBase(store, gitHistory(repoDir), await target(shas[109]!));
    expect(choice.baseKey).toBe(ok.snapshotKey);
    expect(choice.baseReason).toBe('ancestor at depth 6');
  });

  it('makes no history call without candidates, and honours incremental: off and a smaller depth', async () => {
    const h = gitHistory(repoDir);
    const none = await selectBase(store, h, await target(shas[109]!));
    expect(none.baseReason).toBe('no successful prebuild with this configuration identity');
    expect(h.calls).toBe(0);
    await prebuild(shas[104]!, 'success');
    expect((await selectBase(store, h, await target(shas[109]!, 'I', { incremental: false }))).baseReason).toBe('incremental: off');
    expect((await selectBase(store, h, await target(shas[109]!, 'I', { ancestorDepth: 4 }))).baseKey).toBeNull();
    expect((await selectBase(store, h, await target(shas[109]!, 'I', { ancestorDepth: 5 }))).baseSha).toBe(shas[104]);
  });

  describe('with the history the app learned from push payloads', () => {
    const repo = { owner: 'o', repo: 'r' };
    /** The real repository's commits pushed in pushes of `size` (before → commits, oldest first). */
    const pushed = (from: number, to: number, size = 3) => {
      const pushes = new PushHistory();
      for (let i = from; i < to; i += size) {
        const commits = shas.slice(i + 1, Math.min(i + 1 + size, to + 1));
        pushes.recordPush(repo, { before: shas[i]!, after: commits.at(-1)!, forced: false, commits });
      }
      return pushes;
    };
    const withPushes = (pushes: PushHistory) => {
      const h = gitHistory(repoDir);
      return Object.assign(h, { known: (sha: string, count: number) => pushes.ancestors(repo, sha, count) });
    };

    it('finds the nearest prebuilt ancestor among the pushed commits without a history call, at the depth git gives', async () => {
      await prebuild(shas[100]!, 'success');
      const ok = await prebuild(shas[103]!, 'success');
      const h = withPushes(pushed(90, 109));
      expect(await selectBase(store, h, await target(shas[109]!))).toEqual({ baseKey: ok.snapshotKey, baseSha: shas[103], baseReason: 'ancestor at depth 6' });
      expect(h.calls).toBe(0);
    });

    it('asks GitHub when the pushed commits end before a candidate, and not at all when they cover the depth', async () => {
      await prebuild(shas[60]!, 'success');
      const h = withPushes(pushed(90, 109));
      expect((await selectBase(store, h, await target(shas[109]!))).baseReason).toBe('ancestor at depth 49');
      expect(h.calls).toBe(1);
      const deep = withPushes(pushed(0, 109));
      expect((await selectBase(store, deep, await target(shas[109]!, 'I', { ancestorDepth: 20 }))).baseKey).toBeNull();
      expect(deep.calls).toBe(0);
    });

    it('learns nothing from a forced push, a new branch, or a commit list GitHub may have cut', () => {
      const pushes = new PushHistory();
      const commits = shas.slice(1, 4);
      pushes.recordPush(repo, { before: shas[0]!, after: shas[3]!, forced: true, commits });
      pushes.recordPush(repo, { before: '0'.repeat(40), after: shas[3]!, forced: false, commits });
      pushes.recordPush(repo, { before: shas[0]!, after: shas[21]!, forced: false, commits: shas.slice(1, 22) });
      pushes.recordPush(repo, { before: shas[0]!, after: shas[5]!, forced: false, commits });
      expect(pushes.ancestors(repo, shas[3]!, 10)).toEqual([shas[3]]);
      pushes.recordPush(repo, { before: shas[0]!, after: shas[3]!, forced: false, commits });
      expect(pushes.ancestors(repo, shas[3]!, 10)).toEqual([shas[3], shas[2], shas[1], shas[0]]);
      expect(pushes.ancestors({ owner: 'o', repo: 'other' }, shas[3]!, 10)).toEqual([shas[3]]);
    });
  });
});
