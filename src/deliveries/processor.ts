import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { DeliveryRecord, Store } from '../store/types.js';

/** Handles one recorded delivery; throwing means "retry later". */
export type DeliveryHandler = (delivery: DeliveryRecord) => Promise<void>;

/** Options of {@link DeliveryProcessor}. */
export interface ProcessorOptions {
  /** Attempts before a failing delivery is given up (its error kept in the store). Default 3. */
  maxAttempts?: number;
  /** Backoff before a retry, ms; doubled per attempt. Default 1000. */
  retryDelayMs?: number;
  /**
   * How long a processed delivery keeps its payload, ms (its headers, times and the
   * decisions it led to are kept). Default 0: dropped at the next sweep after processing.
   */
  payloadRetentionMs?: number;
  /** How often payloads past their retention are dropped, ms. Default 10000. */
  pruneIntervalMs?: number;
}

function repoKey(d: DeliveryRecord): string {
  const repo = (d.payload as { repository?: { full_name?: string } } | null)?.repository?.full_name;
  return repo ?? `installation:${d.installationId ?? 'none'}`;
}

/**
 * Processes recorded webhook deliveries after they were acknowledged (SPEC.md rule 9:
 * the store is the inbox, so a restart finishes what a crash interrupted). Deliveries
 * of one repository are handled one at a time in the order they arrived (p-queue per
 * repository); different repositories proceed in parallel. A failing delivery is
 * retried with backoff, then recorded as failed; the app keeps serving.
 */
export class DeliveryProcessor {
  private readonly queues = new Map<string, PQueue>();
  private readonly inFlight = new Set<string>();
  private readonly retryAt = new Map<string, number>();
  private draining: Promise<void> | null = null;
  private cursor = 0;
  private again = false;
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly payloadRetentionMs: number;
  private readonly pruneIntervalMs: number;
  private pruner: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly handle: DeliveryHandler,
    private readonly log: Logger,
    options: ProcessorOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.payloadRetentionMs = options.payloadRetentionMs ?? 0;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 10_000;
  }

  /**
   * Drops the payloads of deliveries processed more than the retention period ago
   * (the store keeps their headers, times and errors). Runs every `pruneIntervalMs`.
   * @returns how many payloads were dropped
   */
  async prunePayloads(): Promise<number> {
    // Processed at or before (now − retention).
    return this.store.pruneDeliveryPayloads(Date.now() - this.payloadRetentionMs + 1);
  }

  /** Starts (or re-runs) a drain of pending deliveries; returns at once. */
  kick(): void {
    if (this.stopped) return;
    if (!this.pruner && this.pruneIntervalMs > 0) {
      this.pruner = setInterval(() => {
        this.prunePayloads().catch((error: unknown) => this.log.warn({ err: error }, 'could not drop processed delivery payloads; retrying later'));
      }, this.pruneIntervalMs);
      this.pruner.unref();
    }
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when every delivery recorded so far has been processed or is waiting for a retry. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.draining) await this.draining;
      await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
      if (!this.draining && !this.again) {
        const pending = (await this.store.pendingDeliveries(1000)).filter((d) => !this.retryAt.has(d.id) && !this.inFlight.has(d.id));
        if (pending.length === 0 && this.inFlight.size === 0) return;
        this.cursor = 0;
        this.kick();
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /** Stops scheduling work; running handlers finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pruner) clearInterval(this.pruner);
    for (const t of this.timers) clearTimeout(t);
    if (this.draining) await this.draining;
    await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
  }

  /**
   * Runs work for a repository (`owner/repo`) in that repository's queue, so it never
   * interleaves with its deliveries (the reconciler and restarts use it).
   */
  exclusive<T>(repoFullName: string, fn: () => Promise<T>): Promise<T> {
    return this.queueFor(repoFullName).add(fn) as Promise<T>;
  }

  private queueFor(key: string): PQueue {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new PQueue({ concurrency: 1 });
      this.queues.set(key, queue);
      queue.on('idle', () => this.queues.delete(key));
    }
    return queue;
  }

  /**
   * Hands every pending delivery not yet handed out to its repository's queue, without
   * waiting for them: a busy repository never holds up the others. `cursor` is the
   * highest sequence handed out; a retry resets it so the delivery is read again.
   */
  private async drain(): Promise<void> {
    for (;;) {
      const now = Date.now();
      const batch = await this.store.pendingDeliveries(500, this.cursor);
      if (batch.length === 0 || this.stopped) return;
      for (const d of batch) {
        this.cursor = Math.max(this.cursor, d.seq);
        if (this.inFlight.has(d.id) || (this.retryAt.get(d.id) ?? 0) > now) continue;
        this.inFlight.add(d.id);
        this.retryAt.delete(d.id);
        void this.queueFor(repoKey(d))
          .add(() => this.process(d))
          .finally(() => this.inFlight.delete(d.id));
      }
    }
  }

  private async process(d: DeliveryRecord): Promise<void> {
    try {
      await this.handle(d);
      await this.store.finishDelivery(d.id, null);
    } catch (error) {
      const attempts = await this.store.countAttempt(d.id);
      const message = error instanceof Error ? error.message : String(error);
      if (attempts >= this.maxAttempts) {
        this.log.error({ err: error, delivery: d.id, event: d.event }, `delivery failed ${attempts} times; giving up`);
        await this.store.finishDelivery(d.id, message);
        return;
      }
      const delay = this.retryDelayMs * 2 ** (attempts - 1);
      this.log.warn({ err: error, delivery: d.id, event: d.event, attempts }, `delivery failed; retrying in ${delay} ms`);
      this.retryAt.set(d.id, Date.now() + delay);
      const timer = setTimeout(() => {
        // Due now (timers may fire a little before Date.now() reaches retryAt).
        this.timers.delete(timer);
        this.retryAt.delete(d.id);
        this.cursor = 0;
        this.kick();
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }
}
