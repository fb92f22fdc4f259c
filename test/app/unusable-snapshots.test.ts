import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { cancelPrebuilds } from '../../src/prebuilds/ended.js';
import { sha, startTestApp, type TestApp } from '../helpers/app.js';

/** SPEC.md rule 6 (issue 13 item 2): a prebuild that did not succeed leaves no snapshot to restore. */
describe('snapshots of prebuilds that did not succeed are deleted', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(() => app.stop());
  const base = { '.devcontainer/devcontainer.json': '{ "onCreateCommand": "npm ci" }', 'src/index.ts': 'x' };

  it('a failed run: its snapshot key is deleted from the Actions cache; a success keeps its own', async () => {
    await app.pushCommit(1, base);
    // The run saved its snapshot before a later step failed.
    app.gh.standIn.recordCache('app', { key: snapshotKey('devcontainer', sha(1), 1) });
    await app.fail(0, [{ level: 'failure', title: '', message: 'updateContentCommand failed with exit code 2' }]);
    expect(app.gh.deletedCaches).toEqual([snapshotKey('devcontainer', sha(1), 1)]);
    await app.pushCommit(2, base);
    await app.succeed(1);
    expect(app.gh.deletedCaches).toEqual([snapshotKey('devcontainer', sha(1), 1)]);
  });

  it('a cancelled run too; a waiting prebuild that never ran deletes nothing', async () => {
    await app.pushCommit(1, base);
    await app.pushCommit(2, base); // waits behind #1
    await app.pushCommit(3, base); // supersedes #2, which never ran
    const running = (await app.server.store.getPrebuild(1))!;
    app.gh.standIn.recordCache('app', { key: snapshotKey('devcontainer', sha(1), 1) });
    await cancelPrebuilds(
      app.server.runtime.deps,
      { deliveryId: null, owner: 'octo', repo: 'app', sha: sha(1), event: 'manual' },
      [running],
      'cancelled by a test',
    );
    expect(app.gh.deletedCaches).toEqual([snapshotKey('devcontainer', sha(1), 1)]);
    // The cancelled run may save before it stops: its completion deletes the key again.
    const d = app.gh.dispatches[0]!;
    app.gh.standIn.recordCache('app', { key: snapshotKey('devcontainer', sha(1), 1) });
    app.gh.standIn.finishRun(d.runId, 'cancelled');
    await app.runEvent(d.runId, 'completed');
    expect(app.gh.deletedCaches).toEqual([snapshotKey('devcontainer', sha(1), 1), snapshotKey('devcontainer', sha(1), 1)]);
    expect((await app.server.store.getPrebuild(2))!.state).toBe('superseded');
  });
});
