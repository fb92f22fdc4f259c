import type { RepoRef } from './repo.js';

/** The schedules role: configurations prebuilt on a cron timetable (the `schedule` key). */

/** A configuration and branch prebuilt on a cron schedule (the `schedule` key). */
export interface ScheduleRecord extends RepoRef {
  configuration: string;
  branch: string;
  /** Five-field cron expression, UTC. */
  cron: string;
  installationId: number;
  updatedAt: number;
  lastFiredAt: number | null;
}

/** The schedules role of the store. */
export interface ScheduleStore {
  /** Records (cron) or removes (null) the schedule of a configuration on a branch. */
  setSchedule(repo: RepoRef, configuration: string, branch: string, schedule: { cron: string; installationId: number } | null): Promise<void>;
  listSchedules(): Promise<ScheduleRecord[]>;
  markScheduleFired(repo: RepoRef, configuration: string, branch: string, at: number): Promise<void>;
}
