/**
 * GitHub's rate-limit refusals, as its REST documentation describes them ("Rate limits
 * for the REST API", "Exceeding the rate limit"): a primary rate limit answers 403 or 429
 * with `x-ratelimit-remaining: 0` (wait until `x-ratelimit-reset`, epoch seconds); a
 * secondary rate limit answers 403 or 429 with a message saying so and, sometimes,
 * `retry-after` (seconds; without it, wait at least a minute).
 *
 * Probot's Octokit retries a primary limit twice after the reset, and only logs a
 * secondary one (its throttling options); the retry plugin retries 5xx and 429 up to
 * three times but never a 403. What is still refused reaches the app, which must treat
 * it as "later", never as "GitHub said no".
 */

/** How long GitHub asks to wait before a secondary rate limit without `retry-after` is retried, ms. */
export const SECONDARY_RATE_LIMIT_WAIT_MS = 60_000;

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/**
 * How long GitHub asked the app to wait after a rate-limit refusal (Octokit's
 * RequestError with status 403 or 429), ms from now; null when the error is not one.
 */
export function rateLimitWaitMs(error: unknown, now: number = Date.now()): number | null {
  const e = error as RequestErrorLike | null;
  if (!e || (e.status !== 403 && e.status !== 429)) return null;
  const headers = e.response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  const data = e.response?.data as { message?: unknown } | undefined;
  const message = `${e.message ?? ''} ${typeof data?.message === 'string' ? data.message : ''}`;
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - now) + 1000 : SECONDARY_RATE_LIMIT_WAIT_MS;
  }
  if (/\bsecondary rate limit\b/i.test(message)) return SECONDARY_RATE_LIMIT_WAIT_MS;
  if (e.status === 429) return 0;
  return null;
}
