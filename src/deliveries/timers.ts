/**
 * The delivery processor's timers: one-shot and repeating callbacks, and waits that end
 * early when the processor stops. Every timer is unref'd (it never keeps the process
 * alive); after {@link stop} nothing new is armed.
 */
export class Timers {
  private stopped = false;
  private readonly pending = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();

  /**
   * Runs `fn` once after `ms` milliseconds; nothing once stopped. A wait longer than
   * Node's longest timer (2^31 − 1 ms, about 24.8 days) fires then: callers re-arm.
   */
  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(
      () => {
        this.pending.delete(timer);
        fn();
      },
      Math.min(ms, 2 ** 31 - 1),
    );
    timer.unref();
    this.pending.add(timer);
  }

  /** Runs `fn` every `ms` milliseconds, each time after the previous run settled, until stopped. */
  every(ms: number, fn: () => unknown): void {
    const tick = () => {
      if (this.stopped) return;
      void Promise.resolve(fn()).finally(() => this.after(ms, tick));
    };
    this.after(ms, tick);
  }

  /** Resolves at `at` (epoch ms), or at once when stopped. */
  until(at: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, at - Date.now()));
      this.waiters.add(done);
    });
  }

  /** Stops: pending callbacks are dropped and every wait resolves now. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.waiters]) wake();
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }
}
