import type { RepoRef } from './repo.js';

/** The decisions role: why each (event, configuration) pair did or did not prebuild (SPEC.md rule 10). */

/** One (event, configuration) decision with its reason (SPEC.md rule 10). */
export interface DecisionRecord extends RepoRef {
  id: number;
  deliveryId: string | null;
  sha: string;
  event: string;
  configuration: string;
  /** `started`, `queued`, `superseded`, `skipped`, `cancelled`, `failed` … */
  decision: string;
  reason: string;
  prebuildId: number | null;
  createdAt: number;
}

/** The decisions role of the store. */
export interface DecisionLog {
  recordDecision(decision: Omit<DecisionRecord, 'id' | 'createdAt'>): Promise<void>;
  /** Decisions about a commit (a sha prefix matches), oldest first. */
  listDecisions(repo: RepoRef, sha: string): Promise<DecisionRecord[]>;
}
