import type { LifecycleCommand, LifecycleHook } from '../../src/config/model.js';
import { nextMarker } from '../../src/lifecycle/marker.js';
import { markerMismatch, planRestore, rankCandidates, shallowNote, timeSaved } from '../../src/lifecycle/restore-plan.js';
import type { SnapshotListing } from '../../src/lifecycle/snapshot/store.js';

const id = 'a'.repeat(64);
const sha = (c: string) => c.repeat(40);
const listing = (key: string, s: string, createdAt: string, identity: string | null = id): SnapshotListing => ({
  key,
  sha: s,
  configuration: 'web',
  identity,
  createdAt,
  bytes: 1,
  hooks: {},
});
const cmd = (command: string): LifecycleCommand => ({ kind: 'shell', command });
const full: Partial<Record<LifecycleHook, LifecycleCommand>> = {
  onCreateCommand: cmd('a'),
  updateContentCommand: cmd('b'),
  postCreateCommand: cmd('c'),
  postStartCommand: cmd('d'),
};

describe('rankCandidates', () => {
  it('orders by distance, then newest first; skips other identities and unrelated commits', () => {
    const ancestors = [sha('1'), sha('2'), sha('3')];
    const r = rankCandidates(
      [
        listing('k3', sha('3'), '2026-01-03T00:00:00Z'),
        listing('k2-old', sha('2'), '2026-01-01T00:00:00Z'),
        listing('k2-new', sha('2'), '2026-01-02T00:00:00Z'),
        listing('k1-other', sha('1'), '2026-01-04T00:00:00Z', 'b'.repeat(64)),
        listing('k1-unknown', sha('1'), '2026-01-01T00:00:00Z', null),
        listing('elsewhere', sha('9'), '2026-01-05T00:00:00Z'),
      ],
      ancestors,
      id,
    );
    expect(r.candidates.map((c) => [c.key, c.distance])).toEqual([
      ['k1-unknown', 0],
      ['k2-new', 1],
      ['k2-old', 1],
      ['k3', 2],
    ]);
    expect(r.skipped).toEqual([{ key: 'k1-other', reason: expect.stringContaining('built for configuration identity bbbbbbbbbbbb') }]);
    expect(r.unrelated).toBe(1);
  });
});

describe('planRestore', () => {
  const actions = (kind: 'exact' | 'ancestor' | 'none') => planRestore(full, { kind, distance: 2 }).map((s) => `${s.hook}:${s.action}`);
  it('exact: postCreate only; ancestor: updateContent + postCreate; none: everything; never postStart', () => {
    expect(actions('exact')).toEqual(['onCreateCommand:skip', 'updateContentCommand:skip', 'postCreateCommand:run']);
    expect(actions('ancestor')).toEqual(['onCreateCommand:skip', 'updateContentCommand:run', 'postCreateCommand:run']);
    expect(actions('none')).toEqual(['onCreateCommand:run', 'updateContentCommand:run', 'postCreateCommand:run']);
    expect(planRestore(full, { kind: 'ancestor', distance: 2 })[1]).toMatchObject({ note: 'the prebuild is 2 commits behind: updating it' });
    expect(planRestore({}, { kind: 'none' }).every((s) => s.action === 'skip')).toBe(true);
  });
});

describe('markerMismatch and timeSaved', () => {
  const marker = nextMarker(null, {
    configuration: 'web',
    identity: id,
    sha: sha('1'),
    prebuildId: '1',
    base: null,
    ran: {
      onCreateCommand: { startedAt: '', durationMs: 60_000 },
      updateContentCommand: { startedAt: '', durationMs: 20_000 },
      postCreateCommand: { startedAt: '', durationMs: 999 },
    },
    now: '2026-01-01T00:00:00Z',
  });

  it('accepts only a marker of the same commit and identity', () => {
    expect(markerMismatch(marker, { sha: sha('1'), identity: id })).toBeNull();
    expect(markerMismatch(null, { sha: sha('1'), identity: id })).toMatch(/no \.prebuilds\/marker\.json/);
    expect(markerMismatch(marker, { sha: sha('1'), identity: 'c'.repeat(64) })).toMatch(/identity aaaaaaaaaaaa, the commit has cccccccccccc/);
    expect(markerMismatch(marker, { sha: sha('2'), identity: id })).toMatch(/marker is for commit 111111111111/);
  });

  it('counts the recorded onCreate + updateContent against restore time plus re-run hooks (postCreate excluded)', () => {
    expect(timeSaved(marker, 5_000, { postCreateCommand: 1_000 })).toEqual({ prebuiltMs: 80_000, spentMs: 5_000, savedMs: 75_000 });
    expect(timeSaved(marker, 5_000, { updateContentCommand: 3_000 })).toEqual({ prebuiltMs: 80_000, spentMs: 8_000, savedMs: 72_000 });
    expect(timeSaved(null, 5_000, {})).toBeNull();
  });
});

describe('shallowNote', () => {
  it('speaks only when a shallow clone cuts the search short', () => {
    expect(shallowNote(false, 1, 101)).toBeNull();
    expect(shallowNote(true, 101, 101)).toBeNull();
    expect(shallowNote(true, 1, 101)).toMatch(
      /shallow \(1 of the 101 commits to search\): only prebuilds of this exact commit.*fetch-depth: 0 \(or at least 101\)/,
    );
  });
});
