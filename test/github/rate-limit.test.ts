import { RequestError } from '@octokit/request-error';
import { isTransient } from '../../src/github/dispatcher.js';
import { rateLimitWaitMs, SECONDARY_RATE_LIMIT_WAIT_MS } from '../../src/github/rate-limit.js';

/** Octokit's RequestError as GitHub's answer makes it (message = the body's message). */
const refusal = (status: number, message: string, headers: Record<string, string> = {}) =>
  new RequestError(message, status, {
    request: { method: 'POST', url: 'https://api.github.com/repos/o/r/actions/workflows/prebuild.yml/dispatches', headers: {} },
    response: { status, url: '', headers, data: { message, documentation_url: 'https://docs.github.com/rest' } },
  });

const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

describe('GitHub rate-limit refusals (REST "Exceeding the rate limit")', () => {
  const now = 1_700_000_000_000;

  it('waits as long as retry-after says', () => {
    expect(rateLimitWaitMs(refusal(403, SECONDARY, { 'retry-after': '30' }), now)).toBe(30_000);
    expect(rateLimitWaitMs(refusal(429, SECONDARY, { 'retry-after': '0' }), now)).toBe(0);
  });

  it('waits until x-ratelimit-reset (and a second) when the quota is at 0', () => {
    const reset = String(now / 1000 + 42);
    expect(
      rateLimitWaitMs(refusal(403, 'API rate limit exceeded for installation ID 1.', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), now),
    ).toBe(43_000);
  });

  it('waits a minute for a secondary rate limit without retry-after', () => {
    expect(rateLimitWaitMs(refusal(403, SECONDARY, { 'x-ratelimit-remaining': '4990' }), now)).toBe(SECONDARY_RATE_LIMIT_WAIT_MS);
  });

  it('does not take other refusals for rate limits', () => {
    expect(rateLimitWaitMs(refusal(403, 'Resource not accessible by integration'), now)).toBeNull();
    expect(rateLimitWaitMs(refusal(404, 'Not Found', { 'retry-after': '5' }), now)).toBeNull();
    expect(rateLimitWaitMs(new Error('socket hang up'), now)).toBeNull();
  });

  it('makes the dispatcher retry rate limits later instead of failing the prebuild', () => {
    expect(isTransient(refusal(403, SECONDARY, { 'retry-after': '1' }))).toBe(true);
    expect(isTransient(refusal(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }))).toBe(true);
    expect(isTransient(refusal(429, 'Too Many Requests'))).toBe(true);
    expect(isTransient(refusal(502, 'Server Error'))).toBe(true);
    expect(isTransient(refusal(403, 'Resource not accessible by integration'))).toBe(false);
    expect(isTransient(refusal(422, 'Workflow does not have workflow_dispatch trigger'))).toBe(false);
  });
});
