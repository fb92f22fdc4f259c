/**
 * Load on several app replicas sharing one database (issue 11): signed `push`
 * webhooks at a fixed offered rate, spread round-robin over the live replicas (as a
 * load balancer behind one webhook URL does), runs completed by `workflow_run`
 * webhooks after a simulated run time, optionally one replica killed with SIGKILL in
 * the middle and some deliveries sent to two replicas at once. GitHub is the
 * stand-in (bench/standin.ts: repositories in memory, runs recorded, not run), whose
 * webhook sender signs every delivery; its dispatch log and the database are the
 * evidence. Used by `npm run bench -- --json replicas` and by test/e2e/replicas.test.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { openStore } from '../src/store/index.js';
import type { AckTimings } from './app-process.js';
import { percentile, sleep, startAppChild, type AppChild } from './harness.js';
import { replicaEvidence, type LaneEntry, type ReplicaEvidence } from './replica-evidence.js';
import { WebhookPoster } from './webhook-post.js';
import { completeRun, dispatchOf, PREBUILD_WORKFLOW, startBenchGitHub, type Dispatch } from './standin.js';

const SECRET = 'replicas-webhook-secret';
const OWNER = 'load';
const DEVCONTAINER = JSON.stringify({ image: 'mcr.microsoft.com/devcontainers/base:debian' });

/** Options of {@link replicaLoad}. Durations in ms unless named otherwise. */
export interface ReplicaLoadOptions {
  /** Where the store is: a `postgres://` URL or a SQLite file (then `replicas` must be 1). */
  database: string;
  replicas: number;
  /** Push webhooks offered per second. */
  ratePerSecond: number;
  /** For how long pushes are offered, seconds. */
  seconds: number;
  /** Repositories the pushes are spread over (one lane each). */
  repos: number;
  /** Mean simulated run time. Default 400. */
  runMs?: number;
  /** Kill (SIGKILL) a replica holding a delivery this long after the start; null: none. */
  killAtMs?: number | null;
  /** Every n-th push is also sent to a second replica at the same moment, with the same delivery id. 0: never. */
  duplicateEvery?: number;
  /** Delivery lease of the replicas (how soon a killed one's deliveries are taken over). Default 3000. */
  leaseMs?: number;
  /** Something done to the system this long after the start, while the load runs (e.g. restart the database). */
  disturb?: { atMs: number; action: () => Promise<void> };
  /** The PostgreSQL server's data directory (its `postmaster.pid`), to measure the server's CPU time; null or absent: not measured. */
  postgresDataDir?: string | null;
  /** The replicas' log level (their log goes to stderr). Default `error`. */
  appLogLevel?: 'fatal' | 'error';
  log: (message: string) => void;
}

/** What {@link replicaLoad} measured and found. */
export interface ReplicaLoadResult extends ReplicaEvidence {
  replicas: number;
  offeredPerSecond: number;
  /** Pushes processed per second, from the first push sent to the moment every replica was idle. */
  sustainedPerSecond: number;
  /** Webhook answer time, p99 (ms). */
  ackP99Ms: number;
  /** Webhook (the push, or the completion that freed its lane) → dispatch request, ms. */
  dispatchP50Ms: number;
  dispatchP99Ms: number;
  /**
   * Unprocessed deliveries (the backlog) when the offer stopped, and the most seen while it
   * ran (sampled every second): a setup keeps up when the backlog does not grow.
   */
  backlogAtEnd: number;
  backlogMax: number;
  /** Where the replicas' webhook answers went, the worst replica's p99 per part (ms; see {@link AckTimings}). */
  appLoopDelayP99Ms: number;
  appAnswerP99Ms: number;
  recordP99Ms: number;
  /** The load generator's own event-loop delay, p99 (ms): an answer it reads late is counted late. */
  loadLoopDelayP99Ms: number;
  /** CPU time (user + system) the replicas used per delivery they were sent (pushes and completions), ms; a killed replica's not counted. */
  appCpuMsPerDelivery: number;
  /** The load generator's own CPU time (user + system) per delivery it sent, ms. */
  loadCpuMsPerDelivery: number;
  /** The PostgreSQL server's CPU time (every backend, user + system) per delivery sent, ms; null when not measured. */
  postgresCpuMsPerDelivery: number | null;
  /**
   * Share of the machine's CPU time (all cores, /proc/stat) that was busy while the offer ran,
   * 0–1: the replicas, the database, the load generator and GitHub's stand-in share the cores,
   * so this is how close the whole setup was to saturation. Null where /proc/stat is missing.
   */
  machineCpuBusy: number | null;
  /** Webhook answer p99 per second of the offer (by the second the request was sent in), ms: whether the tail is a few seconds or the whole run. */
  ackP99BySecondMs: number[];
  /** The load generator's event-loop lateness, the most per second of the offer (a 10 ms timer's), ms. */
  loadLoopDelayBySecondMs: number[];
  /** Whether a replica was killed, how many deliveries it held then, and when (seconds after the offer started). */
  killed: { pid: number; holding: number; atSecond: number } | null;
}

/** Clock ticks per second of /proc's CPU times (Linux's USER_HZ, 100 on every architecture Node runs on). */
const CLOCK_TICKS = 100;

/**
 * CPU time (user + system, ms) of a PostgreSQL server so far: the postmaster's, its
 * exited backends' (reaped: cutime/cstime) and its live backends'. Linux only (/proc); null elsewhere.
 */
export function postgresCpuMs(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    // Fields after the command name (which may hold spaces): state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14].
    const fields = (p: number | string) => {
      const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ');
    };
    const own = fields(pid);
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const f = fields(entry);
        if (Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // exited meanwhile
      }
    }
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** The machine's CPU times so far, all cores (/proc/stat's `cpu` line, clock ticks): busy and in all; null off Linux. */
export function machineCpuTicks(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    // user nice system idle iowait irq softirq steal …: idle and iowait are the idle ones.
    const t = line.trim().split(/\s+/).slice(1).map(Number);
    const total = t.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - t[3]! - t[4]!, total };
  } catch {
    return null;
  }
}

/** The most of the samples per whole second of `at` (seconds from the start), ms, rounded. */
function maxBySecond(samples: Array<{ at: number; ms: number }>, seconds: number): number[] {
  const out: number[] = Array.from({ length: Math.max(1, Math.ceil(seconds)) }, () => 0);
  for (const s of samples) {
    const i = Math.min(out.length - 1, Math.max(0, Math.floor(s.at)));
    out[i] = Math.max(out[i]!, Math.round(s.ms));
  }
  return out;
}

/** p99 of the samples per whole second of `at` (seconds from the start), ms, rounded to 0.1; an empty second reads 0. */
function p99BySecond(samples: Array<{ at: number; ms: number }>, seconds: number): number[] {
  const buckets: number[][] = Array.from({ length: Math.max(1, Math.ceil(seconds)) }, () => []);
  for (const s of samples) buckets[Math.min(buckets.length - 1, Math.max(0, Math.floor(s.at)))]!.push(s.ms);
  return buckets.map((b) => (b.length ? Math.round(percentile(b, 99) * 10) / 10 : 0));
}

/**
 * Runs the load once (see the file comment) and stops what it started; the database
 * is left for the caller.
 * @throws when a replica cannot start
 */
export async function replicaLoad(o: ReplicaLoadOptions): Promise<ReplicaLoadResult> {
  const runMs = o.runMs ?? 400;
  const repoName = (i: number) => `repo-${String(i).padStart(3, '0')}`;
  type Entry = LaneEntry;
  const logs: Entry[][] = Array.from({ length: o.repos }, () => []);
  const chains: Promise<void>[] = Array.from({ length: o.repos }, () => Promise.resolve());
  const sentAt = new Map<string, number>(); // owner/repo@sha → push sent; owner/repo → last completion sent
  const dispatches: Dispatch[] = [];
  const latencies: number[] = [];
  const acks: number[] = [];
  /** Each answer: when its request was sent (seconds after the offer started) and how long it took (ms). */
  const ackSamples: Array<{ at: number; ms: number }> = [];
  let offerStarted = 0;
  let pendingCompletions = 0;
  let turn = 0;
  const apps: AppChild[] = [];
  const alive = () => apps.filter((a) => !dead.has(a) && !a.exited());
  const dead = new Set<AppChild>();
  /** One signed delivery to one replica (a load balancer's backend); no timeout: a killed replica fails the request. */
  const poster = new WebhookPoster(SECRET);
  const deliver = async (app: AppChild, event: string, payload: object, id: string) => {
    const status = await poster.post(app.webhookUrl, event, id, payload);
    if (status < 200 || status >= 300) throw new Error(`webhook ${event} answered ${status}`);
  };

  /** One delivery, to the next live replica (round-robin); sent again to another when its replica dies under it. */
  const post = async (event: string, payload: object, id: string, also = false): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const live = alive();
      const targets = also && live.length > 1 ? [live[turn++ % live.length]!, live[turn++ % live.length]!] : [live[turn++ % live.length]!];
      const t0 = performance.now();
      try {
        await Promise.all(targets.map((app) => deliver(app, event, payload, id)));
        const ms = performance.now() - t0;
        acks.push(ms);
        ackSamples.push({ at: (t0 - offerStarted) / 1000, ms });
        return;
      } catch (error) {
        if (attempt >= 200) throw error;
        await sleep(50); // the load balancer notices the dead replica and retries elsewhere
      }
    }
  };
  const send = (lane: number, event: string, payload: object, entry: Entry, also = false): Promise<void> => {
    const next = chains[lane]!.then(async () => {
      if (entry.type === 'push') sentAt.set(`${OWNER}/${repoName(lane)}@${entry.sha}`, performance.now());
      else sentAt.set(`${OWNER}/${repoName(lane)}`, performance.now());
      await post(event, payload, crypto.randomUUID(), also);
      logs[lane]!.push(entry);
    });
    chains[lane] = next.catch((error) => o.log(`  delivery failed for good: ${(error as Error).message}`));
    return chains[lane]!;
  };

  const { github, privateKey, repos } = await startBenchGitHub({
    owner: OWNER,
    webhookSecret: SECRET,
    names: Array.from({ length: o.repos }, (_, lane) => repoName(lane)),
  });
  github.onDispatch((run) => {
    const d = dispatchOf(github, run);
    dispatches.push(d);
    const cause = Math.max(sentAt.get(`${d.owner}/${d.repo}@${d.sha}`) ?? 0, sentAt.get(`${d.owner}/${d.repo}`) ?? 0);
    latencies.push(d.at - cause);
    pendingCompletions++;
    const lane = Number(d.repo.slice('repo-'.length));
    setTimeout(
      () => {
        void completeRun(github, d)
          .then((payload) => send(lane, 'workflow_run', payload, { type: 'complete', sha: d.sha }))
          .finally(() => pendingCompletions--);
      },
      runMs * (0.5 + Math.random()),
    );
  });
  let killed: ReplicaLoadResult['killed'] = null;
  try {
    const env = {
      BENCH_PRIVATE_KEY: privateKey,
      BENCH_WEBHOOK_SECRET: SECRET,
      BENCH_GITHUB_URL: github.apiUrl,
      BENCH_DATABASE: o.database,
      BENCH_LEASE_MS: String(o.leaseMs ?? 3000),
      BENCH_LOG_LEVEL: o.appLogLevel ?? 'error',
    };
    for (let i = 0; i < o.replicas; i++) apps.push(await startAppChild(env));
    const store = await openStore(o.database);
    try {
      const total = Math.round(o.ratePerSecond * o.seconds);
      o.log(`  ${o.replicas} replica(s), ${o.ratePerSecond} pushes/s for ${o.seconds} s over ${o.repos} repositories`);
      const started = performance.now();
      offerStarted = started;
      const ownCpu = process.cpuUsage();
      const pgCpuBefore = o.postgresDataDir ? postgresCpuMs(o.postgresDataDir) : null;
      const machineBefore = machineCpuTicks();
      const ownLoop = monitorEventLoopDelay({ resolution: 10 });
      ownLoop.enable();
      const lateness: Array<{ at: number; ms: number }> = [];
      let expected = performance.now() + 10;
      const lateTimer = setInterval(() => {
        const now = performance.now();
        lateness.push({ at: (now - started) / 1000, ms: Math.max(0, now - expected) });
        expected = now + 10;
      }, 10);
      const backlog: number[] = [];
      const sampler = setInterval(() => {
        void store.countPendingDeliveries().then(
          (n) => backlog.push(n),
          () => undefined,
        );
      }, 1000);
      let offered = 0;
      let killTimer: Promise<void> = Promise.resolve();
      if (o.killAtMs != null && o.replicas > 1) {
        killTimer = sleep(o.killAtMs).then(async () => {
          // The victim: a replica holding a claimed delivery right now (its id is host:pid:random), found with one
          // query (counting the claims per replica), so the search does not load the load generator itself.
          const db = new pg.Client({ connectionString: o.database });
          await db.connect();
          try {
            for (let i = 0; i < 200 && !killed; i++) {
              const held = await db.query<{ by: string; n: string }>(
                'SELECT claimed_by AS by, count(*) AS n FROM deliveries WHERE processed_at IS NULL AND claimed_by IS NOT NULL AND repository IS NOT NULL GROUP BY claimed_by',
              );
              for (const app of alive()) {
                const holding = held.rows.filter((r) => r.by.split(':')[1] === String(app.pid)).reduce((n, r) => n + Number(r.n), 0);
                if (holding > 0) {
                  await app.kill();
                  dead.add(app);
                  killed = { pid: app.pid, holding, atSecond: Math.round((performance.now() - started) / 100) / 10 };
                  o.log(`  killed replica ${app.pid} (SIGKILL) holding ${holding} deliveries`);
                  break;
                }
              }
              if (!killed) await sleep(5);
            }
          } finally {
            await db.end();
          }
        });
      }
      while (offered < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * o.ratePerSecond) + 1);
        for (; offered < due; offered++) {
          const lane = offered % o.repos;
          const repo = repos.get(repoName(lane))!;
          // One commit on main changing src/a.ts, pushed: the stand-in's own push payload (its head remembered for the next).
          const sha = repo.content.commit({
            files: { '.devcontainer/devcontainer.json': DEVCONTAINER, '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW, 'src/a.ts': `// push ${offered}\n` },
            message: `push ${offered}`,
          });
          const payload = await github.pushPayload(repo.name, { branch: 'main' });
          void send(lane, 'push', payload, { type: 'push', sha }, !!o.duplicateEvery && offered % o.duplicateEvery === 0);
        }
        await sleep(2);
      }
      clearInterval(sampler);
      clearInterval(lateTimer);
      const machineAfter = machineCpuTicks();
      const backlogAtEnd = await store.countPendingDeliveries();
      ownLoop.disable();
      const disturbed = o.disturb ? sleep(o.disturb.atMs).then(o.disturb.action) : Promise.resolve();
      await killTimer;
      await disturbed;
      await Promise.all(chains);
      for (let stable = 0; stable < 2;) {
        while (pendingCompletions > 0) await sleep(20);
        const count = dispatches.length;
        await Promise.all(alive().map((a) => a.idle()));
        await Promise.all(chains);
        stable = pendingCompletions === 0 && dispatches.length === count ? stable + 1 : 0;
      }
      const seconds = (performance.now() - started) / 1000;
      const loadCpu = process.cpuUsage(ownCpu);
      const pgCpuAfter = o.postgresDataDir ? postgresCpuMs(o.postgresDataDir) : null;
      const cpuMs = (await Promise.all(alive().map((a) => a.cpuMs()))).reduce((a, b) => a + b, 0);
      const timings: AckTimings[] = await Promise.all(alive().map((a) => a.ackTimings()));
      const worst = (part: keyof AckTimings) => Math.max(0, ...timings.map((t) => t[part].p99));
      const crashed = apps.filter((a) => a.exited() && !dead.has(a)).length;
      if (crashed) throw new Error(`${crashed} replica(s) crashed under the load`);

      // The evidence: the fake's dispatch log against the reference model, and the database.
      const evidence = await replicaEvidence(store, OWNER, new Map(logs.map((entries, lane) => [repoName(lane), entries])), dispatches);
      const round = (n: number) => Math.round(n * 10) / 10;
      const sent = Math.max(
        1,
        logs.reduce((n, entries) => n + entries.length, 0),
      );
      return {
        replicas: o.replicas,
        offeredPerSecond: o.ratePerSecond,
        sustainedPerSecond: round(evidence.pushes / seconds),
        ackP99Ms: round(percentile(acks, 99)),
        dispatchP50Ms: round(percentile(latencies, 50)),
        dispatchP99Ms: round(percentile(latencies, 99)),
        ...evidence,
        backlogAtEnd,
        backlogMax: Math.max(backlogAtEnd, ...backlog),
        appLoopDelayP99Ms: worst('loopDelay'),
        appAnswerP99Ms: worst('answer'),
        recordP99Ms: worst('record'),
        loadLoopDelayP99Ms: round(ownLoop.percentile(99) / 1e6),
        appCpuMsPerDelivery: round(cpuMs / sent),
        loadCpuMsPerDelivery: round((loadCpu.user + loadCpu.system) / 1000 / sent),
        postgresCpuMsPerDelivery: pgCpuBefore !== null && pgCpuAfter !== null ? round((pgCpuAfter - pgCpuBefore) / sent) : null,
        machineCpuBusy:
          machineBefore && machineAfter && machineAfter.total > machineBefore.total
            ? Math.round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100) / 100
            : null,
        ackP99BySecondMs: p99BySecond(ackSamples, o.seconds),
        loadLoopDelayBySecondMs: maxBySecond(lateness, o.seconds),
        killed,
      };
    } finally {
      await store.close();
    }
  } finally {
    poster.close();
    await Promise.all(apps.map((a) => a.stop()));
    await github.stop();
  }
}
