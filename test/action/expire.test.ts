/**
 * Retention from the action (action/src/snapshot/expire.ts): the keys the app hands over
 * in the `expire` input are deleted from the Actions cache through the REST API (real
 * @octokit/rest, real HTTP to the GitHub stand-in), only this configuration's and never
 * the base or the run's own key; a refused deletion is a warning, not a failure.
 */
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { deletableKeys, deleteExpiredSnapshots } from '../../action/src/snapshot/expire.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { cachesPartKey } from '../../src/lifecycle/caches-part.js';
import { appKeyPair } from '../helpers/github.js';
import { installationToken } from '../helpers/standin.js';

const APP_ID = 4747;
const sha = (n: number) => String(n).repeat(40).slice(0, 40);

describe('retention from the action (the expire input)', () => {
  let gh: StandIn;
  let token: string;
  const keys = appKeyPair();
  const lines: string[] = [];
  const log = {
    startGroup: () => undefined,
    endGroup: () => undefined,
    output: () => undefined,
    info: (l: string) => lines.push(`info ${l}`),
    warning: (l: string) => lines.push(`warning ${l}`),
  };

  beforeAll(async () => {
    gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: 's', runner: 'none' });
    await gh.createRepo('app');
    token = await installationToken(gh.apiUrl, APP_ID, keys.privateKey);
  });
  afterAll(async () => {
    await gh?.stop();
  });

  it('keeps only snapshot keys of the configuration, never the base nor its own key', () => {
    const base = snapshotKey('web', sha(2), 2);
    const own = snapshotKey('web', sha(4), 4);
    const expire = [snapshotKey('web', sha(1), 1), base, own, snapshotKey('api', sha(1), 9), 'npm-cache-linux', snapshotKey('web', sha(1), 1)];
    expect(deletableKeys(expire, 'web', [base, own])).toEqual([snapshotKey('web', sha(1), 1)]);
  });

  it("keeps the configuration's caches part keys, not another configuration's nor a malformed one", () => {
    const part = cachesPartKey('web', 'I', ['npm'], { 'package-lock.json': 'h' })!;
    const other = cachesPartKey('api', 'I', ['npm'], { 'package-lock.json': 'h' })!;
    expect(deletableKeys([part, other, `${part}x`], 'web', [])).toEqual([part]);
  });

  it('deletes the entries with exactly those keys; a key already gone is not an error', async () => {
    const gone = snapshotKey('web', sha(1), 1);
    const kept = snapshotKey('web', sha(3), 3);
    gh.recordCache('app', { key: gone });
    gh.recordCache('app', { key: `${gone}0` }); // a key the deleted one is a prefix of
    gh.recordCache('app', { key: kept });
    lines.length = 0;
    const deleted = await deleteExpiredSnapshots([gone, snapshotKey('web', sha(5), 5)], { repository: 'octo-demo/app', token, baseUrl: gh.apiUrl }, log);
    expect(deleted).toEqual([gone]);
    expect(gh.state.caches.map((c) => c.key).sort()).toEqual([`${gone}0`, kept].sort());
    expect(lines).toEqual([`info Retention: deleted 1 expired snapshot from the Actions cache: ${gone}`]);
  });

  it('a refused deletion (a token without actions: write) is a warning', async () => {
    lines.length = 0;
    const deleted = await deleteExpiredSnapshots(
      [snapshotKey('web', sha(3), 3)],
      { repository: 'octo-demo/app', token: 'not-a-token', baseUrl: gh.apiUrl },
      log,
    );
    expect(deleted).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning Retention could not delete expired snapshots from the Actions cache \(the job's token needs actions: write\): /);
  });
});
