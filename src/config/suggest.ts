/**
 * "Did you mean …?" suggestions for unknown keys, by edit distance (Levenshtein) on
 * keys compared case-insensitively and without `-`/`_` (`pull_requests` →
 * `pullRequests`, `retension` → `retention`).
 */

/** Levenshtein distance of two short strings (insertions, deletions, substitutions cost 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function fold(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The known key closest to `unknown`, if it is close enough: distance ≤ 1 for keys
 * of up to 4 characters, ≤ 2 up to 8, else ≤ 3. Keys longer than 64 characters get
 * no suggestion (hostile input stays cheap).
 */
export function suggest(unknown: string, known: readonly string[]): string | undefined {
  if (unknown.length > 64) return undefined;
  const u = fold(unknown);
  let best: { key: string; d: number } | undefined;
  for (const key of known) {
    const d = editDistance(u, fold(key));
    if (!best || d < best.d) best = { key, d };
  }
  if (!best) return undefined;
  const limit = u.length <= 4 ? 1 : u.length <= 8 ? 2 : 3;
  return best.d <= limit ? best.key : undefined;
}
