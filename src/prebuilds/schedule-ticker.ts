import { branchHead } from '../github/repos.js';
import type { ScheduleRecord } from '../store/types.js';
import { dueSlot } from '../triggers/schedule.js';
import { readConfigurations } from './configurations.js';
import { decision, decisionLog } from './decisions.js';
import type { PrebuildsDeps } from './deps.js';
import { offerOf, requestPrebuilds } from './request.js';

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
  private readonly exclusive: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T>;
  private readonly leader: () => Promise<boolean>;

  /**
   * @param deps the prebuild-request layer's collaborators
   * @param intervalMs how often schedules are checked, ms; 0 turns them off
   * @param exclusive serialises work per repository (`owner/repo`) with deliveries
   * @param leader whether this replica fires schedules (one replica of several does); default always
   */
  constructor(
    private readonly deps: PrebuildsDeps,
    private readonly intervalMs = 60_000,
    exclusive?: <T>(repoFullName: string, fn: () => Promise<T>) => Promise<T>,
    leader?: () => Promise<boolean>,
  ) {
    this.exclusive = exclusive ?? ((_k, fn) => fn());
    this.leader = leader ?? (async () => true);
  }

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
      const due = dueSlot(s, now);
      if (due === null) continue;
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
    const head = await branchHead(octokit, repo, s.branch);
    // The branch (or repository) is gone: so is its schedule.
    if (!head) return deps.store.setSchedule(repo, s.configuration, s.branch, null);
    const deliveryId = `schedule:${s.configuration}:${s.branch}:${due}`;
    const resolved = await readConfigurations(deps, octokit, repo, head.sha, head.defaultBranch, { deliveryId, event: 'schedule' });
    const c = resolved.configurations.find((x) => x.settings.name === s.configuration);
    await deps.store.markScheduleFired(repo, s.configuration, s.branch, due);
    if (!c || !c.settings.schedule) {
      await deps.store.setSchedule(repo, s.configuration, s.branch, null);
      const why = c ? 'it no longer has a schedule' : 'it does not resolve at the branch head';
      await decisionLog(deps.store, { deliveryId, ...repo, sha: head.sha, event: 'schedule' }).record(
        decision.skipped(s.configuration, `schedule removed: ${why}`),
      );
      return;
    }
    await requestPrebuilds(deps, {
      event: 'schedule',
      deliveryId,
      repo,
      installationId: s.installationId,
      sha: head.sha,
      branch: s.branch,
      prNumber: null,
      trigger: 'schedule',
      offers: [offerOf(c)],
      rule: () => ({ run: true, reason: `schedule ${s.cron} due ${new Date(due).toISOString()}` }),
      skipPrebuilt: false,
    });
  }
}
