import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { coordinatorFor, type Coordinator } from '../coordination/index.js';
import { Admission, type AdmissionOptions } from './admission.js';
import type { DeliveryRecord, Store } from '../store/types.js';
import { gaveUpReason, retryDelay } from './retry.js';
import { deliveryRepository } from './subject.js';
import { Timers } from './timers.js';

/** Handles one recorded delivery; throwing means "retry later". */
export type DeliveryHandler = (delivery: DeliveryRecord) => Promise<void>;

/** Options of {@link DeliveryProcessor}. All durations in ms. */
export interface ProcessorOptions {
  /** Attempts before a failing delivery is given up. Default: no limit (only `giveUpAfterMs`). */
  maxAttempts?: number;
  /** Backoff before the first retry; doubled per attempt. Default 1000. */
  retryDelayMs?: number;
  /** Longest backoff between two attempts. Default 3600000 (an hour). */
  maxRetryDelayMs?: number;
  /** A delivery still failing this long after it arrived is given up. Default 3 days: GitHub keeps deliveries redeliverable for 3 days. */
  giveUpAfterMs?: number;
  /** How long a claim holds a delivery without renewal (another replica takes it over after). Default 60000; renewed every third of it. */
  leaseMs?: number;
  /** How often a replica sharing the database looks for work the others left (expired leases, repositories freed). Default 1000. */
  pollIntervalMs?: number;
  /** How replicas coordinate; default: by the store (advisory locks on PostgreSQL, in-process on SQLite). */
  coordinator?: Coordinator;
  /**
   * How long a processed delivery keeps its payload, ms (its headers, times and the
   * decisions it led to are kept). Default 0: dropped at the next sweep after processing.
   */
  payloadRetentionMs?: number;
  /** How often payloads past their retention are dropped, ms; 0 never. Default 10000. */
  pruneIntervalMs?: number;
  /**
   * Retries due within this long are made in place: the delivery keeps its repository
   * (its later deliveries wait), so a transient failure never lets a newer push of the
   * repository overtake an older one. Longer waits free the repository. Default 60000.
   */
  inPlaceRetryMs?: number;
  /**
   * How long the error itself asks to wait before a retry, ms (GitHub's `retry-after`
   * or rate-limit reset), or null; the retry waits at least that long. Default: none.
   */
  retryAfterMs?: (error: unknown) => number | null;
  /**
   * Deliveries a replica holds claimed and unfinished at most (in-place retries waiting
   * not counted): the rest stay in the inbox for the other replicas, or for later.
   * Default 32.
   */
  maxInFlight?: number;
  /**
   * With replicas sharing the database, the fewest deliveries a replica claims at once
   * while it has deliveries in flight (an idle replica claims any): a claim reads the
   * inbox's pending deliveries whatever it takes, so under load a replica claims when
   * this much room freed, not after every delivery it finishes. Default 8; 1 on a
   * store of one process.
   */
  minClaim?: number;
  /** When processing holds back for the webhook answers (see {@link Admission}). */
  admission?: AdmissionOptions;
}

/**
 * Processes recorded webhook deliveries after they were acknowledged (SPEC.md rule 9:
 * the store is the inbox, so a restart finishes what a crash interrupted).
 *
 * Any number of replicas may share the store. A replica claims deliveries with a lease
 * (the inbox's `claimDeliveries`): each delivery goes to one replica, and one
 * repository's deliveries to one replica at a time, in arrival order; a replica that
 * dies stops renewing, and another takes its deliveries over at once when the
 * coordinator tells it is dead (PostgreSQL: its liveness lock freed with its
 * connection, {@link Coordinator.live}), at the latest when the lease runs out. A claim
 * made in a session of the coordinator that has ended since is dropped unstarted.
 * Within a replica, deliveries of one repository run one at a time (p-queue per
 * repository) under the repository's lock ({@link Coordinator.withLock}), which every
 * other write path for a repository (reconciler, schedules, API) takes through
 * {@link exclusive}; different repositories proceed in parallel.
 *
 * A failing delivery is retried with exponential backoff (1 s, 2 s, 4 s … capped at an
 * hour) for as long as GitHub could still redeliver it (3 days); the wait is in the
 * store, so it survives restarts, and the delivery reads "retrying: <reason>" until it
 * succeeds or is given up with its reason recorded. The app keeps serving meanwhile.
 * Retries due within `inPlaceRetryMs` (a minute) are made in place, holding the
 * repository: its later deliveries wait, so a transient GitHub failure never lets a
 * newer push overtake an older one (which would start the newer commit instead of the
 * one the rules start). A longer wait frees the repository; an older push retried
 * after a newer one was handled is then skipped as overtaken (the push rule).
 *
 * Processing yields to the webhook answers (issue 11): a replica holds at most
 * `maxInFlight` deliveries claimed, and each handler starts only when its
 * {@link Admission} lets it (not while deliveries are being recorded or the event loop
 * runs late, for a bounded time).
 */
export class DeliveryProcessor {
  /** How replicas coordinate (shared with the reconciler and the schedule ticker). */
  readonly coordinator: Coordinator;
  private readonly ownsCoordinator: boolean;
  private readonly queues = new Map<string, PQueue>();
  /** The deliveries this replica holds claimed and unfinished, each with the coordinator session it holds them in. */
  private readonly inFlight = new Map<string, number>();
  private draining: Promise<void> | null = null;
  private again = false;
  private startedUp = false;
  private stopped = false;
  /** Lease renewal, the poll, pruning, retry timers and in-place retry waits; stopped with the processor. */
  private readonly timers = new Timers();
  private readonly options: Required<Omit<ProcessorOptions, 'coordinator' | 'admission'>>;
  /** Holds processing back while deliveries are recorded or the event loop runs late (see {@link Admission}). */
  readonly admission: Admission;
  /** Deliveries waiting for an in-place retry (not counted against `maxInFlight`). */
  private waitingInPlace = 0;
  /** The last drain stopped at `maxInFlight`: a finished delivery starts the next. */
  private full = false;
  /**
   * The store may hold a retry to arm a timer for: at start (retries recorded before a
   * restart), after this replica deferred a delivery, and always when replicas share the
   * store (another one may defer). Cleared when the store holds none, so a drain after an
   * ordinary delivery does not ask again.
   */
  private retriesMaybe = true;

  constructor(
    private readonly store: Store,
    private readonly handle: DeliveryHandler,
    private readonly log: Logger,
    options: ProcessorOptions = {},
  ) {
    this.options = {
      maxAttempts: options.maxAttempts ?? Infinity,
      retryDelayMs: options.retryDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 3_600_000,
      giveUpAfterMs: options.giveUpAfterMs ?? 3 * 86_400_000,
      leaseMs: options.leaseMs ?? 60_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      payloadRetentionMs: options.payloadRetentionMs ?? 0,
      pruneIntervalMs: options.pruneIntervalMs ?? 10_000,
      inPlaceRetryMs: options.inPlaceRetryMs ?? 60_000,
      retryAfterMs: options.retryAfterMs ?? (() => null),
      maxInFlight: options.maxInFlight ?? 32,
      minClaim: 1,
    };
    this.admission = new Admission(options.admission);
    this.admission.start();
    this.coordinator = options.coordinator ?? coordinatorFor(store, log);
    this.options.minClaim = Math.max(1, Math.min(this.options.maxInFlight, options.minClaim ?? (this.coordinator.shared ? 8 : 1)));
    this.ownsCoordinator = !options.coordinator;
    this.timers.every(Math.max(10, Math.floor(this.options.leaseMs / 3)), () => this.renew());
    if (this.coordinator.shared) this.timers.every(this.options.pollIntervalMs, () => this.kick());
    if (this.options.pruneIntervalMs > 0) {
      this.timers.every(this.options.pruneIntervalMs, () =>
        this.prunePayloads().catch((error: unknown) => this.log.warn({ err: error }, 'could not drop processed delivery payloads; retrying later')),
      );
    }
  }

  /**
   * Drops the payloads of deliveries processed more than the retention period ago
   * (the store keeps their headers, times and errors). Runs every `pruneIntervalMs`.
   * @returns how many payloads were dropped
   */
  async prunePayloads(): Promise<number> {
    // Processed at or before (now − retention).
    return this.store.pruneDeliveryPayloads(Date.now() - this.options.payloadRetentionMs + 1);
  }

  /** This replica's id, as its claims are recorded. */
  get replicaId(): string {
    return this.coordinator.replicaId;
  }

  /** Starts (or re-runs) a drain of due deliveries; returns at once. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error) => this.log.warn({ err: error }, 'could not claim deliveries; trying again shortly'))
      .finally(() => {
        this.draining = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves when every delivery recorded so far has been processed or waits for a retry. */
  async idle(): Promise<void> {
    for (;;) {
      if (this.draining) await this.draining;
      await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
      if (!this.draining && !this.again) {
        const now = Date.now();
        const due = (await this.store.pendingDeliveries(1000)).filter((d) => !(d.nextAttemptAt && d.nextAttemptAt > now));
        if (due.length === 0 && this.inFlight.size === 0) return;
        this.kick();
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  /**
   * Stops taking work; running handlers finish, then this replica's claims are released
   * for the others. With replicas sharing the database, claimed deliveries not yet
   * started are dropped from the queues at once (the others take them over); alone, the
   * process finishes them first.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.admission.stop();
    this.timers.stop();
    if (this.draining) await this.draining;
    if (this.coordinator.shared) for (const q of this.queues.values()) q.clear();
    await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
    await this.store.releaseClaims(this.replicaId).catch((error) => this.log.warn({ err: error }, 'could not release delivery claims; they expire'));
    if (this.ownsCoordinator) await this.coordinator.close();
  }

  /**
   * Runs work for a repository (`owner/repo`) in that repository's queue and under its
   * lock across replicas, so it never interleaves with its deliveries (the reconciler,
   * schedules, the API and restarts use it).
   */
  exclusive<T>(repoFullName: string, fn: () => Promise<T>): Promise<T> {
    return this.queueFor(repoFullName).add(() => this.coordinator.withLock(repoFullName, fn)) as Promise<T>;
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

  /** Claims due deliveries and hands each to its repository's queue without waiting for it: a busy repository never holds up the others. */
  private async drain(): Promise<void> {
    if (!this.coordinator.shared && !this.startedUp) {
      // One process owns a single-process store (SQLite): claims left by its previous run (killed) are void.
      await this.store.releaseClaims(null);
      this.startedUp = true;
    }
    while (!this.stopped) {
      const busy = this.inFlight.size - this.waitingInPlace;
      const room = Math.min(200, this.options.maxInFlight - busy);
      // Busy: claim once `minClaim` deliveries' room is free (one claim's cost is the same for 1 or 8 rows).
      this.full = room <= 0 || (busy > 0 && room < this.options.minClaim);
      if (this.full) break;
      // Claimed as the live session (PostgreSQL: while this replica holds its liveness lock), whose number each delivery keeps.
      const { replicaId, session } = await this.coordinator.live();
      const batch = await this.store.claimDeliveries({ replica: replicaId, now: Date.now(), leaseMs: this.options.leaseMs, limit: room });
      // One already in flight was claimed again in this session (it had been claimed in one that ended, e.g. its handler
      // still running): it is this replica's again, no other took it meanwhile.
      for (const d of batch) if (this.inFlight.has(d.id)) this.inFlight.set(d.id, session);
      const fresh = batch.filter((d) => !this.inFlight.has(d.id));
      if (fresh.length === 0) break;
      // Fewer than asked for: nothing more is claimable now (a new delivery or a finished one kicks again).
      const more = batch.length >= room;
      for (const d of fresh) {
        this.inFlight.set(d.id, session);
        const key = deliveryRepository(d);
        // Its turn in the repository's queue, then admission (held back while webhooks are being answered), then its lock.
        void this.queueFor(key)
          .add(async () => {
            await this.admission.turn();
            return this.coordinator.withLock(key, async () => {
              // The session it was claimed in ended (the lock connection was lost): another replica may have taken it over.
              if (this.inFlight.get(d.id) !== this.coordinator.session) {
                this.log.warn({ delivery: d.id }, 'claimed before this replica lost its lock connection; left to whichever replica claims it now');
                return;
              }
              await this.process(d);
            });
          })
          .catch((error) => this.log.error({ err: error, delivery: d.id }, 'delivery could not be processed; its lease expires and it is retried'))
          .finally(() => {
            this.inFlight.delete(d.id);
            // The repository's queue ran dry: its later deliveries (recorded by another replica, or left unclaimed by
            // the per-repository cap of a claim, CLAIM_PER_REPOSITORY) can be claimed; or there is room again under maxInFlight.
            if (this.full || (this.queues.get(key)?.size ?? 0) === 0) this.kick();
          });
      }
      if (!more) break;
    }
    await this.armRetryTimer();
  }

  private async process(d: DeliveryRecord): Promise<void> {
    for (;;) {
      try {
        await this.handle(d);
      } catch (error) {
        const retryAt = await this.failed(d, error);
        if (retryAt === null || this.stopped) return;
        // Retried in place: the repository's later deliveries wait behind it (arrival order kept).
        this.waitingInPlace++;
        if (this.full) this.kick();
        await this.timers.until(retryAt).finally(() => this.waitingInPlace--);
        if (this.stopped) return; // left deferred; stop() releases the claim and the next process retries it
        continue;
      }
      await this.store.finishDelivery(d.id, null);
      return;
    }
  }

  /**
   * Records a failed attempt: gives the delivery up, or defers it. A retry due within
   * `inPlaceRetryMs` keeps the claim and is made in place.
   * @returns when to retry in place, epoch ms; null when given up or left to a later drain
   */
  private async failed(d: DeliveryRecord, error: unknown): Promise<number | null> {
    const reason = error instanceof Error ? error.message : String(error);
    const attempts = await this.store.countAttempt(d.id);
    const now = Date.now();
    const delay = Math.max(retryDelay(attempts, this.options.retryDelayMs, this.options.maxRetryDelayMs), this.options.retryAfterMs(error) ?? 0);
    if (attempts >= this.options.maxAttempts || now + delay - d.receivedAt > this.options.giveUpAfterMs) {
      const recorded = gaveUpReason(attempts, now - d.receivedAt, reason);
      this.log.error({ err: error, delivery: d.id, event: d.event, attempts }, `delivery ${recorded}`);
      await this.store.finishDelivery(d.id, recorded);
      return null;
    }
    const inPlace = delay <= this.options.inPlaceRetryMs;
    this.log.warn({ err: error, delivery: d.id, event: d.event, attempts }, `delivery failed; retrying in ${delay} ms`);
    this.retriesMaybe = true;
    await this.store.deferDelivery(d.id, now + delay, reason, inPlace);
    if (inPlace) return now + delay;
    this.timers.after(delay, () => this.kick());
    return null;
  }

  /**
   * A timer for the earliest retry the store holds (retries recorded before a restart included),
   * asked only while one of this replica's own may be pending (at start, after a deferral): with
   * replicas sharing the store, the others' retries are claimed by the poll (every `pollIntervalMs`).
   */
  private async armRetryTimer(): Promise<void> {
    if (!this.retriesMaybe) return;
    // Cleared before asking: a delivery deferred while the store answers sets it again.
    this.retriesMaybe = false;
    let at: number | null;
    try {
      at = await this.store.nextRetryAt();
    } catch (error) {
      this.retriesMaybe = true;
      throw error;
    }
    if (at === null) return;
    this.retriesMaybe = true;
    this.timers.after(Math.max(0, at - Date.now()) + 1, () => this.kick());
  }

  private async renew(): Promise<void> {
    await this.store
      .renewClaims(this.replicaId, [...this.inFlight.keys()], Date.now() + this.options.leaseMs)
      .catch((error) => this.log.warn({ err: error }, 'could not renew delivery leases'));
  }
}
