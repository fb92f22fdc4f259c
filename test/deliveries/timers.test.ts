import { Timers } from '../../src/deliveries/timers.js';

/** The delivery processor's timers: callbacks, repeats, waits, and what stopping ends. */
describe('the delivery processor timers', () => {
  it('runs a callback once after its delay, and a repeating one after each run settled', async () => {
    const timers = new Timers();
    const seen: string[] = [];
    timers.after(5, () => seen.push('once'));
    let runs = 0;
    timers.every(5, async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
    });
    await new Promise((r) => setTimeout(r, 100));
    timers.stop();
    expect(seen).toEqual(['once']);
    expect(runs).toBeGreaterThanOrEqual(3);
    const stoppedAt = runs;
    await new Promise((r) => setTimeout(r, 50));
    expect(runs).toBeLessThanOrEqual(stoppedAt + 1);
  });

  it('ends a wait at its time, or at once when stopped; arms nothing once stopped', async () => {
    const timers = new Timers();
    const started = Date.now();
    await timers.until(started + 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    const long = timers.until(Date.now() + 60_000);
    timers.stop();
    await long;
    let fired = false;
    timers.after(0, () => (fired = true));
    timers.every(1, () => (fired = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
  });
});
