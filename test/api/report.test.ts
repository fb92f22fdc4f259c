import { configurationReport, median, restoreFigures } from '../../src/api/report.js';
import type { PrebuildRecord, RestoreRecord } from '../../src/store/types.js';
import { REPO, SHA_A, SHA_B, startHarness, succeeded, type Harness } from './harness.js';

const DAY = 86_400_000;

function record(over: Partial<PrebuildRecord>): PrebuildRecord {
  return {
    id: 1,
    state: 'success',
    dispatchedAt: 1,
    workflowRunId: 1,
    durationMs: null,
    snapshotBytes: null,
    createdAt: Date.now(),
    ...over,
  } as PrebuildRecord;
}

describe('value report', () => {
  it('median of odd and even counts, null for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('runs, minutes, runs avoided × median, success rate, median size, storage held', () => {
    const inPeriod = [
      record({ state: 'success', durationMs: 60_000, snapshotBytes: 100 }),
      record({ state: 'success', durationMs: 180_000, snapshotBytes: 300 }),
      record({ state: 'expired', durationMs: 120_000, snapshotBytes: 200 }),
      record({ state: 'failure', durationMs: 30_000 }),
      record({ state: 'superseded', dispatchedAt: null, workflowRunId: null }),
      record({ state: 'superseded', dispatchedAt: null, workflowRunId: null }),
      record({ state: 'cancelled', dispatchedAt: null, workflowRunId: null }),
    ];
    const held = [record({ state: 'success', snapshotBytes: 100 }), record({ state: 'success', snapshotBytes: 300 })];
    expect(configurationReport('web', inPeriod, held)).toEqual({
      configuration: 'web',
      runs: 4,
      minutesSpent: 6.5,
      runsAvoided: 2,
      minutesSaved: 4, // 2 × median(60s, 180s, 120s) = 2 × 2 min
      successRate: 0.75,
      medianDurationMs: 120_000,
      medianSnapshotBytes: 200,
      storageBytes: 400,
      restores: { exact: 0, ancestor: 0, miss: 0 },
      hoursSaved: 0,
    });
  });

  it('restores by hit kind and the hours they saved (a slower restore counts negative)', () => {
    const r = (hit: RestoreRecord['hit'], savedMs: number) => ({ hit, savedMs }) as RestoreRecord;
    expect(restoreFigures([r('exact', 3_600_000), r('ancestor', 1_800_000), r('ancestor', -360_000), r('miss', 0)])).toEqual({
      restores: { exact: 1, ancestor: 2, miss: 1 },
      hoursSaved: 1.4,
    });
    expect(configurationReport('web', [], [], [r('exact', 900_000)])).toMatchObject({ restores: { exact: 1, ancestor: 0, miss: 0 }, hoursSaved: 0.25 });
  });

  describe('GET /api/repos/{owner}/{repo}/report', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
      const now = Date.now();
      await h.seed({ configuration: 'web' }, succeeded({ durationMs: 240_000, snapshotBytes: 1_000 }));
      await h.seed({ configuration: 'web' }, succeeded({ durationMs: 120_000, snapshotBytes: 3_000 }));
      await h.seed({ configuration: 'web' }, { state: 'superseded', reason: 'superseded' });
      await h.seed({ configuration: 'web' }, { state: 'failure', dispatchedAt: now, durationMs: 60_000 });
      const old = await h.seed({ configuration: 'web' }, succeeded({ durationMs: 600_000, snapshotBytes: 5_000 }));
      const db = (h.store as unknown as { db: { prepare(s: string): { run(...a: unknown[]): unknown } } }).db;
      db.prepare('UPDATE prebuilds SET created_at = ? WHERE id = ?').run(now - 10 * DAY, old.id);
      const restore = (reportId: string, hit: 'exact' | 'ancestor' | 'miss', savedMs: number, createdAt: number) =>
        h.store.recordRestore({
          ...REPO,
          installationId: 1,
          repositoryId: '1',
          configuration: 'web',
          sha: SHA_B,
          hit,
          prebuildSha: hit === 'miss' ? null : SHA_A,
          spentMs: 10_000,
          coldMs: 3_610_000,
          savedMs,
          runId: null,
          runAttempt: null,
          reportId,
          createdAt,
        });
      await restore('a', 'exact', 3_600_000, now - DAY);
      await restore('b', 'ancestor', 1_800_000, now - 2 * DAY);
      await restore('c', 'miss', 0, now - 3 * DAY);
      await restore('old', 'exact', 3_600_000, now - 10 * DAY);
    });
    afterAll(() => h.stop());

    it('reports the period per configuration, storage whatever its age', async () => {
      const r = await h.call('GET', '/api/repos/octo/app/report?period=7d', { token: h.scoped });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ repository: 'octo/app', period: '7d', totals: { runs: 3, runsAvoided: 1, storageBytes: 9_000 } });
      expect(r.json.configurations[0]).toMatchObject({
        configuration: 'web',
        runs: 3,
        minutesSpent: 7,
        runsAvoided: 1,
        minutesSaved: 3,
        successRate: 0.667,
        medianDurationMs: 180_000,
        medianSnapshotBytes: 2_000,
        storageBytes: 9_000,
        restores: { exact: 1, ancestor: 1, miss: 1 },
        hoursSaved: 1.5,
      });
      expect(r.json.totals).toMatchObject({ restores: { exact: 1, ancestor: 1, miss: 1 }, hoursSaved: 1.5 });
      const month = await h.call('GET', '/api/repos/octo/app/report?period=30d');
      expect(month.json.configurations[0]).toMatchObject({ runs: 4, minutesSpent: 17, restores: { exact: 2 }, hoursSaved: 2.5 });
    });

    it.each(['7', 'd7', '0d', '400d', '7w'])('400 naming period for %s', async (period) => {
      expect(await h.call('GET', `/api/repos/octo/app/report?period=${period}`)).toMatchObject({ status: 400, json: { field: 'period' } });
    });

    it('404 for a token of another installation', async () => {
      expect((await h.call('GET', '/api/repos/octo/app/report', { token: h.outsider })).status).toBe(404);
    });
  });
});
