/** The time breakdown (src/lifecycle/timings.ts) and how it travels in the result (result.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeResult, encodeResult, type PrebuildResult } from '../../src/lifecycle/result.js';
import { parseTimings, PhaseTimer, timingRows } from '../../src/lifecycle/timings.js';

describe('PhaseTimer', () => {
  it('keeps phases in first-measured order, adds repeats up and rounds to whole ms', () => {
    const timer = new PhaseTimer();
    timer.add('setup', 10.4);
    timer.add('onCreateCommand', 200.6);
    timer.add('setup', 5);
    timer.add('merge', -3); // a clock step never makes a phase negative
    expect(timer.toJSON()).toEqual({ setup: 15, onCreateCommand: 201, merge: 0 });
    expect(Object.keys(timer.toJSON())).toEqual(['setup', 'onCreateCommand', 'merge']);
  });

  it('times a function, also when it throws', async () => {
    const timer = new PhaseTimer();
    expect(await timer.time('restore', async () => (await sleep(20), 'value'))).toBe('value');
    await expect(timer.time('save', () => Promise.reject(new Error('disk full')))).rejects.toThrow('disk full');
    expect(timer.toJSON().restore).toBeGreaterThanOrEqual(19);
    expect(Object.keys(timer.toJSON())).toEqual(['restore', 'save']);
  });

  it('leaves nested phases out of the outer one, so phases never overlap', async () => {
    const timer = new PhaseTimer();
    await timer.timeOuter('save', ['upload'], async () => {
      await sleep(20);
      await timer.time('upload', () => sleep(60));
    });
    const { save, upload } = timer.toJSON();
    expect(upload).toBeGreaterThanOrEqual(59);
    expect(save).toBeGreaterThanOrEqual(19);
    expect(save).toBeLessThan(upload!); // 20 ms of its own, not the upload's 60 as well
  });
});

describe('parseTimings', () => {
  it('keeps finite non-negative numbers under sane names and refuses what is not an object', () => {
    expect(parseTimings({ setup: 12.6, save: 3, bad: -1, nan: Number.NaN, text: '5', '': 1, [`${'x'.repeat(65)}`]: 1 })).toEqual({ setup: 13, save: 3 });
    for (const v of [null, undefined, 5, 'setup', [1, 2]]) expect(parseTimings(v)).toBeUndefined();
  });
});

describe('timingRows', () => {
  it('gives each phase its share of the step and accounts for the rest as `other`', () => {
    expect(timingRows({ restore: 250, onCreateCommand: 500 }, 1000)).toEqual([
      { phase: 'restore', ms: 250, pct: 25 },
      { phase: 'onCreateCommand', ms: 500, pct: 50 },
      { phase: 'other', ms: 250, pct: 25 },
    ]);
    expect(timingRows({ save: 100 }, 100)).toEqual([{ phase: 'save', ms: 100, pct: 100 }]);
    expect(timingRows({ save: 5 }, 0)).toEqual([{ phase: 'save', ms: 5, pct: 0 }]);
  });
});

describe('the result payload', () => {
  const result: PrebuildResult = {
    prebuildId: '7',
    configuration: 'web',
    sha: 'a'.repeat(40),
    snapshotKey: `prebuilds-v1/web/${'a'.repeat(40)}/7`,
    snapshotBytes: 1234,
    durationMs: 5000,
    hooks: { onCreateCommand: 3000 },
    base: null,
    identity: 'f'.repeat(64),
  };

  it('carries the timings', () => {
    const timings = { setup: 40, onCreateCommand: 3000, save: 900 };
    expect(decodeResult(encodeResult({ ...result, timings }))).toEqual({ ...result, timings });
  });

  it('still reads a result without timings (an older action), and drops malformed ones', () => {
    expect(decodeResult(encodeResult(result))).toEqual(result);
    expect(decodeResult(JSON.stringify({ ...result, timings: 'slow' }))).toEqual(result);
    expect(decodeResult(JSON.stringify({ ...result, timings: { save: 'x', merge: 4 } }))?.timings).toEqual({ merge: 4 });
  });
});
