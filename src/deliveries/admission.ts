/** Options of {@link Admission}. Durations in ms. */
export interface AdmissionOptions {
  /** Event-loop delay above which processing holds back. Default 40. */
  maxLoopDelayMs?: number;
  /** The longest one delivery's start is held back (processing never starves). Default 100. */
  maxHoldMs?: number;
  /** How often the event-loop delay is sampled. Default 10. */
  sampleMs?: number;
}

/**
 * Admission of processing work, so the webhook answer never waits behind it (issue 11):
 * the app acknowledges a delivery once it is recorded, and processing is what can delay
 * that, by keeping the event loop busy (a request that arrived waits to be read) and by
 * writing to the store the recording waits on. Before a delivery's handler starts,
 * {@link turn} yields to I/O already waiting (`setImmediate` runs after the poll
 * phase, where incoming requests are read), then holds the start back while deliveries
 * are being recorded ({@link recording}) or the event loop runs late (sampled every
 * `sampleMs`: a timer's lateness), for at most `maxHoldMs` per delivery.
 */
export class Admission {
  private recordingNow = 0;
  private delayMs = 0;
  private expected = 0;
  private sampler: NodeJS.Timeout | null = null;
  private readonly maxLoopDelayMs: number;
  private readonly maxHoldMs: number;
  private readonly sampleMs: number;

  constructor(options: AdmissionOptions = {}) {
    this.maxLoopDelayMs = options.maxLoopDelayMs ?? 40;
    this.maxHoldMs = options.maxHoldMs ?? 100;
    this.sampleMs = options.sampleMs ?? 10;
  }

  /** The event loop's lateness at the last sample, ms (0 when not sampling). */
  get loopDelayMs(): number {
    return this.delayMs;
  }

  /** Deliveries being recorded right now (their webhook answers waiting). */
  get recordingCount(): number {
    return this.recordingNow;
  }

  /** Starts sampling the event-loop delay (an unref'd timer: it never keeps the process alive). */
  start(): void {
    if (this.sampler || this.maxLoopDelayMs === Infinity) return;
    this.expected = Date.now() + this.sampleMs;
    this.sampler = setInterval(() => {
      const now = Date.now();
      this.delayMs = Math.max(0, now - this.expected);
      this.expected = now + this.sampleMs;
    }, this.sampleMs);
    this.sampler.unref();
  }

  /** Stops sampling. */
  stop(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.sampler = null;
    this.delayMs = 0;
  }

  /** Runs a delivery's recording (the write its webhook answer waits for), counted while it runs. */
  async recording<T>(write: () => Promise<T>): Promise<T> {
    this.recordingNow++;
    try {
      return await write();
    } finally {
      this.recordingNow--;
    }
  }

  /** Resolves when a delivery's processing may start (see the class comment); never later than `maxHoldMs` from now plus one turn of the loop. */
  async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const until = Date.now() + this.maxHoldMs;
    while ((this.recordingNow > 0 || this.delayMs > this.maxLoopDelayMs) && Date.now() < until) {
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    }
  }
}
