import { run } from '../../bench/scheduler.js';

/**
 * The scheduler benchmark at its CI size (`--small`: 30 and 100 pushes/s for 2 s over 10
 * repositories), so it cannot rot. Only its correctness is asserted, never a timing:
 * what it dispatched is what the reference model of SPEC.md rules 2/3 starts over the
 * deliveries the app recorded, nothing twice, and a successful run's result is the one
 * the run reported to the app with its job's OIDC token (no jobs listing, no annotations
 * listing). The timings are the benchmark's
 * business (`npm run bench -- --json scheduler`).
 */
describe('the scheduler benchmark at CI size', () => {
  it("dispatches exactly what the rules start, nothing twice, taking each result from the run's verified report", async () => {
    const lines: string[] = [];
    const { metrics, rows } = await run({ argv: ['--small'], log: (m) => lines.push(m) });
    expect(metrics).toMatchObject({ mismatches: 0, doubleDispatches: 0 });
    expect(metrics.dispatched).toBe(metrics.minimum);
    expect(metrics.dispatched).toBeGreaterThan(10); // runs were dispatched and completed, lanes moved on
    const rates = metrics.rates as Array<Record<string, number | boolean>>;
    expect(rates.map((r) => [r.rate, r.pushes])).toEqual([
      [30, 60],
      [100, 200],
    ]);
    for (const r of rates) expect(r.dispatches).toBeGreaterThan(0);
    const kinds = Object.fromEntries((metrics.apiByKind as Array<{ kind: string; requests: number }>).map((k) => [k.kind, k.requests]));
    expect(kinds['job annotations']).toBeUndefined();
    // Retention travels with the dispatches (the `expire` input): the app deletes no cache entry itself.
    expect(kinds['cache delete']).toBeUndefined();
    // Every run reported its result (POST /api/prebuilds/{id}/result): its completion reads no jobs.
    expect(kinds['run jobs']).toBeUndefined();
    expect(kinds.dispatch).toBe(metrics.dispatched);
    expect(rows.find((r) => r.metric === 'lanes whose newest push never ran')?.value).toBe(0);
  }, 300_000);
});
