import { Admission } from '../../src/deliveries/admission.js';

describe('admission of processing (issue 11)', () => {
  it('lets a start through at once when nothing is recorded and the loop is on time, holds it while a recording runs, and never longer than maxHoldMs', async () => {
    const admission = new Admission({ maxHoldMs: 50 });
    admission.start();
    try {
      let passed = false;
      await admission.turn().then(() => (passed = true));
      expect(passed).toBe(true);
      let done!: () => void;
      const recording = admission.recording(() => new Promise<void>((r) => (done = r)));
      let through = false;
      const turn = admission.turn().then(() => (through = true));
      await new Promise((r) => setTimeout(r, 10));
      expect(through).toBe(false);
      // Still recording: the start goes through once its hold runs out (processing never starves).
      await turn;
      expect(admission.recordingCount).toBe(1);
      done();
      await recording;
      expect(admission.recordingCount).toBe(0);
    } finally {
      admission.stop();
    }
  });

  it('counts a recording that fails as ended', async () => {
    const admission = new Admission();
    await expect(admission.recording(() => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(admission.recordingCount).toBe(0);
  });
});
