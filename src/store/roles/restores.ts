import type { RepoRef } from './repo.js';

/** The restores role: each use of a prebuild that restore mode reported (issue 13 item 5), the product's value. */

/** What a restore found: a prebuild of the commit itself, of an ancestor, or none (the full lifecycle ran). */
export type RestoreHit = 'exact' | 'ancestor' | 'miss';

/** Every hit kind, in report order. */
export const RESTORE_HITS: readonly RestoreHit[] = ['exact', 'ancestor', 'miss'];

/** One reported restore. Durations ms, times epoch ms. */
export interface RestoreRecord extends RepoRef {
  id: number;
  installationId: number;
  /** GitHub's repository id (the OIDC token's `repository_id` claim). */
  repositoryId: string;
  configuration: string;
  /** The commit the job made ready. */
  sha: string;
  hit: RestoreHit;
  /** Commit of the prebuild restored, null for a miss. */
  prebuildSha: string | null;
  /** What the job spent instead of the cold path: finding and restoring the snapshot plus the prebuild hooks it still ran. */
  spentMs: number;
  /** The configuration's measured cold time when the restore was reported (its last full prebuild's hooks), null when unknown. */
  coldMs: number | null;
  /** coldMs − spentMs for a hit (negative when the restore was slower), 0 for a miss or an unknown cold time. */
  savedMs: number;
  /** Workflow run of the job (`run_id` claim) and its attempt. */
  runId: string | null;
  runAttempt: number | null;
  /** The OIDC token's `jti`: a report sent twice with one token is recorded once. */
  reportId: string;
  createdAt: number;
}

/** A restore to record (the store sets id; createdAt defaults to now). */
export type NewRestore = Omit<RestoreRecord, 'id' | 'createdAt'> & { createdAt?: number };

/** The restores role of the store. */
export interface RestoreStore {
  /**
   * Records a restore; a second report with the same `reportId` records nothing.
   * @returns the record, and whether it is new
   */
  recordRestore(restore: NewRestore): Promise<{ record: RestoreRecord; created: boolean }>;
  /** A repository's restores created at or after `since` (epoch ms), oldest first, at most `limit` (default 10 000). */
  listRestores(repo: RepoRef, since: number, limit?: number): Promise<RestoreRecord[]>;
}
