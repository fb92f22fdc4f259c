import type { DeliveryStatus } from '../store/types.js';

/**
 * How a delivery that has not (yet) succeeded reads in `prebuilds why` and on the
 * page (issue 12, item 8): `retrying: <reason> (attempt 3, next at 12:04:05Z)` while a
 * retry waits, `gave up after 80 attempts over 3 d: <reason>` (the recorded reason) once
 * given up; null for a pending or
 * processed delivery.
 */
export function describeDelivery(s: DeliveryStatus): string | null {
  if (s.state === 'retrying') {
    const next = s.nextAttemptAt ? `, next at ${new Date(s.nextAttemptAt).toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
    return `retrying: ${s.reason ?? 'failed'} (attempt ${s.attempts}${next})`;
  }
  if (s.state === 'failed') return s.reason?.startsWith('gave up') ? s.reason : `gave up: ${s.reason ?? 'failed'}`;
  return null;
}
