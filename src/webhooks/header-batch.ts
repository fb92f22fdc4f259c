import type { Logger } from 'pino';
import type { Store } from '../store/types.js';

/**
 * Writes the kept GitHub headers of recorded deliveries in batches, one transaction
 * (one fsync under `synchronous = FULL`) per `intervalMs`, instead of one per delivery:
 * they are an audit trail, not needed to process a delivery, so a crash may lose the
 * last interval's headers but never a delivery (that is committed before the 2xx).
 */
export class DeliveryHeaderBatch {
  private pending: Array<{ id: string; headers: Record<string, string> }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {}

  /** Queues the headers of a delivery already recorded. */
  add(id: string, headers: Record<string, string>): void {
    this.pending.push({ id, headers });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes what is queued now (also on stop). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      await this.store.recordDeliveryHeaders(batch);
    } catch (error) {
      this.log.warn({ err: error, deliveries: batch.length }, 'could not keep the headers of recorded deliveries');
    }
  }
}
