import type { PrebuildRecord, Store } from '../store/types.js';

/** The base chosen for a prebuild (SPEC.md rule 5), or none with the reason. */
export interface BaseChoice {
  baseKey: string | null;
  baseSha: string | null;
  baseReason: string;
}

/** How the base selection reads history; the GitHub implementation makes ≤ 1 call per sha (cached). */
export interface History {
  /** Up to `count` (≤ 100) shas reachable from `sha`, newest first, `sha` itself first. */
  ancestors(sha: string, count: number): Promise<{ shas: string[]; truncated: boolean }>;
  /** Distance from `base` to `head` when `base` is an ancestor of `head`, else null. */
  distance(base: string, head: string): Promise<number | null>;
  /**
   * Ancestors known without asking anyone (from the pushes the app handled): `sha` first,
   * then its nearest ancestors in order, possibly fewer than `count`. Absent: none known.
   */
  known?(sha: string, count: number): string[];
}

/**
 * Chooses the base of an incremental prebuild (SPEC.md rule 5; Gitpod's selection,
 * seeds 003/004): the nearest commit among at most `ancestorDepth` ancestors of the
 * new commit that has a successful prebuild of the same configuration with the same
 * identity. Failed, cancelled, timed-out and expired prebuilds are never bases; a
 * commit of an unrelated branch is never an ancestor. No GitHub call is made when no
 * candidate exists. The ancestors known from the pushes the app handled are looked at
 * first (no call); else history comes from one ancestor listing (≤ 100 commits); only when
 * `ancestorDepth` reaches past that page is the newest remaining candidate checked with
 * one compare call.
 */
export async function selectBase(store: Store, history: History, p: PrebuildRecord): Promise<BaseChoice> {
  const settings = p.settings;
  const none = (baseReason: string): BaseChoice => ({ baseKey: null, baseSha: null, baseReason });
  if (settings && !settings.incremental) return none('incremental: off');
  const depth = settings?.ancestorDepth ?? 100;
  const candidates = (await store.listPrebuilds({ owner: p.owner, repo: p.repo, configuration: p.configuration, states: ['success'], limit: 1000 })).filter(
    (c) => c.identity === p.identity && c.snapshotKey && c.sha !== p.sha,
  );
  if (candidates.length === 0) return none('no successful prebuild with this configuration identity');
  const bySha = new Map<string, PrebuildRecord>();
  for (const c of candidates) if (!bySha.has(c.sha)) bySha.set(c.sha, c); // newest prebuild per sha (list is newest first)

  // The ancestors the app saw pushed come first: a hit among them costs no GitHub call.
  const known = history.known?.(p.sha, depth + 1) ?? [];
  for (let i = 1; i < known.length && i <= depth; i++) {
    const hit = bySha.get(known[i]!);
    if (hit) return { baseKey: hit.snapshotKey, baseSha: hit.sha, baseReason: `ancestor at depth ${i}` };
  }
  if (known.length > depth) return none(`no successful prebuild with this identity among the ${depth} nearest ancestors`);
  const { shas, truncated } = await history.ancestors(p.sha, depth + 1);
  for (let i = 1; i < shas.length && i <= depth; i++) {
    const hit = bySha.get(shas[i]!);
    if (hit) return { baseKey: hit.snapshotKey, baseSha: hit.sha, baseReason: `ancestor at depth ${i}` };
  }
  if (truncated && depth >= shas.length) {
    const seen = new Set(shas);
    const rest = candidates.find((c) => !seen.has(c.sha));
    if (rest) {
      const distance = await history.distance(rest.sha, p.sha);
      if (distance !== null && distance >= 1 && distance <= depth) {
        return { baseKey: rest.snapshotKey, baseSha: rest.sha, baseReason: `ancestor at depth ${distance}` };
      }
    }
  }
  return none(`no successful prebuild with this identity among the ${depth} nearest ancestors`);
}
