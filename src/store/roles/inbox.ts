/**
 * The inbox role: webhook deliveries recorded before they are acknowledged (SPEC.md
 * rule 9), claimed by one replica at a time with a lease, retried with backoff.
 */

/** A webhook delivery as recorded before it is acknowledged. */
export interface DeliveryRecord {
  /** Arrival order (increasing). */
  seq: number;
  id: string;
  event: string;
  action: string | null;
  installationId: number | null;
  /**
   * What the delivery is ordered by: the repository's `owner/name`, or
   * `installation:<id>` for events without a repository; null for deliveries recorded
   * before this was kept.
   */
  repository?: string | null;
  /** The commit the delivery is about (push `after`, pull request head, workflow run head), when it names one. */
  sha?: string | null;
  payload: unknown;
  receivedAt: number;
  attempts: number;
  /** Why the last attempt failed, while a retry is pending. */
  lastError?: string | null;
  /** When the pending retry is due, epoch ms; null when none waits. */
  nextAttemptAt?: number | null;
}

/** A delivery as {@link DeliveryInbox.recordDelivery} takes it. */
export type NewDelivery = Omit<DeliveryRecord, 'seq' | 'receivedAt' | 'attempts' | 'lastError' | 'nextAttemptAt'> & {
  /** `payload` as the JSON text it arrived in, when the caller has it: stored as is instead of serialising `payload` again. */
  payloadJson?: string;
};

/** Where a delivery is: waiting, being retried, done or given up. */
export type DeliveryState = 'pending' | 'retrying' | 'processed' | 'failed';

/** A delivery's processing status (what `prebuilds why` and the page show). */
export interface DeliveryStatus {
  id: string;
  event: string;
  action: string | null;
  repository: string | null;
  sha: string | null;
  receivedAt: number;
  attempts: number;
  state: DeliveryState;
  /** `retrying`: why the last attempt failed; `failed`: why it was given up; else null. */
  reason: string | null;
  /** `retrying`: when the next attempt is due, epoch ms. */
  nextAttemptAt: number | null;
  /** The replica holding it right now (its lease not expired), or null. */
  claimedBy: string | null;
}

/** A claim: which replica takes deliveries, and until when its lease runs. */
export interface ClaimRequest {
  /** The claiming replica's id. */
  replica: string;
  /** Epoch ms now (lease and retry times are compared with it). */
  now: number;
  /** How long the claim holds unless renewed, ms. */
  leaseMs: number;
  /** At most this many deliveries. */
  limit: number;
}

/** The inbox role of the store. */
export interface DeliveryInbox {
  /**
   * Records a delivery before it is acknowledged (on disk when it returns: GitHub then gets its 2xx).
   * @returns false when a delivery with this id was already recorded (a redelivery).
   */
  recordDelivery(delivery: NewDelivery): Promise<boolean>;
  /**
   * Keeps the GitHub headers of recorded deliveries (`X-GitHub-Hook-ID`, `User-Agent` …,
   * lower-case names), all in one transaction; the first recording wins, a redelivery
   * changes nothing.
   */
  recordDeliveryHeaders(entries: Array<{ id: string; headers: Record<string, string> }>): Promise<void>;
  /**
   * Drops the payloads of deliveries processed before `processedBefore` (epoch ms): the
   * payload becomes `null`; id, event, action, installation, headers, times and error stay.
   * @returns how many payloads were dropped
   */
  pruneDeliveryPayloads(processedBefore: number): Promise<number>;
  /** Unprocessed deliveries in arrival order (retries waiting included), only those after sequence `afterSeq` (default 0: all). */
  pendingDeliveries(limit: number, afterSeq?: number): Promise<DeliveryRecord[]>;
  /** How many deliveries are recorded and not yet processed (retries waiting included): the backlog. */
  countPendingDeliveries(): Promise<number>;
  /**
   * Claims due, unprocessed deliveries for one replica, in arrival order: those no live
   * lease holds, whose retry time has come, and whose repository no other replica holds
   * a live claim in (so one repository's deliveries stay in order across replicas).
   * Atomic across replicas: a delivery is claimed by one of them.
   */
  claimDeliveries(request: ClaimRequest): Promise<DeliveryRecord[]>;
  /**
   * Extends the leases the replica still holds on these deliveries (the ones it is
   * working on) to `until` (epoch ms); a delivery it claimed but dropped is left to expire.
   * @returns how many were extended
   */
  renewClaims(replica: string, ids: string[], until: number): Promise<number>;
  /** Drops the claims of one replica (a graceful stop), or of every replica (`null`: a single-process store starting). */
  releaseClaims(replica: string | null): Promise<void>;
  /** Marks a delivery processed (error text when its handler was given up for good); drops its claim. */
  finishDelivery(id: string, error: string | null): Promise<void>;
  /** Counts one more processing attempt; returns the new count. */
  countAttempt(id: string): Promise<number>;
  /**
   * Puts a failed delivery back to wait until `nextAttemptAt` (epoch ms) with the failure's
   * reason; drops its claim, unless `keepClaim` (the replica retries it in place, holding
   * its repository, and renews the claim meanwhile).
   */
  deferDelivery(id: string, nextAttemptAt: number, reason: string, keepClaim?: boolean): Promise<void>;
  /** The earliest time an unprocessed delivery's retry is due, or null when none waits. */
  nextRetryAt(): Promise<number | null>;
  /** One delivery's status, or null when none has this id. */
  deliveryStatus(id: string): Promise<DeliveryStatus | null>;
  /** Deliveries of a repository (`owner/name`), optionally about one commit (a sha prefix matches), newest first. Default limit 100. */
  listDeliveries(filter: { repository: string; sha?: string; states?: DeliveryState[]; limit?: number }): Promise<DeliveryStatus[]>;
}
