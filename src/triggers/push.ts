import picomatch from 'picomatch';
import type { PrebuildSettings } from '../config/model.js';
import type { LaneState } from '../store/types.js';

/** What a push brings to one configuration. */
export interface PushFacts {
  branch: string;
  /** Commits the push adds to the branch (payload `commits`, or compare's `total_commits`). */
  commitCount: number;
  /** Files the pushed commits add, modify or remove; null when unknown (then no trigger-file match). */
  changedFiles: string[] | null;
  /** Configuration identity at the pushed sha (SPEC.md rule 1). */
  identity: string;
}

/** A trigger decision: run or not, the reason (SPEC.md rule 10), and the lane's next state. */
export interface TriggerDecision {
  run: boolean;
  reason: string;
  lane: LaneState;
}

/** True when the branch matches one of the configuration's globs (picomatch, `/` separators). */
export function branchMatches(settings: Pick<PrebuildSettings, 'branches'>, branch: string): boolean {
  return settings.branches.some((glob) => picomatch.isMatch(branch, glob, { dot: true }));
}

/** The first changed file matching a `triggerFiles` glob, or null. */
export function matchingTriggerFile(settings: Pick<PrebuildSettings, 'triggerFiles'>, files: string[] | null): string | null {
  if (!files || settings.triggerFiles.length === 0) return null;
  const isMatch = picomatch(settings.triggerFiles, { dot: true });
  return files.find((f) => isMatch(f)) ?? null;
}

/**
 * Does this push start a prebuild of this configuration? (SPEC.md rule 4 and the
 * `trigger`, `commitInterval`, `triggerFiles` keys.) Pure: the caller stores the
 * returned lane state.
 *
 * Order: branch globs; `trigger: schedule` (pushes never trigger); the first push of a
 * lane (a branch without any prebuild gets one); an identity change (always triggers,
 * also for `configuration-change`); `configuration-change` without one; a trigger file
 * (at once, whatever the interval); then the commit interval, counted since the last
 * prebuild this lane triggered.
 */
export function decidePush(settings: PrebuildSettings, lane: LaneState, push: PushFacts): TriggerDecision {
  if (!branchMatches(settings, push.branch)) {
    return { run: false, reason: `branch-unmatched: ${push.branch} is not in ${settings.branches.join(', ')}`, lane };
  }
  const counted = lane.commitsSinceTrigger + Math.max(push.commitCount, 1);
  const fire = (reason: string): TriggerDecision => ({ run: true, reason, lane: { commitsSinceTrigger: 0, lastIdentity: push.identity } });
  const hold = (reason: string): TriggerDecision => ({ run: false, reason, lane: { ...lane, commitsSinceTrigger: counted } });

  if (settings.trigger === 'schedule') return hold('schedule: this configuration prebuilds on its schedule only');
  if (lane.lastIdentity === null) return fire('first prebuild of this configuration on this branch');
  if (lane.lastIdentity !== push.identity) return fire('configuration changed');
  if (settings.trigger === 'configuration-change') return hold('configuration-change: configuration unchanged');
  const file = matchingTriggerFile(settings, push.changedFiles);
  if (file) return fire(`trigger file ${file} changed`);
  if (counted >= settings.commitInterval) return fire(settings.commitInterval > 1 ? `interval ${counted}/${settings.commitInterval}` : 'every push');
  return hold(`interval ${counted}/${settings.commitInterval}`);
}
