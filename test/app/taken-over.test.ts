import type Database from 'better-sqlite3';
import { replicaEvidence, type LaneEntry } from '../../bench/replica-evidence.js';
import type { Dispatch } from '../../bench/standin.js';
import { sha, startTestApp, type TestApp } from '../helpers/app.js';
import { REPO } from '../helpers/ids.js';

/**
 * Issue 11: a delivery taken over from a replica that died after deciding it (its
 * decision and dispatch recorded, the delivery not yet marked processed; its lease ran
 * out and another replica handled it again). The state the death leaves is written into
 * the store as it leaves it (the delivery unprocessed again), then the processor takes
 * the delivery again, as a replica taking over the lease does.
 */
const base = { '.devcontainer/devcontainer.json': '{ "onCreateCommand": "npm ci" }', 'src/index.ts': 'x' };

describe('a delivery handled again after its replica died: one decision, no run, the evidence agrees', () => {
  let app: TestApp;
  let db: Database.Database;
  beforeEach(async () => {
    app = await startTestApp();
    db = (app.server.store as unknown as { db: Database.Database }).db;
  });
  afterEach(() => app.stop());

  /** The delivery of `event` about `commit` made unprocessed again (its replica died before marking it), then taken over. */
  const handledAgain = async (event: string, commit: string) => {
    const row = db.prepare('SELECT id FROM deliveries WHERE event = ? AND sha = ?').get(event, commit) as { id: string } | undefined;
    expect(row).toBeDefined();
    db.prepare('UPDATE deliveries SET processed_at = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?').run(row!.id);
    app.server.runtime.processor.kick();
    await app.server.idle();
    expect(db.prepare('SELECT processed_at FROM deliveries WHERE id = ?').get(row!.id)).toMatchObject({ processed_at: expect.any(Number) });
  };

  /** What the load benchmark and the fault tests conclude from the store and the dispatches. */
  const evidence = (lane: LaneEntry[]) => {
    const dispatches: Dispatch[] = app.gh.dispatches.map((d) => ({
      owner: REPO.owner,
      repo: REPO.repo,
      sha: d.inputs.sha!,
      prebuildId: d.inputs['prebuild-id'] ?? '',
      runId: d.runId,
      at: 0,
    }));
    return replicaEvidence(app.server.store, REPO.owner, new Map([[REPO.repo, lane]]), dispatches);
  };

  it('a started push handled again after a newer push keeps its one decision (not "overtaken"), and runs equal the rule minimum', async () => {
    await app.pushCommit(1, base);
    await app.pushCommit(2, base); // queued behind #1
    await handledAgain('push', sha(1));
    const own = (await app.decisions(sha(1))).filter((d) => d.event === 'push');
    expect(own.map((d) => d.decision)).toEqual(['started']);
    expect(app.gh.dispatches).toHaveLength(1);

    await app.succeed(0); // #2 starts
    expect(app.gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(2)]);
    const e = await evidence([
      { type: 'push', sha: sha(1) },
      { type: 'push', sha: sha(2) },
      { type: 'complete', sha: sha(1) },
    ]);
    expect(e).toMatchObject({ dispatched: 2, minimum: 2, mismatches: 0, doubled: 0, lost: 0, undecided: 0, decidedTwice: 0 });
  });

  it('a queued push handled again after it was superseded records nothing and starts nothing', async () => {
    await app.pushCommit(1, base);
    await app.pushCommit(2, base); // queued
    await app.pushCommit(3, base); // supersedes #2
    await handledAgain('push', sha(2));
    expect((await app.decisions(sha(2))).filter((d) => d.event === 'push').map((d) => d.decision)).toEqual(['queued', 'superseded']);
    await app.succeed(0);
    expect(app.gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(3)]);
  });

  it('a completion whose replica died between storing the end and recording its decision gets the decision when handled again', async () => {
    await app.pushCommit(1, base);
    await app.pushCommit(2, base);
    await app.succeed(0);
    const ended = (await app.decisions(sha(1))).filter((d) => d.event === 'workflow_run');
    expect(ended.map((d) => d.decision)).toEqual(['success']);
    db.prepare(`DELETE FROM decisions WHERE event = 'workflow_run' AND sha = ?`).run(sha(1));
    await handledAgain('workflow_run', sha(1));
    expect((await app.decisions(sha(1))).filter((d) => d.event === 'workflow_run').map((d) => d.decision)).toEqual(['success']);
    // Handled once more: the decision is there, nothing is recorded again, nothing dispatched again.
    await handledAgain('workflow_run', sha(1));
    expect((await app.decisions(sha(1))).filter((d) => d.event === 'workflow_run')).toHaveLength(1);
    expect(app.gh.dispatches.map((d) => d.inputs.sha)).toEqual([sha(1), sha(2)]);
  });
});
