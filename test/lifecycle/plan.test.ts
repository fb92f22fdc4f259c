import type { LifecycleCommand, LifecycleHook } from '../../src/config/model.js';
import { formatMarker, nextMarker, parseMarker, MARKER_HISTORY_LIMIT } from '../../src/lifecycle/marker.js';
import { describeCommand, planPrebuild, snapshotPaths } from '../../src/lifecycle/plan.js';

const lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>> = {
  onCreateCommand: { kind: 'shell', command: 'npm ci' },
  updateContentCommand: { kind: 'exec', argv: ['npm', 'run', 'build'] },
  postCreateCommand: { kind: 'shell', command: 'never in a prebuild' },
  postStartCommand: { kind: 'shell', command: 'never either' },
};
const ran = { startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5 };

function marker(identity: string) {
  return nextMarker(null, {
    configuration: 'web',
    identity,
    sha: 'a'.repeat(40),
    prebuildId: '7',
    base: null,
    ran: { onCreateCommand: ran, updateContentCommand: ran },
    now: ran.startedAt,
  });
}

describe('planPrebuild', () => {
  it('runs onCreate then updateContent, never the post* hooks', () => {
    const plan = planPrebuild(lifecycle, { identity: 'i1', baseMarker: null });
    expect(plan.map((p) => [p.hook, p.action])).toEqual([
      ['onCreateCommand', 'run'],
      ['updateContentCommand', 'run'],
    ]);
  });

  it('skips onCreate when the base ran it for the same identity, re-runs updateContent', () => {
    const plan = planPrebuild(lifecycle, { identity: 'i1', baseMarker: marker('i1') });
    expect(plan[0]).toEqual({ hook: 'onCreateCommand', action: 'skip', reason: `already ran in the base prebuild (${'a'.repeat(12)}, prebuild 7)` });
    expect(plan[1]).toMatchObject({ hook: 'updateContentCommand', action: 'run' });
  });

  it('re-runs onCreate on the base when a dependency file changed since it ran (lockfile changes get installed)', () => {
    const base = nextMarker(null, {
      configuration: 'web',
      identity: 'i1',
      sha: 'a'.repeat(40),
      prebuildId: '7',
      base: null,
      ran: { onCreateCommand: ran },
      now: ran.startedAt,
      dependencyFiles: { 'package-lock.json': 'h1', 'package.json': 'p1' },
    });
    expect(base.dependencyFiles).toEqual({ 'package-lock.json': 'h1', 'package.json': 'p1' });
    const same = planPrebuild(lifecycle, { identity: 'i1', baseMarker: base, dependencyFiles: { 'package-lock.json': 'h1', 'package.json': 'p1' } });
    expect(same[0]).toMatchObject({ action: 'skip' });
    const changed = planPrebuild(lifecycle, { identity: 'i1', baseMarker: base, dependencyFiles: { 'package-lock.json': 'h2', 'package.json': 'p1' } });
    expect(changed[0]).toMatchObject({ action: 'run', note: 'dependency files changed since the base ran it: package-lock.json' });
    // A prebuild that skipped onCreate keeps the hashes of the run that did.
    const next = nextMarker(base, {
      configuration: 'web',
      identity: 'i1',
      sha: 'b'.repeat(40),
      prebuildId: '8',
      base: 'k',
      ran: { updateContentCommand: ran },
      now: ran.startedAt,
      dependencyFiles: { x: 'y' },
    });
    expect(next.dependencyFiles).toEqual(base.dependencyFiles);
  });

  it('runs everything when the base has another identity', () => {
    const plan = planPrebuild(lifecycle, { identity: 'i2', baseMarker: marker('i1') });
    expect(plan.map((p) => p.action)).toEqual(['run', 'run']);
    expect(plan[0]).toMatchObject({ note: expect.stringContaining('another configuration identity') });
  });

  it('skips hooks that are not configured', () => {
    expect(planPrebuild({}, { identity: 'i', baseMarker: null })).toEqual([
      { hook: 'onCreateCommand', action: 'skip', reason: 'not configured' },
      { hook: 'updateContentCommand', action: 'skip', reason: 'not configured' },
    ]);
  });
});

describe('describeCommand', () => {
  it('renders the three forms on one line', () => {
    expect(describeCommand({ kind: 'shell', command: 'npm ci &&\n  npm test' })).toBe('npm ci && npm test');
    expect(describeCommand({ kind: 'exec', argv: ['echo', 'two words', "it's", ''] })).toBe(`echo 'two words' 'it'\\''s' ''`);
    expect(describeCommand({ kind: 'parallel', commands: { a: { kind: 'shell', command: 'x' }, b: { kind: 'shell', command: 'y' } } })).toBe('a, b');
    expect(describeCommand({ kind: 'shell', command: 'x'.repeat(500) })).toHaveLength(200);
  });
});

describe('snapshotPaths', () => {
  it('normalises and always covers the marker', () => {
    expect(snapshotPaths(undefined)).toEqual(['.']);
    expect(snapshotPaths(['./', '.'])).toEqual(['.']);
    expect(snapshotPaths(['node_modules/', './.venv'])).toEqual(['node_modules', '.venv', '.prebuilds']);
    expect(() => snapshotPaths(['/etc'])).toThrow(/relative/);
    expect(() => snapshotPaths(['a/../../b'])).toThrow(/leaves the workspace/);
  });
});

describe('marker', () => {
  it('round-trips and keeps records of the same identity only', () => {
    const first = marker('i1');
    expect(parseMarker(formatMarker(first))).toEqual(first);
    expect(parseMarker('nonsense')).toBeNull();
    expect(parseMarker('{"version":2}')).toBeNull();
    // A container prebuild's image: whether its lifecycle markers are sealed survives; anything but `true` is "not known".
    const image = { reference: 'r/web:sha-c', digest: `sha256:${'d'.repeat(64)}`, bytes: 1, coldMs: 2 };
    expect(parseMarker(formatMarker({ ...first, image: { ...image, markersSealed: true } }))?.image).toEqual({ ...image, markersSealed: true });
    expect(parseMarker(formatMarker({ ...first, image }))?.image).toEqual(image);
    expect(parseMarker(JSON.stringify({ ...first, image: { ...image, markersSealed: 'yes' } }))?.image).toEqual(image);
    const next = nextMarker(first, {
      configuration: 'web',
      identity: 'i1',
      sha: 'c'.repeat(40),
      prebuildId: '8',
      base: 'k',
      ran: { updateContentCommand: ran },
      now: '2026-01-02T00:00:00.000Z',
    });
    expect(next.hooks.onCreateCommand?.prebuildId).toBe('7');
    expect(next.hooks.updateContentCommand?.prebuildId).toBe('8');
    expect(next.createdAt).toBe(first.createdAt);
    expect(next.history.map((h) => h.hooks)).toEqual([['onCreateCommand', 'updateContentCommand'], ['updateContentCommand']]);
    const other = nextMarker(first, { configuration: 'web', identity: 'i2', sha: 'c'.repeat(40), prebuildId: '9', base: null, ran: {}, now: 'later' });
    expect(other.hooks).toEqual({});
    expect(other.history).toHaveLength(1);
    let m = first;
    for (let i = 0; i < 30; i++)
      m = nextMarker(m, { configuration: 'web', identity: 'i1', sha: 'd'.repeat(40), prebuildId: String(i), base: null, ran: {}, now: 'x' });
    expect(m.history).toHaveLength(MARKER_HISTORY_LIMIT);
  });
});
