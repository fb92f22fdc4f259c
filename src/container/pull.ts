/**
 * How a failed `docker pull` is handled: a failure the registry means (the image or tag
 * is not there, the credentials are refused) is final at once, so the cold fallback
 * starts without waiting; a failure of the way there (a connection reset, a timeout, a
 * 5xx or 429 answer) is tried again after a short backoff. Pure apart from the pulls it
 * is given; shared by the action and the CLI.
 */
import { ToolError } from './tools.js';

/** Attempts of one pull, the first included. */
export const PULL_ATTEMPTS = 3;

/** Wait before the second attempt, ms; doubled before each later one. */
export const PULL_BACKOFF_MS = 250;

/**
 * What in docker's message says the failure is on the way to the registry, not an
 * answer about the image: worth another attempt.
 */
const TRANSIENT =
  /connection reset|broken pipe|unexpected EOF|\bi\/o timeout|timed? ?out|timeout exceeded|TLS handshake timeout|context deadline exceeded|connection refused|no such host|temporary failure|too many requests|toomanyrequests|\b429\b|\b5\d\d (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)|status(?: code)?:? 5\d\d\b/i;

/**
 * Whether a `docker pull` failure is worth another attempt: a connection reset or
 * refused, a timeout (docker's "context deadline exceeded" too), a name that did not
 * resolve, a 5xx or 429 answer (Docker Hub's `toomanyrequests`). "manifest unknown", "not found", "unauthorized",
 * "denied", a bad reference or anything else docker says is final.
 * @param output what docker printed (stdout and stderr)
 */
export function isTransientPullFailure(output: string): boolean {
  return TRANSIENT.test(output);
}

/** A pull that failed for good: how many attempts were made, and whether the last failure was transient. */
export class PullError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly transient: boolean,
    readonly output: string,
  ) {
    super(message);
    this.name = 'PullError';
  }
}

/** Options of {@link withPullRetries}. */
export interface PullRetry {
  /** Attempts in all (default {@link PULL_ATTEMPTS}). */
  attempts?: number;
  /** First backoff, ms (default {@link PULL_BACKOFF_MS}), doubled each time. */
  backoffMs?: number;
  /** Told before each retry (attempt number to come, the failure, the wait in ms). */
  onRetry?: (attempt: number, error: Error, waitMs: number) => void;
}

/**
 * Runs `attempt` (one `docker pull`) until it succeeds, its failure is not transient
 * ({@link isTransientPullFailure}), or the attempts are spent.
 * @returns what the successful attempt returned
 * @throws PullError with the last failure's message and the number of attempts
 */
export async function withPullRetries<T>(attempt: () => Promise<T>, options: PullRetry = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? PULL_ATTEMPTS);
  let wait = options.backoffMs ?? PULL_BACKOFF_MS;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const output = err instanceof ToolError ? err.output : error.message;
      const transient = isTransientPullFailure(output);
      if (!transient || n >= attempts) throw new PullError(error.message, n, transient, output);
      options.onRetry?.(n + 1, error, wait);
      await new Promise((r) => setTimeout(r, wait));
      wait *= 2;
    }
  }
}
