/**
 * The snapshot benchmark at small size (`--size small`: web-service only, no
 * throughput half), so it cannot rot: every step runs through the bundled action and
 * the facts that show it did the right thing are asserted, never its timings.
 * Needs what the fixture's `npm ci` needs (the npm registry), like the benchmark.
 */
import { runSnapshotBench } from '../../bench/snapshot.js';

describe('npm run bench -- --json snapshot --size small', () => {
  it(
    'prebuilds, restores and reports the breakdown of every step',
    async () => {
      const lines: string[] = [];
      // No quiet period before the restores: they model a fresh runner's timings, which this
      // test never asserts (the benchmark waits 61 s there, see bench/snapshot-lifecycle.ts).
      const r = await runSnapshotBench({ size: 'small', quietMs: 0, log: (l) => lines.push(l) });
      // The incremental prebuild after the lockfile change installed the new dependency
      // (onCreateCommand re-ran with the base's npm cache); the source-only one skipped it.
      expect(r.lockfileDependencyInstalled).toBe(true);
      expect(r.sourceSkippedOnCreate).toBe(true);
      expect(r.exactHit).toBe('exact');
      expect(r.ancestorHit).toBe('ancestor');
      // The npm cache is kept as a part of its own (one per lockfile: the source-only
      // prebuild saved none), and its size cost is measured.
      expect(r.cachesBytes).toBeGreaterThan(1_000_000);
      expect(r.cachesArchiveBytes).toBeGreaterThan(0);
      expect(r.cachesParts).toBe(2);
      expect(r.fixtures.map((f) => f.fixture)).toEqual(['web-service']);
      expect(r.saveMBps).toBeUndefined(); // small size: no throughput half

      const steps = Object.fromEntries(r.breakdown.map((b) => [b.step, b]));
      expect(Object.keys(steps)).toEqual(['cold', 'full', 'incrementalSource', 'incrementalLockfile', 'restoreExactFirst', 'restoreAncestor', 'restoreExact']);
      // Each restore figure is its own step's wall time (the back-to-back one is kept apart, not folded in).
      expect(r.restoreExactFirstMs).toBe(Number(steps.restoreExactFirst!.totalMs));
      expect(r.restoreExactMs).toBe(Number(steps.restoreExact!.totalMs));
      expect(r.restoreAncestorMs).toBe(Number(steps.restoreAncestor!.totalMs));
      expect(Object.keys(steps.full!)).toEqual([
        'fixture',
        'step',
        'totalMs',
        'checkout',
        'setup',
        'onCreateCommand',
        'updateContentCommand',
        'save',
        'saveCaches',
        'retention',
      ]);
      expect(Object.keys(steps.incrementalSource!)).toEqual([
        'fixture',
        'step',
        'totalMs',
        'checkout',
        'setup',
        'restore',
        'merge',
        'updateContentCommand',
        'save',
        'saveCaches',
        'retention',
      ]);
      // Only the lockfile change restores the caches part.
      expect(steps.incrementalLockfile).toHaveProperty('onCreateCommand');
      expect(steps.incrementalLockfile).toHaveProperty('restoreCaches');
      for (const step of ['restoreExactFirst', 'restoreExact']) {
        expect(Object.keys(steps[step]!)).toEqual(['fixture', 'step', 'totalMs', 'checkout', 'setup', 'restore', 'merge', 'postCreateCommand']);
      }
      expect(steps.restoreAncestor).toHaveProperty('updateContentCommand');
      expect(steps.restoreAncestor).not.toHaveProperty('onCreateCommand');
      // Every step's phases fit in its wall time (they never overlap).
      for (const b of r.breakdown) {
        const { fixture: _f, step: _s, totalMs, ...phases } = b;
        const sum = Object.values(phases).reduce<number>((a, v) => a + Number(v), 0);
        expect(sum).toBeLessThanOrEqual(Number(totalMs) + Object.keys(phases).length);
      }
      expect(lines.some((l) => l.includes('added dependency installed by the incremental prebuild: yes'))).toBe(true);
    },
    15 * 60_000,
  );
});
