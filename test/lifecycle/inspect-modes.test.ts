/**
 * `inspect` states which hooks each mode runs without importing the planners (the
 * configuration layer sits below the lifecycle layer): this test holds the two
 * together for every combination of defined hooks.
 */
import type { LifecycleCommand, LifecycleHook } from '../../src/config/model.js';
import { LIFECYCLE_HOOKS } from '../../src/config/model.js';
import { modeRuns } from '../../src/config/inspect.js';
import { nextMarker } from '../../src/lifecycle/marker.js';
import { planPrebuild, type PlannedHook } from '../../src/lifecycle/plan.js';
import { planRestore, type PlannedRestoreHook } from '../../src/lifecycle/restore-plan.js';

const ran = { startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5 };
const ranHooks = (plan: Array<PlannedHook | PlannedRestoreHook>) => plan.filter((p) => p.action === 'run').map((p) => p.hook);

describe('inspect modes agree with the planners', () => {
  const combinations = Array.from({ length: 1 << LIFECYCLE_HOOKS.length }, (_, mask) => LIFECYCLE_HOOKS.filter((_, i) => mask & (1 << i)));

  it.each(combinations.map((hooks) => [hooks.join(',') || '(none)', hooks] as const))('%s', (_name, hooks) => {
    const lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>> = {};
    for (const h of hooks) lifecycle[h] = { kind: 'shell', command: `run ${h}` };
    const base = nextMarker(null, {
      configuration: 'c',
      identity: 'i',
      sha: 'a'.repeat(40),
      prebuildId: '1',
      base: null,
      ran: { onCreateCommand: ran, updateContentCommand: ran },
      now: ran.startedAt,
    });
    for (const incremental of [true, false]) {
      const runs = modeRuns(lifecycle, incremental);
      expect(runs.prebuild).toEqual(ranHooks(planPrebuild(lifecycle, { identity: 'i', baseMarker: null })));
      expect(runs.incrementalPrebuild).toEqual(incremental ? ranHooks(planPrebuild(lifecycle, { identity: 'i', baseMarker: base })) : null);
      expect(runs.restore.exact).toEqual(ranHooks(planRestore(lifecycle, { kind: 'exact' })));
      expect(runs.restore.ancestor).toEqual(ranHooks(planRestore(lifecycle, { kind: 'ancestor', distance: 2 })));
      expect(runs.restore.none).toEqual(ranHooks(planRestore(lifecycle, { kind: 'none' })));
      expect(runs.workspace).toEqual(hooks.filter((h) => h === 'postCreateCommand' || h === 'postStartCommand' || h === 'postAttachCommand'));
    }
  });
});
