/**
 * The real stack of the replica fault tests (issue 11): app processes
 * (lib/bench/app-process.js: the real HTTP server, Probot's Octokit with its retry and
 * throttling plugins) on one PostgreSQL database, GitHub played by the stand-in with
 * repositories in memory and runs recorded, signed webhooks sent to one replica or
 * round-robin over the live ones. It keeps each lane's acknowledged deliveries in order,
 * the dispatches the stand-in saw, and finds which replica holds a delivery (its claim
 * in the database) so a test can kill exactly that one.
 */
import crypto from 'node:crypto';
import { WebhookSender, type MemoryRepoContent, type StandIn } from '../../demo/github/index.js';
import { sleep, startAppChild, type AppChild } from '../../bench/harness.js';
import { replicaEvidence, type LaneEntry, type ReplicaEvidence } from '../../bench/replica-evidence.js';
import { completeRun, dispatchOf, PREBUILD_WORKFLOW, startBenchGitHub, type Dispatch } from '../../bench/standin.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

const SECRET = 'replica-faults-webhook-secret';
const DEVCONTAINER = JSON.stringify({ image: 'mcr.microsoft.com/devcontainers/base:debian' });

/** Options of {@link ReplicaStack.start}. */
export interface ReplicaStackOptions {
  /** A `postgres://` URL of an empty database. */
  database: string;
  replicas: number;
  /** Repository names (one lane each: main, configuration `devcontainer`). */
  repos: string[];
  /** Delivery lease, ms (how soon a killed replica's deliveries are taken over). */
  leaseMs: number;
  /** Complete every dispatched run this long after its dispatch (ms), as the action would; null: the test completes runs. */
  autoCompleteMs: number | null;
}

/** A running stack; see the file comment. */
export class ReplicaStack {
  static readonly OWNER = 'faults';
  /** Each lane's acknowledged deliveries, in acknowledgement order. */
  readonly lanes = new Map<string, LaneEntry[]>();
  /** Every dispatch the stand-in answered, in order. */
  readonly dispatches: Dispatch[] = [];
  private readonly dead = new Set<AppChild>();
  private readonly senders = new Map<AppChild, WebhookSender>();
  private readonly chains = new Map<string, Promise<void>>();
  private pendingCompletions = 0;
  private turn = 0;

  private constructor(
    readonly github: StandIn,
    readonly store: Store,
    readonly apps: AppChild[],
    private readonly repos: Map<string, { content: MemoryRepoContent }>,
    o: ReplicaStackOptions,
  ) {
    for (const repo of o.repos) this.lanes.set(repo, []);
    github.onDispatch((run) => {
      const d = dispatchOf(github, run);
      this.dispatches.push(d);
      if (o.autoCompleteMs === null) return;
      this.pendingCompletions++;
      setTimeout(() => void this.complete(d).finally(() => this.pendingCompletions--), o.autoCompleteMs);
    });
  }

  /** Starts the stand-in and the replicas (Probot's rate-limit handling on), and opens the database. */
  static async start(o: ReplicaStackOptions): Promise<ReplicaStack> {
    const { github, privateKey, repos } = await startBenchGitHub({ owner: ReplicaStack.OWNER, webhookSecret: SECRET, names: o.repos });
    const apps: AppChild[] = [];
    try {
      const env = {
        BENCH_PRIVATE_KEY: privateKey,
        BENCH_WEBHOOK_SECRET: SECRET,
        BENCH_GITHUB_URL: github.apiUrl,
        BENCH_DATABASE: o.database,
        BENCH_LEASE_MS: String(o.leaseMs),
        BENCH_LOG_LEVEL: process.env.DEBUG_REPLICAS ? 'error' : 'fatal',
        BENCH_RATE_LIMITS: '1',
      };
      for (let i = 0; i < o.replicas; i++) apps.push(await startAppChild(env));
      return new ReplicaStack(github, await openStore(o.database), apps, repos, o);
    } catch (error) {
      await Promise.all(apps.map((a) => a.kill()));
      await github.stop();
      throw error;
    }
  }

  /** The replicas still running. */
  alive(): AppChild[] {
    return this.apps.filter((a) => !this.dead.has(a) && !a.exited());
  }

  /** Commits a change of `src/a.ts` on main of `repo` (in memory) and returns its sha. */
  commit(repo: string, note = crypto.randomUUID()): string {
    return this.repos.get(repo)!.content.commit({
      files: { '.devcontainer/devcontainer.json': DEVCONTAINER, '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW, 'src/a.ts': `// ${note}\n` },
      message: note,
    });
  }

  /**
   * Commits and sends the `push` webhook to `to` (default: the next live replica); the
   * push joins its lane once acknowledged.
   * @returns the pushed sha and the delivery id
   */
  async push(repo: string, to?: AppChild): Promise<{ sha: string; id: string }> {
    const sha = this.commit(repo);
    const payload = await this.github.pushPayload(repo, { branch: 'main' });
    const id = crypto.randomUUID();
    await this.send(repo, 'push', payload, { type: 'push', sha }, id, to);
    return { sha, id };
  }

  /**
   * Finishes a dispatched run as the action would (snapshot saved, result annotation)
   * and sends `workflow_run` completed.
   * @returns the delivery id
   */
  async complete(d: Dispatch, to?: AppChild): Promise<string> {
    const payload = await completeRun(this.github, d);
    const id = crypto.randomUUID();
    await this.send(d.repo, 'workflow_run', payload, { type: 'complete', sha: d.sha }, id, to);
    return id;
  }

  /**
   * Sends a delivery of `repo` after the lane's earlier ones were acknowledged, to `to` or
   * round-robin, again to another live replica when the chosen one dies under it (a load
   * balancer's retry); records `entry` (when given) in the lane once acknowledged.
   */
  send(repo: string, event: string, payload: object, entry: LaneEntry | null, id: string, to?: AppChild): Promise<void> {
    const next = (this.chains.get(repo) ?? Promise.resolve()).then(async () => {
      for (let attempt = 0; ; attempt++) {
        const live = this.alive();
        const app = to && attempt === 0 ? to : live[this.turn++ % live.length]!;
        let sender = this.senders.get(app);
        if (!sender) {
          sender = new WebhookSender(SECRET, 1, 600_000);
          sender.url = app.webhookUrl;
          this.senders.set(app, sender);
        }
        const d = await sender.send(event, payload, { id, queue: crypto.randomUUID() });
        if (d.status !== null && d.status >= 200 && d.status < 300) break;
        if (attempt >= 100) throw new Error(`webhook ${event} answered ${d.status ?? d.error}`);
        await sleep(50);
      }
      if (entry) this.lanes.get(repo)!.push(entry);
    });
    this.chains.set(
      repo,
      next.catch(() => undefined),
    );
    return next;
  }

  /** The live replica whose claim holds delivery `id` right now (the claim names host:pid:random), or null. */
  async holderOf(id: string): Promise<AppChild | null> {
    const claimedBy = (await this.store.deliveryStatus(id))?.claimedBy;
    const pid = claimedBy?.split(':')[1];
    return this.alive().find((a) => String(a.pid) === pid) ?? null;
  }

  /** Kills a replica with SIGKILL (no cleanup: its claims and locks are left behind). */
  async kill(app: AppChild): Promise<void> {
    this.dead.add(app);
    await app.kill();
  }

  /** Waits until `test` holds, polling every 20 ms. @throws after `ms` */
  async until(what: string, test: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  /** Waits until every delivery was acknowledged and processed (retries and lease take-overs included), every automatic completion sent, and the dispatch log stopped growing. */
  async settle(): Promise<void> {
    for (let stable = 0; stable < 2;) {
      await this.until('the automatic completions', () => this.pendingCompletions === 0, 120_000);
      const count = this.dispatches.length;
      await Promise.all(this.chains.values());
      // Deliveries waiting for a retry (backoff, retry-after) or held by a dead replica's lease are not idle work of anyone.
      await this.until('every delivery processed', async () => (await this.store.pendingDeliveries(1)).length === 0, 120_000);
      await Promise.all(this.alive().map((a) => a.idle()));
      stable = this.pendingCompletions === 0 && this.dispatches.length === count ? stable + 1 : 0;
    }
    const crashed = this.apps.filter((a) => a.exited() && !this.dead.has(a)).length;
    if (crashed) throw new Error(`${crashed} replica(s) crashed`);
  }

  /** The evidence (bench/replica-evidence.ts) over every lane. */
  evidence(): Promise<ReplicaEvidence> {
    return replicaEvidence(this.store, ReplicaStack.OWNER, this.lanes, this.dispatches);
  }

  /** Stops the replicas and the stand-in, closes the database. */
  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.store.close();
    await this.github.stop();
  }
}
