import type { RepoRef } from './repo.js';

/** The lanes role: per (repository, configuration, branch) trigger state (SPEC.md rule 4). */

/** Per (repository, configuration, branch) trigger state (rule 4). */
export interface LaneState {
  /** Commits seen since the last prebuild this lane triggered. */
  commitsSinceTrigger: number;
  /** Identity of the last prebuild triggered in this lane. */
  lastIdentity: string | null;
  /** Inbox sequence of the last push applied to the lane (retries and late older pushes are recognised by it). */
  lastSeq?: number;
  /** Whether that push triggered a prebuild. */
  lastRun?: boolean;
}

/** The lanes role of the store. */
export interface LaneStore {
  /** A lane's state; a lane never set reads as zero commits, no identity. */
  getLane(repo: RepoRef, configuration: string, branch: string): Promise<LaneState>;
  setLane(repo: RepoRef, configuration: string, branch: string, state: LaneState): Promise<void>;
  /** A deleted branch: drops its lanes (commit counters, last identity) and schedules, atomically. */
  forgetBranch(repo: RepoRef, branch: string): Promise<void>;
}
