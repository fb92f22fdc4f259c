/**
 * `prebuilds simulate`: replays a timeline through the app's prebuild-request layer
 * (`requestPrebuilds` with the push rule) and the real {@link Scheduler} on a real SQLite store, with GitHub and the runner
 * simulated: a {@link Dispatcher} that records dispatches, and a simulated clock
 * that completes runs. Pure product code: no probot, no network.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultSettings } from '../config/prebuilds-yml.js';
import type { PrebuildSettings } from '../config/model.js';
import { laneOf, Scheduler, type Dispatcher, type Lane } from '../scheduler/scheduler.js';
import { SqliteStore } from '../store/sqlite/store.js';
import { ACTIVE_STATES, type PrebuildRecord, type Store } from '../store/types.js';
import { offerOf, requestPrebuilds, type Offer } from '../prebuilds/request.js';
import { pushRule } from '../prebuilds/rules.js';
import { buildReport, type PrebuildTimes, type SimulatedDecision, type SimulationReport } from './report.js';
import type { CompleteEvent, ConfigEvent, PushEvent, SimEvent } from './timeline.js';

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Seconds a run takes when no `complete` event ends it. Default 600. */
  durationSeconds?: number;
  /** The repository's default branch: the default `branches` of a configuration. Default `main`. */
  defaultBranch?: string;
  /**
   * SQLite file to use (kept afterwards). Default: a file in a fresh temp folder,
   * removed at the end. `:memory:` works for timelines without `restart`.
   */
  databasePath?: string;
  /** Called after every event and every run completion, e.g. to check invariants. */
  observe?: (store: Store, clock: number) => Promise<void> | void;
}

/** The repository every simulated event belongs to. */
export const SIMULATED_REPO = { owner: 'simulated', repo: 'repository' } as const;
const FOREVER = Number.MAX_SAFE_INTEGER;
const key = (...parts: string[]) => parts.join('\u0000');

/**
 * Replays a timeline. Events run in `at` order (file order for equal times); a run
 * due to complete at the same second as an event completes first. After the last
 * event, runs still going complete on their own, so the report shows where the
 * timeline leads. Without any `config` event there is one configuration,
 * `devcontainer`, with every SPEC.md default.
 * @returns the report (prebuilds, totals, estimate, decisions, warnings)
 * @throws Error when the store cannot be opened, or `restart` is used with `:memory:`
 */
export async function simulate(events: SimEvent[], options: SimulateOptions = {}): Promise<SimulationReport> {
  const sim = new Simulation(events, options);
  try {
    return await sim.run();
  } finally {
    await sim.close();
  }
}

interface Timer {
  at: number;
  seq: number;
  prebuildId: number;
}

class Simulation {
  private clock = 0;
  private readonly duration: number;
  private readonly defaultBranch: string;
  private readonly dbPath: string;
  private readonly tempDir: string | null = null;
  /** The store and scheduler: what the prebuild-request layer needs. */
  store!: SqliteStore;
  scheduler!: Scheduler;
  private readonly settings = new Map<string, PrebuildSettings>();
  private readonly identities = new Map<string, string>();
  private readonly times = new Map<number, PrebuildTimes>();
  private timers: Timer[] = [];
  private seq = 0;
  private runId = 0;
  private readonly completeAt = new Map<string, number[]>();
  private readonly decisions: SimulatedDecision[] = [];
  private readonly warnings: string[] = [];
  private readonly counts = { bypassed: 0, skipped: 0, redeliveries: 0 };
  private readonly dispatcher: Dispatcher = {
    start: async (p) => {
      const t = this.timesOf(p);
      t.startedAt = this.clock;
      const explicit = (this.completeAt.get(key(p.sha, p.configuration)) ?? []).some((at) => at >= this.clock);
      if (!explicit) this.timers.push({ at: this.clock + this.duration, seq: this.seq++, prebuildId: p.id });
      const runId = ++this.runId;
      return { workflowRunId: runId, checkRunId: runId, workflowRunUrl: `simulated://runs/${runId}` };
    },
    end: async (p) => {
      this.timesOf(p).endedAt = this.clock;
      return p.checkRunId ?? 0;
    },
  };

  constructor(
    private readonly events: SimEvent[],
    private readonly options: SimulateOptions,
  ) {
    this.duration = options.durationSeconds ?? 600;
    this.defaultBranch = options.defaultBranch ?? 'main';
    if (options.databasePath) this.dbPath = options.databasePath;
    else {
      this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-simulate-'));
      this.dbPath = path.join(this.tempDir, 'simulate.sqlite');
    }
    for (const e of events) {
      if (e.type !== 'complete') continue;
      const names = e.configuration ? [e.configuration] : configurationNames(events, this.defaultBranch);
      for (const n of names) this.completeAt.set(key(e.sha, n), [...(this.completeAt.get(key(e.sha, n)) ?? []), e.at]);
    }
    if (!events.some((e) => e.type === 'config')) {
      const d = defaultSettings('.devcontainer/devcontainer.json', 'devcontainer', this.defaultBranch);
      this.settings.set(d.name, d);
    }
  }

  async run(): Promise<SimulationReport> {
    await this.open();
    const ordered = this.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
    for (const { e, i } of ordered) {
      await this.completeDue(e.at);
      this.clock = e.at;
      await this.apply(e, i);
      await this.options.observe?.(this.store, this.clock);
    }
    await this.completeDue(FOREVER);
    const records = await this.store.listPrebuilds({ ...SIMULATED_REPO, limit: FOREVER });
    return buildReport(records, this.times, this.counts, this.decisions, this.warnings, this.clock, this.duration);
  }

  async close(): Promise<void> {
    if (this.store) await this.store.close();
    if (this.tempDir) fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  private async open(): Promise<void> {
    this.store = new SqliteStore(this.dbPath);
    await this.store.migrate();
    this.scheduler = new Scheduler(this.store, this.dispatcher);
  }

  private timesOf(p: PrebuildRecord): PrebuildTimes {
    let t = this.times.get(p.id);
    if (!t) this.times.set(p.id, (t = { trigger: p.trigger, pushedAt: this.clock, startedAt: null, endedAt: null }));
    return t;
  }

  private async apply(e: SimEvent, index: number): Promise<void> {
    switch (e.type) {
      case 'push':
        return this.push(e, index);
      case 'complete':
        return this.complete(e);
      case 'config':
        return this.configure(e);
      case 'pause':
      case 'resume':
        await this.store.setConfigurationState(SIMULATED_REPO, e.configuration, { paused: e.type === 'pause' });
        if (e.type === 'resume') await this.advanceWaiting(e.configuration);
        return;
      case 'restart':
        if (this.dbPath === ':memory:') throw new Error('a `restart` event needs a database file, not :memory:');
        await this.store.close();
        await this.open();
        return this.advanceWaiting(); // what the runtime does when it starts (src/runtime.ts)
    }
  }

  /** Runs the completions due at or before `until`, in time order. */
  private async completeDue(until: number): Promise<void> {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > until) return;
      this.timers.shift();
      this.clock = Math.max(this.clock, next.at);
      const p = await this.store.getPrebuild(next.prebuildId);
      if (p && ACTIVE_STATES.includes(p.state)) await this.finish(p, 'success');
      await this.options.observe?.(this.store, this.clock);
    }
  }

  /** What the `workflow_run` completed handler does: record the outcome, move the queue on. */
  private async finish(p: PrebuildRecord, conclusion: 'success' | 'failure'): Promise<void> {
    await this.store.updatePrebuild(p.id, { state: conclusion, endedAt: Date.now() });
    this.timesOf(p).endedAt = this.clock;
    await this.scheduler.advance(laneOf(p));
  }

  private async complete(e: CompleteEvent): Promise<void> {
    const active = await this.store.listPrebuilds({ ...SIMULATED_REPO, sha: e.sha, states: [...ACTIVE_STATES] });
    const matching = active.filter((p) => !e.configuration || p.configuration === e.configuration);
    if (matching.length === 0) {
      this.warnings.push(`complete at ${e.at}s: no run of ${e.sha}${e.configuration ? ` (${e.configuration})` : ''} in progress; ignored`);
      return;
    }
    if (matching.length > 1) {
      this.warnings.push(`complete at ${e.at}s: ${matching.length} configurations run ${e.sha}; each completes (name one with "configuration")`);
    }
    for (const p of matching) await this.finish(p, e.conclusion);
  }

  private configure(e: ConfigEvent): void {
    const { name, ...rest } = e.configuration;
    const current = this.settings.get(name) ?? {
      ...defaultSettings(rest.environmentFile ?? '.devcontainer/devcontainer.json', 'devcontainer', this.defaultBranch),
      name,
    };
    const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    this.settings.set(name, { ...current, ...defined });
  }

  private identityFor(e: PushEvent, configuration: string): string | null {
    const given = typeof e.identity === 'string' ? e.identity : e.identity ? (e.identity[configuration] ?? null) : undefined;
    if (given === null) return null;
    const identity = given ?? this.identities.get(key(configuration, e.branch)) ?? this.identities.get(configuration) ?? 'initial';
    this.identities.set(key(configuration, e.branch), identity);
    this.identities.set(configuration, identity);
    return identity;
  }

  /** What the push handler (src/handlers/push.ts) does, without GitHub: the same entrance and rule. */
  private async push(e: PushEvent, index: number): Promise<void> {
    const deliveryId = e.delivery ?? `simulated:${index}`;
    const fresh = await this.store.recordDelivery({ id: deliveryId, event: 'push', action: null, installationId: 1, payload: e });
    if (!fresh) {
      this.counts.redeliveries++;
      return;
    }
    const decide = (configuration: string, decision: string, reason: string) => this.decisions.push({ at: e.at, sha: e.sha, configuration, decision, reason });
    let targets = [...this.settings.values()];
    if (e.configuration) {
      targets = targets.filter((s) => s.name === e.configuration);
      if (targets.length === 0) this.warnings.push(`push at ${e.at}s: no configuration named ${e.configuration}; ignored`);
    }
    const offers: Offer[] = [];
    for (const settings of targets) {
      const identity = this.identityFor(e, settings.name);
      if (identity === null) {
        this.counts.skipped++;
        decide(settings.name, 'skipped', 'configuration does not resolve at this commit');
        continue;
      }
      offers.push(offerOf({ settings, identity }));
    }
    const clockBefore = this.clock;
    const outcomes = await requestPrebuilds(this, {
      event: 'push',
      deliveryId,
      repo: SIMULATED_REPO,
      installationId: 1,
      sha: e.sha,
      branch: e.branch,
      prNumber: null,
      trigger: 'push',
      offers,
      rule: pushRule(this.store, { repo: SIMULATED_REPO, branch: e.branch, seq: 0, commitCount: e.commits ?? 1, changedFiles: e.files ?? null }),
    });
    for (const o of outcomes) {
      decide(o.offer.configuration, o.decision.kind, o.decision.reason);
      if (!o.scheduled) {
        this.counts.skipped++;
        continue;
      }
      const t = this.timesOf(o.scheduled.prebuild);
      t.trigger = o.verdict.reason;
      t.pushedAt = clockBefore;
      if (o.scheduled.reason.startsWith('bypass')) this.counts.bypassed++;
    }
    await this.store.finishDelivery(deliveryId, null);
  }

  /** Starts the waiting prebuild of every lane that has one (of one configuration, or all). */
  private async advanceWaiting(configuration?: string): Promise<void> {
    const waiting = await this.store.listPrebuilds({ ...SIMULATED_REPO, configuration, states: ['waiting'], limit: FOREVER });
    const lanes = new Map<string, Lane>(waiting.map((p) => [key(p.configuration, p.branch), laneOf(p)]));
    for (const lane of lanes.values()) await this.scheduler.advance(lane);
  }
}

/** Names of the configurations a timeline defines (for `complete` events without a configuration). */
function configurationNames(events: SimEvent[], defaultBranch: string): string[] {
  const names = events.flatMap((e) => (e.type === 'config' ? [e.configuration.name] : []));
  return names.length ? [...new Set(names)] : [defaultSettings('.devcontainer/devcontainer.json', 'devcontainer', defaultBranch).name];
}
