import { defaultSettings, type PrebuildSettings } from '../../src/config/index.js';
import { branchMatches, decidePush, matchingTriggerFile } from '../../src/triggers/push.js';
import type { LaneState } from '../../src/store/types.js';

const settings = (over: Partial<PrebuildSettings> = {}): PrebuildSettings => ({
  ...defaultSettings('.devcontainer/devcontainer.json', 'devcontainer', 'main'),
  ...over,
});
const fresh = { commitsSinceTrigger: 0, lastIdentity: null };
const facts = (over = {}) => ({ branch: 'main', commitCount: 1, changedFiles: ['src/a.ts'], identity: 'A', ...over });

describe('triggers (SPEC.md rule 4)', () => {
  it('matches branch globs with picomatch', () => {
    expect(branchMatches(settings({ branches: ['main', 'release/*'] }), 'release/1.2')).toBe(true);
    expect(branchMatches(settings({ branches: ['release/*'] }), 'release/1/2')).toBe(false);
    expect(branchMatches(settings({ branches: ['**'] }), 'feature/x/y')).toBe(true);
    const d = decidePush(settings(), fresh, facts({ branch: 'dev' }));
    expect(d).toMatchObject({ run: false });
    expect(d.reason).toMatch(/^branch-unmatched/);
  });

  it('every-push runs each push and records the identity', () => {
    const d = decidePush(settings(), { commitsSinceTrigger: 0, lastIdentity: 'A' }, facts());
    expect(d).toEqual({ run: true, reason: 'every push', lane: { commitsSinceTrigger: 0, lastIdentity: 'A' } });
    const first = decidePush(settings({ commitInterval: 5 }), fresh, facts());
    expect(first).toMatchObject({ run: true, reason: 'first prebuild of this configuration on this branch' });
  });

  it('commitInterval counts commits since the last triggered prebuild', () => {
    const s = settings({ commitInterval: 3 });
    let lane: LaneState = { commitsSinceTrigger: 0, lastIdentity: 'A' };
    const d1 = decidePush(s, lane, facts());
    expect(d1.run).toBe(false);
    expect(d1.reason).toBe('interval 1/3');
    lane = d1.lane;
    const d2 = decidePush(s, lane, facts({ commitCount: 1 }));
    expect(d2.reason).toBe('interval 2/3');
    const d3 = decidePush(s, d2.lane, facts({ commitCount: 1 }));
    expect(d3.run).toBe(true);
    expect(d3.lane.commitsSinceTrigger).toBe(0);
    // A push of several commits counts them all.
    expect(decidePush(s, { commitsSinceTrigger: 0, lastIdentity: 'A' }, facts({ commitCount: 4 })).run).toBe(true);
  });

  it('a trigger file or an identity change runs at once, whatever the interval', () => {
    const s = settings({ commitInterval: 10, triggerFiles: ['package-lock.json', '.devcontainer/**'] });
    const lane = { commitsSinceTrigger: 2, lastIdentity: 'A' };
    const byFile = decidePush(s, lane, facts({ changedFiles: ['README.md', 'package-lock.json'] }));
    expect(byFile).toMatchObject({ run: true, reason: 'trigger file package-lock.json changed' });
    const byIdentity = decidePush(s, lane, facts({ identity: 'B' }));
    expect(byIdentity).toMatchObject({ run: true, reason: 'configuration changed', lane: { lastIdentity: 'B' } });
    expect(matchingTriggerFile(s, null)).toBeNull();
  });

  it('configuration-change runs only when the identity changes (or the first time)', () => {
    const s = settings({ trigger: 'configuration-change' });
    expect(decidePush(s, fresh, facts()).run).toBe(true);
    expect(decidePush(s, { commitsSinceTrigger: 0, lastIdentity: 'A' }, facts()).reason).toBe('configuration-change: configuration unchanged');
    expect(decidePush(s, { commitsSinceTrigger: 0, lastIdentity: 'A' }, facts({ identity: 'B' })).run).toBe(true);
  });

  it('schedule-only configurations ignore pushes', () => {
    const d = decidePush(settings({ trigger: 'schedule', schedule: '0 3 * * *' }), fresh, facts());
    expect(d.run).toBe(false);
    expect(d.reason).toMatch(/^schedule/);
  });
});
