import { CronExpressionParser } from 'cron-parser';
import type { PrebuildSettings } from '../config/model.js';
import { branchMatches } from './push.js';

/**
 * The most recent time at or before `now` that a five-field cron expression (UTC)
 * fires, in epoch ms; null for an expression cron-parser refuses.
 */
export function lastDue(cron: string, now: number): number | null {
  try {
    const expression = CronExpressionParser.parse(cron, { currentDate: new Date(now + 1), tz: 'UTC' });
    return expression.prev().getTime();
  } catch {
    return null;
  }
}

/** The cron a configuration prebuilds a branch on, or null (no `schedule`, or the branch does not match). */
export function scheduleFor(settings: Pick<PrebuildSettings, 'schedule' | 'branches'>, branch: string): string | null {
  return settings.schedule && branchMatches(settings, branch) ? settings.schedule : null;
}

/**
 * Whether a schedule slot is due: its last due time is newer than its last firing (or,
 * never fired, than when it was set). A missed tick fires once, not once per missed slot.
 * @returns the due time (epoch ms) to fire for, or null
 */
export function dueSlot(schedule: { cron: string; lastFiredAt: number | null; updatedAt: number }, now: number): number | null {
  const due = lastDue(schedule.cron, now);
  return due !== null && due > (schedule.lastFiredAt ?? schedule.updatedAt) ? due : null;
}
