import path from 'node:path';
import { expireAtDispatch, expiredByRetention, orphanedCachesParts, unexpire } from '../../src/scheduler/retention.js';
import { openStore } from '../../src/store/index.js';
import type { PrebuildSettings } from '../../src/config/model.js';
import type { PrebuildState, Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';

describe('retention (SPEC.md rule 7)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let n = 0;
  const add = async (state: PrebuildState, over: Record<string, unknown> = {}, retention = 3) => {
    const p = await store.createPrebuild({
      owner: 'o',
      repo: 'r',
      installationId: 1,
      configuration: 'c',
      identity: 'I',
      branch: 'main',
      sha: String(++n).padStart(40, '0'),
      prNumber: null,
      trigger: 'push',
      workflow: 'prebuild.yml',
      timeoutMinutes: 60,
      deliveryId: `d${n}`,
      settings: { retention } as PrebuildSettings,
    });
    return store.updatePrebuild(p.id, { state, snapshotKey: `prebuilds-v1/c/${p.sha}/${p.id}`, ...over });
  };
  beforeEach(async () => {
    tmp = tempDir();
    store = await openStore(path.join(tmp.dir, 'db.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('keeps the newest `retention` successes and expires the rest', async () => {
    const old = [await add('success'), await add('success')];
    await add('failure');
    const kept = [await add('success'), await add('success'), await add('success')];
    const expired = await expiredByRetention(store, kept[2]!);
    expect(expired.map((p) => p.id).sort()).toEqual(old.map((p) => p.id).sort());
  });

  it('never expires a snapshot that a waiting, dispatched or running prebuild uses as base', async () => {
    const base = await add('success');
    const other = await add('success');
    const third = await add('success');
    await add('success');
    const last = await add('success', {}, 2);
    await add('running', { baseKey: base.snapshotKey });
    const expired = await expiredByRetention(store, last);
    expect(expired.map((p) => p.id)).toEqual([third.id, other.id]);
  });

  it('at a dispatch: records the expired prebuilds `expired`, keeps the base the dispatched one chose, and a failed dispatch puts them back', async () => {
    const oldest = await add('success');
    const base = await add('success');
    const kept = await add('success', {}, 1);
    const next = await add('waiting', { baseKey: null }, 1);
    const dispatching = { ...next, baseKey: base.snapshotKey }; // its base chosen, not stored yet
    const expired = await expireAtDispatch(store, dispatching);
    expect(expired.map((p) => p.id)).toEqual([oldest.id]);
    expect(await store.getPrebuild(oldest.id)).toMatchObject({ state: 'expired', reason: expect.stringContaining(`prebuild #${next.id}'s run`) });
    expect((await store.getPrebuild(base.id))?.state).toBe('success');
    expect((await store.getPrebuild(kept.id))?.state).toBe('success');
    expect(await expiredByRetention(store, dispatching, [base.snapshotKey])).toEqual([]); // expired ones are never bases nor expired twice
    expect((await unexpire(store, dispatching, expired)).map((p) => p.id)).toEqual([oldest.id]);
    expect(await store.getPrebuild(oldest.id)).toMatchObject({ state: 'success', reason: null });
  });

  it('a failed dispatch puts back only what its own hand-over still holds expired, never what another path changed since', async () => {
    const viaApi = await add('success');
    const otherDispatch = await add('success');
    const failed = await add('success');
    const untouched = await add('success');
    await add('success', {}, 1);
    const next = await add('waiting', {}, 1);
    const expired = await expireAtDispatch(store, next);
    expect(expired.map((p) => p.id).sort()).toEqual([viaApi.id, otherDispatch.id, failed.id, untouched.id].sort());
    // Meanwhile: the snapshot deleted through the management API, another dispatch's mark,
    // another path recording a failure.
    await store.updatePrebuild(viaApi.id, { state: 'expired', reason: 'snapshot deleted through the management API' });
    await store.updatePrebuild(otherDispatch.id, {
      state: 'expired',
      reason: "retention: newer than 1 successes kept; snapshot deleted by prebuild #999's run",
    });
    await store.updatePrebuild(failed.id, { state: 'failure', reason: 'marked by another path' });
    const restored = await unexpire(store, next, expired);
    expect(restored.map((p) => p.id)).toEqual([untouched.id]);
    expect(await store.getPrebuild(untouched.id)).toMatchObject({ state: 'success', reason: null });
    expect(await store.getPrebuild(viaApi.id)).toMatchObject({ state: 'expired', reason: 'snapshot deleted through the management API' });
    expect(await store.getPrebuild(otherDispatch.id)).toMatchObject({ state: 'expired', reason: expect.stringContaining('#999') });
    expect(await store.getPrebuild(failed.id)).toMatchObject({ state: 'failure', reason: 'marked by another path' });
    // Another dispatch's unexpire does not put back this one's marks.
    const again = await add('success', {}, 1);
    const second = await add('waiting', {}, 1);
    const expiredBySecond = await expireAtDispatch(store, second);
    expect(expiredBySecond.map((p) => p.id)).toContain(untouched.id);
    expect((await unexpire(store, next, expiredBySecond)).map((p) => p.id)).toEqual([]);
    expect((await store.getPrebuild(untouched.id))?.state).toBe('expired');
    expect((await store.getPrebuild(again.id))?.state).toBe('success');
  });

  it('marks and hands over only prebuilds still successes when marked (one another path ended after the listing is left alone)', async () => {
    const raced = await add('success');
    const plain = await add('success');
    await add('success', {}, 1);
    const next = await add('waiting', {}, 1);
    // The management API deletes `raced` between retention's listing and its mark.
    const racing: Store = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'listPrebuilds') return Reflect.get(target, prop, receiver);
        return async (filter: Parameters<Store['listPrebuilds']>[0]) => {
          const listed = await target.listPrebuilds(filter);
          if (filter.states?.includes('success'))
            await target.updatePrebuild(raced.id, { state: 'expired', reason: 'snapshot deleted through the management API' });
          return listed;
        };
      },
    });
    const expired = await expireAtDispatch(racing, next);
    expect(expired.map((p) => p.id)).toEqual([plain.id]);
    expect(await store.getPrebuild(raced.id)).toMatchObject({ state: 'expired', reason: 'snapshot deleted through the management API' });
  });

  it('hands over the caches parts only expired snapshots named, never one a kept success names', async () => {
    const part = (c: string) => `prebuilds-v1-caches/c/${c.repeat(64)}`;
    const old = await add('success', { cachesKey: part('a') }, 1);
    const shared = await add('success', { cachesKey: part('b') }, 1);
    await add('success', { cachesKey: part('b') }, 1);
    const next = await add('waiting', {}, 1);
    const expired = await expireAtDispatch(store, next);
    expect(expired.map((p) => p.id).sort()).toEqual([old.id, shared.id].sort());
    expect(await orphanedCachesParts(store, next, expired)).toEqual([part('a')]);
    expect(await orphanedCachesParts(store, next, [])).toEqual([]);
    await add('running'); // another prebuild in flight may have reused part a: it waits
    expect(await orphanedCachesParts(store, next, expired)).toEqual([]);
  });
});
