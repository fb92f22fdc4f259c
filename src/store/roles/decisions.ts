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

/** A decision to record: the store sets `id` and `createdAt`. */
export type NewDecision = Omit<DecisionRecord, 'id' | 'createdAt'>;

/** The decisions role of the store. */
export interface DecisionLog {
  recordDecision(decision: NewDecision): Promise<void>;
  /** Decisions about a commit (a sha prefix matches), oldest first. */
  listDecisions(repo: RepoRef, sha: string): Promise<DecisionRecord[]>;
}
