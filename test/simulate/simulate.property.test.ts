import path from 'node:path';
import fc from 'fast-check';
import { simulate, SIMULATED_REPO, type PushEvent, type SimEvent } from '../../src/simulate/index.js';
import { ACTIVE_STATES, type Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';
import { ReferenceModel, type RefPush } from '../scheduler/reference-model.js';

/**
 * Random timelines through `simulate` (the real decidePush + Scheduler on a real
 * SQLite file) and through the reference model driven by the same clock; they must
 * agree on which pushes run, and the invariants of SPEC.md rules 2, 3, 9 must hold
 * after every event and every completion.
 */
const CONFIGS = [
  { name: 'web', branches: ['**'] },
  { name: 'api', branches: ['main'] },
];

type Step =
  | { kind: 'push'; dt: number; branch: string; identity: string; commits: number; only: number | null }
  | { kind: 'redeliver'; dt: number; pick: number }
  | { kind: 'pause' | 'resume'; dt: number; config: number }
  | { kind: 'restart'; dt: number };

const dt = fc.constantFrom(0, 0, 5, 30, 120, 400, 900);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      dt,
      branch: fc.constantFrom('main', 'main', 'feature/x'),
      identity: fc.constantFrom('A', 'A', 'B', 'C'),
      commits: fc.integer({ min: 1, max: 3 }),
      only: fc.option(fc.nat(1), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), dt, pick: fc.nat(30) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('pause' as const, 'resume' as const), dt, config: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), dt }) },
);

const scenarioArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 30 }),
  intervals: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  duration: fc.integer({ min: 10, max: 1000 }),
});

/** The timeline of a scenario; every configuration is resumed at the end. */
function timeline(s: { steps: Step[]; intervals: [number, number]; duration: number }): SimEvent[] {
  const events: SimEvent[] = CONFIGS.map((c, i) => ({ type: 'config', at: 0, configuration: { ...c, commitInterval: s.intervals[i]! } }));
  const pushes: PushEvent[] = [];
  let at = 0;
  for (const step of s.steps) {
    at += step.dt;
    if (step.kind === 'push') {
      const p: PushEvent = {
        type: 'push',
        at,
        branch: step.branch,
        sha: `s${pushes.length}`,
        identity: step.identity,
        commits: step.commits,
        delivery: `d${pushes.length}`,
      };
      if (step.only !== null) p.configuration = CONFIGS[step.only]!.name;
      pushes.push(p);
      events.push(p);
    } else if (step.kind === 'redeliver') {
      if (pushes.length) events.push({ ...pushes[step.pick % pushes.length]!, at });
    } else if (step.kind === 'restart') events.push({ type: 'restart', at });
    else events.push({ type: step.kind, at, configuration: CONFIGS[step.config]!.name });
  }
  for (const c of CONFIGS) events.push({ type: 'resume', at: at + 1, configuration: c.name });
  return events;
}

/** The reference model on the simulator's clock: runs end `duration` after they start; ties: completions first. */
function reference(events: SimEvent[], duration: number, intervals: number[]): RefPush[] {
  const timers: Array<{ at: number; seq: number; p: RefPush }> = [];
  let clock = 0;
  let seq = 0;
  const model = new ReferenceModel((p) => timers.push({ at: clock + duration, seq: seq++, p }));
  const seen = new Set<string>();
  const runDue = (until: number) => {
    for (timers.sort((a, b) => a.at - b.at || a.seq - b.seq); timers.length && timers[0]!.at <= until; timers.sort((a, b) => a.at - b.at || a.seq - b.seq)) {
      const t = timers.shift()!;
      clock = Math.max(clock, t.at);
      model.complete(t.p.lane, t.p.sha);
    }
  };
  for (const e of events) {
    runDue(e.at);
    clock = e.at;
    if (e.type === 'pause') model.pause(e.configuration);
    else if (e.type === 'resume') model.resume(e.configuration);
    else if (e.type === 'push' && !seen.has(e.delivery!)) {
      seen.add(e.delivery!);
      CONFIGS.forEach((c, i) => {
        if (e.configuration && e.configuration !== c.name) return;
        if (!c.branches.includes('**') && !c.branches.includes(e.branch)) return; // branch globs (rule 4)
        model.push(`${c.name}/${e.branch}`, c.name, e.sha, e.identity as string, e.commits, intervals[i]);
      });
    }
  }
  runDue(Number.MAX_SAFE_INTEGER);
  return model.started;
}

async function invariants(store: Store) {
  const all = await store.listPrebuilds({ ...SIMULATED_REPO, limit: 100_000 });
  const lanes = new Map<string, typeof all>();
  for (const p of all) lanes.set(`${p.configuration}/${p.branch}`, [...(lanes.get(`${p.configuration}/${p.branch}`) ?? []), p]);
  for (const lane of lanes.values()) {
    const active = lane.filter((p) => ACTIVE_STATES.includes(p.state));
    expect(new Set(active.map((p) => p.identity)).size).toBe(active.length); // one run per identity at a time
    expect(lane.filter((p) => p.state === 'waiting').length).toBeLessThanOrEqual(1); // ≤ 1 waiting per lane
  }
  const keys = all.map((p) => `${p.deliveryId}/${p.configuration}`);
  expect(new Set(keys).size).toBe(keys.length); // one delivery never makes two prebuilds of a configuration
}

describe('simulate property: the real trigger + scheduler agree with the reference model', () => {
  it('random timelines (pushes, redeliveries, pauses, restarts; runs of random duration)', async () => {
    const tmp = tempDir();
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async (s) => {
          const events = timeline(s);
          const report = await simulate(events, {
            durationSeconds: s.duration,
            databasePath: path.join(tmp.dir, `run-${n++}.sqlite`),
            observe: invariants,
          });
          const ran = report.prebuilds.filter((p) => p.startedAt !== null).map((p) => `${p.configuration}/${p.branch}@${p.sha}`);
          const expected = reference(events, s.duration, s.intervals).map((p) => `${p.lane}@${p.sha}`);
          expect(ran.sort()).toEqual(expected.sort());
          // after all completions, the newest triggered push of every lane was prebuilt (`expired`:
          // it succeeded, then retention, per configuration across branches, expired it at a later dispatch)
          const newest = new Map<string, (typeof report.prebuilds)[number]>();
          for (const p of report.prebuilds) newest.set(`${p.configuration}/${p.branch}`, p);
          for (const p of newest.values()) expect(['success', 'expired']).toContain(p.state);
          expect(report.prebuilds.every((p) => p.state !== 'waiting' && p.state !== 'dispatched')).toBe(true);
        }),
        { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
      );
    } finally {
      tmp.cleanup();
    }
  });
});
