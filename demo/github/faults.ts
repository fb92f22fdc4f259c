/**
 * Fault plans: the n-th request of an operation (method + GitHub path template)
 * answers what the plan says — GitHub failing (5xx), GitHub's rate-limit refusals
 * with the bodies and headers its documentation gives, a dropped connection, or the
 * request held open until the test lets it through — and later requests are served
 * normally. Built on the stand-in's overrides, so requests are still authenticated
 * and every exchange is recorded.
 *
 * GitHub's documentation ("Rate limits for the REST API", "Exceeding the rate limit"):
 * a primary rate limit answers 403 or 429 with `x-ratelimit-remaining: 0` and
 * `x-ratelimit-reset` (epoch seconds); a secondary rate limit answers 403 or 429 with a
 * message saying so, `retry-after` (seconds) when GitHub gives one, and the quota
 * headers as they are (not 0).
 */
import { randomUUID } from 'node:crypto';
import { errorBody } from './payloads/rest.js';
import type { Overrides } from './overrides.js';
import type { Reply, RouteRequest } from './router.js';

/** Where GitHub's rate-limit refusals point. */
export const RATE_LIMITS_DOCS = 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api';

/** One planned answer. */
export type Fault =
  /** What the stand-in answers anyway. */
  | 'pass'
  /** The connection is closed without an answer. */
  | 'network-error'
  /** GitHub failing: `{message: 'Server Error'}` with this status (or `Service Unavailable` for 503). */
  | { status: 500 | 502 | 503 | 504 }
  /** A secondary rate limit: 403 or 429, GitHub's message, `retry-after` when given, quota headers not at 0. */
  | { secondaryRateLimit: 403 | 429; retryAfterSeconds?: number }
  /** A primary rate limit: 403 or 429, `x-ratelimit-remaining: 0`, `x-ratelimit-reset` this many seconds ahead. */
  | { primaryRateLimit: 403 | 429; resetInSeconds: number }
  /**
   * The request waits (its body read, the client connected) until `until` resolves,
   * then gets `then` (default `pass`: GitHub did it, whether or not the client is still there).
   */
  | { hold: Promise<unknown>; then?: 'pass' | 'network-error' };

/** One request an operation of the plan received. */
export interface FaultHit {
  /** `METHOD template` */
  operation: string;
  /** 0-based: the how-many-th request of the operation since the plan was made. */
  index: number;
  /** What it was answered (`pass` past the end of the plan). */
  fault: string;
  /** When it arrived, `Date.now()` ms. */
  at: number;
  /** Its path parameters and body, as routed. */
  params: Record<string, string>;
  body: unknown;
}

/** A fault plan in force: its hits, and removal. */
export interface FaultPlan {
  /** Every request of a planned operation so far, in arrival order. */
  readonly hits: FaultHit[];
  /** The hits of one operation (`METHOD template`). */
  of(operation: string): FaultHit[];
  /** Removes what is left of the plan (held requests still wait for their promise). */
  remove(): void;
}

/** GitHub's secondary rate limit message (its REST documentation and real answers). */
export function secondaryRateLimitBody(status: 403 | 429, requestId: string) {
  return errorBody(
    `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
    status,
    `${RATE_LIMITS_DOCS}#about-secondary-rate-limits`,
  );
}

function describe(f: Fault): string {
  if (typeof f === 'string') return f;
  if ('status' in f) return String(f.status);
  if ('secondaryRateLimit' in f)
    return `secondary rate limit ${f.secondaryRateLimit}${f.retryAfterSeconds === undefined ? '' : ` retry-after ${f.retryAfterSeconds}`}`;
  if ('primaryRateLimit' in f) return `primary rate limit ${f.primaryRateLimit} reset in ${f.resetInSeconds} s`;
  return `hold, then ${f.then ?? 'pass'}`;
}

async function answer(f: Fault, served: () => Promise<Reply>): Promise<Reply | 'network-error'> {
  if (f === 'pass') return served();
  if (f === 'network-error') return f;
  if ('status' in f) return { status: f.status, body: errorBody(f.status === 503 ? 'Service Unavailable' : 'Server Error', f.status) };
  if ('secondaryRateLimit' in f) {
    const requestId = randomUUID().toUpperCase();
    return {
      status: f.secondaryRateLimit,
      body: secondaryRateLimitBody(f.secondaryRateLimit, requestId),
      headers: {
        'x-github-request-id': requestId,
        'x-ratelimit-remaining': '4990',
        'x-ratelimit-used': '10',
        ...(f.retryAfterSeconds === undefined ? {} : { 'retry-after': String(f.retryAfterSeconds) }),
      },
    };
  }
  if ('primaryRateLimit' in f) {
    return {
      status: f.primaryRateLimit,
      body: errorBody('API rate limit exceeded for installation ID 1.', f.primaryRateLimit, `${RATE_LIMITS_DOCS}#about-primary-rate-limits`),
      headers: {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '5000',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000 + f.resetInSeconds)),
      },
    };
  }
  await f.hold.catch(() => undefined);
  return answer(f.then ?? 'pass', served);
}

/**
 * Puts a plan in force: for each operation (`METHOD template`, e.g.
 * `POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches`), its n-th
 * request from now on gets the n-th fault; requests past the end are served normally.
 */
export function applyFaultPlan(overrides: Overrides, plan: Record<string, Fault[]>): FaultPlan {
  const hits: FaultHit[] = [];
  const removers: (() => void)[] = [];
  for (const [operation, faults] of Object.entries(plan)) {
    const m = /^(GET|POST|PATCH|PUT|DELETE) (\/\S*)$/.exec(operation);
    if (!m) throw new Error(`a fault plan operation is "METHOD /path/{template}", not "${operation}"`);
    let index = 0;
    const remove = overrides.add(m[1]!, m[2]!, (req: RouteRequest, served) => {
      const fault = faults[index] ?? 'pass';
      hits.push({ operation, index, fault: describe(fault), at: Date.now(), params: req.params, body: req.body });
      index++;
      return answer(fault, served);
    });
    removers.push(remove);
  }
  return {
    hits,
    of: (operation) => hits.filter((h) => h.operation === operation),
    remove: () => removers.forEach((r) => r()),
  };
}
