import { CronExpressionParser } from 'cron-parser';
import { isStatus } from '../github/octokit.js';
import { loadConfigurations } from '../handlers/configurations.js';
import type { AppDeps } from '../handlers/types.js';
import type { ScheduleRecord } from '../store/types.js';
import { requestFor } from './scheduler.js';

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

/**
 * Prebuilds on a timetable (the `schedule` key; Codespaces' scheduled trigger). Every
 * `intervalMs` it looks at the schedules the push handler recorded; a schedule whose
 * last due time is newer than its last firing (or than when it was set) prebuilds the
 * branch head: `GET /repos/{owner}/{repo}` and `GET /repos/{owner}/{repo}/branches/{branch}`,
 * then the configuration at that sha, then the scheduler with trigger `schedule`. A
 * missed tick fires once, not once per missed slot. The delivery id
 * `schedule:<configuration>:<branch>:<due>` makes each slot start at most one prebuild.
 */
export class ScheduleTicker {
  private timer: NodeJS.Timeout | null = null;
  /** Set by the runtime: serialises work per repository with deliveries. */
  exclusive: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T> = (_k, fn) => fn();
  /** Set by the runtime: whether this replica fires schedules (one replica of several does). */
  leader: () => Promise<boolean> = async () => true;

  constructor(
    private readonly deps: AppDeps,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    const tick = async () => ((await this.leader()) ? this.tick() : 0);
    this.timer = setInterval(() => void tick().catch((err) => this.deps.log.error({ err }, 'schedule tick failed')), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Fires every due schedule; returns how many fired. */
  async tick(now = Date.now()): Promise<number> {
    let fired = 0;
    for (const s of await this.deps.store.listSchedules()) {
      const due = lastDue(s.cron, now);
      if (due === null || due <= (s.lastFiredAt ?? s.updatedAt)) continue;
      try {
        await this.exclusive(`${s.owner}/${s.repo}`, () => this.fire(s, due));
        fired++;
      } catch (error) {
        this.deps.log.warn({ err: error, schedule: s }, 'scheduled prebuild could not start');
      }
    }
    return fired;
  }

  private async fire(s: ScheduleRecord, due: number): Promise<void> {
    const { deps } = this;
    const repo = { owner: s.owner, repo: s.repo };
    const octokit = await deps.octokitFor(s.installationId);
    let repository, branch;
    try {
      [repository, branch] = await Promise.all([
        octokit.request('GET /repos/{owner}/{repo}', repo),
        octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repo, branch: s.branch }),
      ]);
    } catch (error) {
      // The branch (or repository) is gone: so is its schedule.
      if (!isStatus(error, 404)) throw error;
      await deps.store.setSchedule(repo, s.configuration, s.branch, null);
      return;
    }
    const sha = branch.data.commit.sha;
    const deliveryId = `schedule:${s.configuration}:${s.branch}:${due}`;
    const resolved = await loadConfigurations(deps, octokit, repo, sha, repository.data.default_branch, { deliveryId, event: 'schedule' });
    const c = resolved.configurations.find((x) => x.settings.name === s.configuration);
    await deps.store.markScheduleFired(repo, s.configuration, s.branch, due);
    if (!c || !c.settings.schedule) {
      await deps.store.setSchedule(repo, s.configuration, s.branch, null);
      return;
    }
    const outcome = await deps.scheduler.request(requestFor(c, { ...repo, installationId: s.installationId, branch: s.branch, sha, prNumber: null, trigger: 'schedule', deliveryId }));
    await deps.store.recordDecision({
      deliveryId,
      ...repo,
      sha,
      event: 'schedule',
      configuration: c.settings.name,
      decision: outcome.decision,
      reason: `schedule ${s.cron} due ${new Date(due).toISOString()}; ${outcome.reason}`,
      prebuildId: outcome.prebuild.id,
    });
  }
}
