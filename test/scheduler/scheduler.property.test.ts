import path from 'node:path';
import fc from 'fast-check';
import { laneOf, Scheduler, type Lane } from '../../src/scheduler/scheduler.js';
import { openStore } from '../../src/store/index.js';
import { ACTIVE_STATES, type NewPrebuild, type Store } from '../../src/store/types.js';
import { RecordingDispatcher } from '../helpers/fake-dispatcher.js';
import { tempDir } from '../helpers/tmp.js';
import { ReferenceModel } from './reference-model.js';

/**
 * Random operation sequences on the real Scheduler over a real SQLite file, checked
 * against the reference model (SPEC.md rules 2, 3, 9) after every step.
 */
const repo = { owner: 'octo', repo: 'app' };
const CONFIGS = ['web', 'api'];
const BRANCHES = ['main', 'feature'];
const laneName = (l: Pick<Lane, 'configuration' | 'branch'>) => `${l.configuration}/${l.branch}`;

type Op =
  | { op: 'push'; config: number; branch: number; identity: string }
  | { op: 'complete'; config: number; branch: number; pick: number }
  | { op: 'replay'; pick: number }
  | { op: 'pause' | 'resume'; config: number }
  | { op: 'restart' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('push' as const), config: fc.nat(1), branch: fc.nat(1), identity: fc.constantFrom('A', 'B', 'C') }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('complete' as const), config: fc.nat(1), branch: fc.nat(1), pick: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('pause' as const, 'resume' as const), config: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const) }) },
);

async function checkInvariants(store: Store) {
  const open = await store.listPrebuilds({ ...repo, states: ['waiting', ...ACTIVE_STATES], limit: 10_000 });
  const all = await store.listPrebuilds({ ...repo, limit: 10_000 });
  for (const c of CONFIGS) {
    for (const b of BRANCHES) {
      const lane = open.filter((p) => p.configuration === c && p.branch === b);
      const active = lane.filter((p) => p.state !== 'waiting');
      // never two runs of one identity of one configuration + branch at once
      expect(new Set(active.map((p) => p.identity)).size).toBe(active.length);
      // never more than one waiting per lane
      expect(lane.filter((p) => p.state === 'waiting').length).toBeLessThanOrEqual(1);
    }
  }
  // one delivery never creates (so never starts) two prebuilds of a configuration
  const keys = all.map((p) => `${p.deliveryId}/${p.configuration}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe('Scheduler property: agrees with the reference model of SPEC.md rules 2 and 3', () => {
  it('random pushes, completions, redeliveries, pauses and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const tmp = tempDir();
        const file = path.join(tmp.dir, 'db.sqlite');
        let store = await openStore(file);
        const dispatcher = new RecordingDispatcher();
        let scheduler = new Scheduler(store, dispatcher);
        const model = new ReferenceModel();
        const requests: NewPrebuild[] = [];
        const ids: number[] = [];
        const started = () => dispatcher.started.map((p) => `${laneName(p)}@${p.sha}`).sort();
        const expected = () => model.started.map((p) => `${p.lane}@${p.sha}`).sort(); // which runs, not the order lanes resume in
        try {
          for (const o of ops) {
            if (o.op === 'push') {
              const candidate: NewPrebuild = {
                ...repo,
                installationId: 1,
                configuration: CONFIGS[o.config]!,
                identity: o.identity,
                branch: BRANCHES[o.branch]!,
                sha: `sha${requests.length}`,
                prNumber: null,
                trigger: 'push',
                workflow: 'prebuild.yml',
                timeoutMinutes: 60,
                deliveryId: `delivery-${requests.length}`,
              };
              requests.push(candidate);
              ids.push((await scheduler.request(candidate)).prebuild.id);
              model.push(laneName(candidate), candidate.configuration, candidate.sha, candidate.identity);
            } else if (o.op === 'complete') {
              const lane = { ...repo, configuration: CONFIGS[o.config]!, branch: BRANCHES[o.branch]! };
              const active = await store.listPrebuilds({ ...lane, states: [...ACTIVE_STATES] });
              const victim = active[o.pick % Math.max(active.length, 1)];
              if (!victim) continue;
              await store.updatePrebuild(victim.id, { state: o.pick % 2 ? 'failure' : 'success', endedAt: Date.now() });
              await scheduler.advance(laneOf(victim));
              model.complete(laneName(lane), victim.sha);
            } else if (o.op === 'replay') {
              const k = o.pick % Math.max(requests.length, 1);
              if (!requests[k]) continue;
              const before = dispatcher.started.length;
              const outcome = await scheduler.request(requests[k]); // the same delivery handled twice
              expect(outcome.prebuild.id).toBe(ids[k]);
              expect(dispatcher.started.length).toBe(before);
            } else if (o.op === 'pause' || o.op === 'resume') {
              const configuration = CONFIGS[o.config]!;
              await store.setConfigurationState(repo, configuration, { paused: o.op === 'pause' });
              if (o.op === 'pause') model.pause(configuration);
              else {
                for (const b of BRANCHES) await scheduler.advance({ ...repo, configuration, branch: b });
                model.resume(configuration);
              }
            } else {
              await store.close();
              store = await openStore(file);
              scheduler = new Scheduler(store, dispatcher);
            }
            await checkInvariants(store);
            expect(started()).toEqual(expected());
          }
          // Afterwards: resume everything and finish every run; the newest push of every lane gets prebuilt.
          for (const c of CONFIGS) {
            await store.setConfigurationState(repo, c, { paused: false });
            model.resume(c);
            for (const b of BRANCHES) await scheduler.advance({ ...repo, configuration: c, branch: b });
          }
          for (let active = await store.listPrebuilds({ ...repo, states: [...ACTIVE_STATES] }); active.length > 0;) {
            const p = active[active.length - 1]!;
            await store.updatePrebuild(p.id, { state: 'success', endedAt: Date.now() });
            await scheduler.advance(laneOf(p));
            model.complete(laneName(p), p.sha);
            await checkInvariants(store);
            active = await store.listPrebuilds({ ...repo, states: [...ACTIVE_STATES] });
          }
          expect(started()).toEqual(expected());
          for (const c of CONFIGS) {
            for (const b of BRANCHES) {
              const [newest] = await store.listPrebuilds({ ...repo, configuration: c, branch: b, limit: 1 });
              if (newest) expect(['success', 'failure']).toContain(newest.state);
              if (newest) expect(dispatcher.started.some((p) => p.id === newest.id)).toBe(true);
            }
          }
        } finally {
          await store.close();
          tmp.cleanup();
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });
});
