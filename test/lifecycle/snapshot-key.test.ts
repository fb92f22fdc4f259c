import { parseSnapshotKey, snapshotKey, snapshotKeyPrefix } from '../../src/lifecycle/snapshot-key.js';

describe('snapshot keys', () => {
  it('round-trips and keeps keys unique per prebuild', () => {
    const sha = 'a'.repeat(40);
    const key = snapshotKey('web app, node', sha, 42);
    expect(key).toBe(`prebuilds-v1/web-app-node/${sha}/42`);
    expect(key).not.toContain(',');
    expect(key.startsWith(snapshotKeyPrefix('web app, node'))).toBe(true);
    expect(parseSnapshotKey(key)).toEqual({ configuration: 'web-app-node', sha, prebuildId: '42' });
    expect(parseSnapshotKey('something-else')).toBeNull();
    expect(snapshotKey('x', sha, 1)).not.toBe(snapshotKey('x', sha, 2));
  });
});
