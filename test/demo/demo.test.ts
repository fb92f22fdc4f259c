/**
 * `npm run demo` end to end: the stand-in, the app as a real server and the
 * action as a child process prebuild the fixture project three times. The first
 * `npm ci` may need the registry, hence the generous timeout.
 */
import { formatTable, runDemo, type DemoResult } from '../../demo/run-demo.js';

describe('npm run demo', () => {
  let result: DemoResult;
  const lines: string[] = [];

  beforeAll(async () => {
    result = await runDemo({ cleanup: true, print: (l) => lines.push(l) });
  }, 600_000);

  it('prebuilds three pushes, each successfully with a snapshot and a success check run', () => {
    if (!result.ok) console.log(result.problems.join('\n'));
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.rows).toHaveLength(3);
    for (const row of result.rows) {
      expect(row).toMatchObject({ trigger: 'push', state: 'success', checkRunConclusion: 'success' });
      expect(row.snapshotBytes).toBeGreaterThan(0);
      // The run's duration: GitHub's whole-second run timestamps, never less than the action's own step (ms).
      expect(row.durationMs).toBeGreaterThan(0);
      expect(row.durationMs).toBeLessThan(120_000);
    }
    expect(new Set(result.rows.map((r) => r.sha)).size).toBe(3);
    expect(result.snapshotFiles.filter((f) => f.includes('.tar')).length).toBe(3);
  });

  it("each run reports its result to the app with its job's OIDC token (the shipped workflow), so the app reads no run's jobs", () => {
    expect(result.rows.map((r) => r.resultReported)).toEqual([true, true, true]);
    const jobsReads = result.exchanges.filter((x) => x.method === 'GET' && x.template === '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs');
    expect(jobsReads).toEqual([]);
    expect(result.exchanges.filter((x) => x.template === '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches')).toHaveLength(3);
  });

  it('prebuilds the second and third pushes incrementally, each from the one before (rule 5)', () => {
    expect(result.rows.map((r) => r.baseSha)).toEqual([null, result.rows[0]!.sha, result.rows[1]!.sha]);
  });

  it('makes a fresh workspace ready from the last prebuild with `prebuilds restore` (exact hit)', () => {
    expect(result.restore).toMatchObject({ hit: 'exact', prebuildSha: result.rows[2]!.sha, ready: { nodeModules: true, dist: true } });
    expect(result.page?.url).toMatch(/\/prebuilds\/octo-demo\/demo-app$/);
  });

  it('prints a table with one line per prebuild', () => {
    const table = formatTable(result.rows).split('\n');
    expect(table[0]).toMatch(/^prebuild\s+sha\s+trigger\s+base\s+status\s+duration\s+snapshot\s+check run$/);
    expect(table).toHaveLength(5);
    expect(lines.some((l) => l.startsWith('push 3/3'))).toBe(true);
  });
});
