/**
 * The backoff of a failing delivery (issue 12, item 8): `first · 2^(attempts-1)` ms,
 * capped at `max`, with ±20 % jitter so replicas that failed together (GitHub down)
 * do not retry together.
 * @param attempts attempts made so far (1 after the first failure)
 */
export function retryDelay(attempts: number, first: number, max: number, random: () => number = Math.random): number {
  const base = Math.min(max, first * 2 ** Math.max(0, Math.min(attempts - 1, 40)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The reason recorded when a delivery is given up: `gave up after 3 attempts over 2 h: <reason>`. */
export function gaveUpReason(attempts: number, elapsedMs: number, reason: string): string {
  return `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}${elapsedMs >= 60_000 ? ` over ${formatDuration(elapsedMs)}` : ''}: ${reason}`;
}

/** `90 s`, `12 min`, `5 h`, `3 d`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}
