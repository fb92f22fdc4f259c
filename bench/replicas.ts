/**
 * Replicas benchmark (issue 11): the app as 1 and then 3 replicas on one real
 * PostgreSQL server (started from Debian's `postgresql` package, test/helpers/postgres.ts),
 * and the single-process SQLite app for comparison, each under the same offered load of
 * signed push webhooks spread round-robin (bench/replica-load.ts). In the 3-replica run
 * one replica holding deliveries is killed with SIGKILL in the middle.
 *
 * Each setup runs at the offered rate (`--rate`, 200/s: the webhook answer target;
 * `sustainedPerSecond` is the rate it got through, offer and drain), then below its
 * saturation, where the dispatch latency is the app's own and not a growing backlog's:
 * first at 80 % of the rate it processed deliveries at while the offer ran (or 70 % of
 * the offered rate when it kept up), then stepping down by 30 % while processing still
 * falls behind (at most `--below-tries`, default 5 runs). Processing keeps up when the
 * deliveries still unprocessed as the offer stops are at most one second's arrivals,
 * at no moment of the run more than two seconds' arrivals, and the setup got through
 * 90 % of the offer, and the machine's cores were not all busy (at most
 * {@link BELOW_CPU_BUSY} of their time while the offer ran: the replicas, PostgreSQL, the
 * load generator and GitHub's stand-in share this machine's cores, and a run that keeps
 * them all busy is at saturation even when its backlog does not yet grow; see
 * {@link keptUp}); every step is listed in `setups` with `machineCpuBusy`, the one that
 * kept up (or the last tried) named "below saturation".
 *
 * Top-level metrics are the 3-replica run's at the offered rate (`replicas`,
 * `offeredPerSecond`, `sustainedPerSecond`, `ackP99Ms`, `dispatchP50Ms`,
 * `dispatchP99Ms`, `lost`, `doubled`, `dispatched`, `minimum`), the same keys prefixed
 * `belowSaturation` (`belowSaturationDispatchP99Ms` …) for its run below saturation; `setups` lists every run with the same keys,
 * plus whether processing kept up (`keptUp`, `backlogAtEnd`, `backlogMax`), where the
 * webhook answer's time went (`appLoopDelayP99Ms`: the replicas' event-loop delay;
 * `appAnswerP99Ms`: request → answer inside the app; `recordP99Ms`: the inbox insert and
 * its commit; `loadLoopDelayP99Ms`: the load generator's own event-loop delay) and the
 * app's CPU time per delivery (`appCpuMsPerDelivery`, all replicas, ms).
 *
 * Flags: `--rate N` (pushes/s, default 200) `--seconds S` (default 60) `--repos R`
 * (default 100) `--run-ms MS` (default 400) `--lease-ms MS` (default 3000) `--max`
 * (also find the highest rate each setup sustains, in `--max-seconds` (default 10) steps
 * of ×1.5 until a setup falls behind or answers webhooks slower than 200 ms p99)
 * `--setups sqlite,postgres1,postgres3` (which setups run, default all three; A/B runs of
 * one setup) `--below-tries N` (0: no runs below saturation) `--pg-statements` (the
 * server loads pg_stat_statements; after each PostgreSQL run the statements that took
 * the server's time are logged to stderr). The top-level keys are the
 * 3-replica run's when it ran, else the last setup's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pgClient from 'pg';
import { startPostgres } from '../test/helpers/postgres.js';
import { replicaLoad, type ReplicaLoadResult } from './replica-load.js';
import { flag, type BenchContext, type BenchResult } from './types.js';

const KEYS = [
  'replicas',
  'offeredPerSecond',
  'sustainedPerSecond',
  'ackP99Ms',
  'dispatchP50Ms',
  'dispatchP99Ms',
  'lost',
  'doubled',
  'dispatched',
  'minimum',
] as const;

/** The first rate below saturation, as a share of the rate deliveries were processed at while the offer ran. */
const BELOW_PROCESSED = 0.8;

/** Each further step below saturation, as a share of the previous step's rate (and the first when the offer was kept up). */
const STEP_DOWN = 0.7;

/**
 * The most of the machine's CPU time (all cores) a run below saturation may keep busy while
 * its offer runs: 90 %. Above it every core is taken (the replicas, the database, the load
 * generator and the stand-in share them), and latency is the queue's, not the app's.
 */
export const BELOW_CPU_BUSY = 0.9;

/**
 * Whether processing kept up with a run's offer, below saturation: the machine's cores were
 * not all busy ({@link BELOW_CPU_BUSY}; not measured off Linux), the backlog did not grow (what was
 * still unprocessed when the offer stopped is at most one second's arrivals, and at no
 * sample during the run more than two seconds' arrivals: a rate whose bursts pile up
 * several seconds of work is not below saturation), and the run got through at least
 * 90 % of the offer (the rate counts the last runs' completion after the offer stopped,
 * a second or so).
 */
export const keptUp = (r: Pick<ReplicaLoadResult, 'backlogAtEnd' | 'backlogMax' | 'offeredPerSecond' | 'sustainedPerSecond' | 'machineCpuBusy'>) =>
  (r.machineCpuBusy === null || r.machineCpuBusy <= BELOW_CPU_BUSY) &&
  r.backlogAtEnd <= Math.max(1, r.offeredPerSecond) &&
  r.backlogMax <= Math.max(2, 2 * r.offeredPerSecond) &&
  r.sustainedPerSecond >= 0.9 * r.offeredPerSecond;

/** Deliveries processed per second while the offer ran: the offer minus the backlog it left. */
const processedPerSecond = (r: ReplicaLoadResult, seconds: number) => Math.max(1, r.offeredPerSecond - r.backlogAtEnd / seconds);

/** Logs the statements that took the PostgreSQL server's time since the last call (pg_stat_statements), then resets them. */
async function logStatements(url: string, log: (message: string) => void): Promise<void> {
  const db = new pgClient.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const top = await db.query<{ calls: string; total: number; mean: number; rows: string; query: string }>(
      `SELECT calls, round(total_exec_time::numeric, 1)::float AS total, round(mean_exec_time::numeric, 3)::float AS mean, rows,
              regexp_replace(left(query, 160), '\\s+', ' ', 'g') AS query
       FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25`,
    );
    log('  PostgreSQL statements by total time (ms): calls, total, mean, rows, statement');
    for (const r of top.rows) log(`    ${r.calls}\t${r.total}\t${r.mean}\t${r.rows}\t${r.query}`);
    await db.query('SELECT pg_stat_statements_reset()');
  } finally {
    await db.end();
  }
}

/** Runs the benchmark (see the file comment). */
export async function run({ argv, log }: BenchContext): Promise<BenchResult> {
  const rate = flag(argv, 'rate', 200);
  const seconds = flag(argv, 'seconds', 60);
  const repos = flag(argv, 'repos', 100);
  const runMs = flag(argv, 'run-ms', 400);
  const leaseMs = flag(argv, 'lease-ms', 3000);
  const maxSeconds = flag(argv, 'max-seconds', 10);
  const belowTries = flag(argv, 'below-tries', 5);
  const setupsAt = argv.indexOf('--setups');
  const chosen = setupsAt >= 0 ? (argv[setupsAt + 1] ?? '').split(',') : ['sqlite', 'postgres1', 'postgres3'];
  const unknown = chosen.filter((c) => !['sqlite', 'postgres1', 'postgres3'].includes(c));
  if (unknown.length || chosen.length === 0) throw new Error(`--setups takes sqlite, postgres1, postgres3 (comma-separated), not ${JSON.stringify(unknown)}`);
  const statements = argv.includes('--pg-statements');
  const pg = await startPostgres(statements ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : {});
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-bench-replicas-'));
  let n = 0;
  const database = async (kind: 'sqlite' | 'postgres') => (kind === 'sqlite' ? path.join(tmp, `db-${++n}.sqlite`) : pg.createDatabase(`bench_${++n}`));
  const setups: Array<{ name: string; result: ReplicaLoadResult }> = [];
  try {
    const once = async (name: string, kind: 'sqlite' | 'postgres', replicas: number, r: number, s: number, kill: boolean) => {
      log(`replicas: ${name} at ${r}/s`);
      if (statements && kind === 'postgres') await logStatements(pg.url, () => undefined);
      const result = await replicaLoad({
        database: await database(kind),
        replicas,
        ratePerSecond: r,
        seconds: s,
        repos,
        runMs,
        leaseMs,
        killAtMs: kill ? (s * 1000) / 2 : null,
        postgresDataDir: kind === 'postgres' ? pg.dataDir : null,
        log,
      });
      log(`  → ${JSON.stringify(result)}`);
      if (statements && kind === 'postgres') await logStatements(pg.url, log);
      return result;
    };
    // Each setup at the offered rate (200/s), then below its saturation, stepping down until processing keeps up.
    const plan = (
      [
        ['sqlite', 'sqlite, 1 process', 'sqlite', 1, false],
        ['postgres1', 'postgres, 1 replica', 'postgres', 1, false],
        ['postgres3', 'postgres, 3 replicas, one killed', 'postgres', 3, true],
      ] as const
    ).filter(([key]) => chosen.includes(key));
    for (const [, name, kind, replicas, kill] of plan) {
      const loaded = await once(name, kind, replicas, rate, seconds, kill);
      setups.push({ name, result: loaded });
      if (belowTries <= 0) continue;
      let r = Math.floor(keptUp(loaded) ? STEP_DOWN * rate : BELOW_PROCESSED * processedPerSecond(loaded, seconds));
      for (let tries = 1; ; tries++) {
        const below = await once(`${name}, below saturation`, kind, replicas, Math.max(1, r), seconds, kill);
        const done = keptUp(below) || tries >= belowTries || r <= 1;
        setups.push({ name: done ? `${name}, below saturation` : `${name}, stepping down (fell behind)`, result: below });
        if (done) break;
        r = Math.floor(STEP_DOWN * r);
      }
    }
    if (argv.includes('--max')) {
      for (const [name, kind, replicas] of [
        ['sqlite max', 'sqlite', 1],
        ['postgres ×1 max', 'postgres', 1],
        ['postgres ×3 max', 'postgres', 3],
      ] as const) {
        let best: ReplicaLoadResult | null = null;
        for (let r: number = rate; ; r = Math.round(r * 1.5)) {
          const result = await once(name, kind, replicas, r, maxSeconds, false);
          if (result.sustainedPerSecond < 0.95 * r || result.ackP99Ms > 200 || result.lost > 0) break;
          best = result;
        }
        if (best) setups.push({ name: `${name} (highest sustained)`, result: best });
      }
    }
  } finally {
    pg.destroy();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const flat = (r: ReplicaLoadResult) => Object.fromEntries(KEYS.map((k) => [k, r[k]]));
  // The 3-replica run's keys when it ran (`--setups`), else the last setup's at the offered rate.
  const offeredRuns = setups.filter((s) => !s.name.includes('below saturation') && !s.name.includes('stepping down') && !s.name.includes('max'));
  const main = (setups.find((s) => s.name === 'postgres, 3 replicas, one killed') ?? offeredRuns.at(-1))?.result;
  const mainName = setups.find((s) => s.result === main)?.name;
  const below = setups.find((s) => s.name === `${mainName}, below saturation`)?.result;
  const metrics = {
    ...(main ? flat(main) : {}),
    // Below saturation: the same keys, prefixed (`belowSaturationDispatchP99Ms` …).
    ...(below ? Object.fromEntries(Object.entries(flat(below)).map(([k, v]) => [`belowSaturation${k[0]!.toUpperCase()}${k.slice(1)}`, v])) : {}),
    setups: setups.map((s) => ({
      setup: s.name,
      ...flat(s.result),
      keptUp: keptUp(s.result),
      machineCpuBusy: s.result.machineCpuBusy,
      backlogAtEnd: s.result.backlogAtEnd,
      backlogMax: s.result.backlogMax,
      appLoopDelayP99Ms: s.result.appLoopDelayP99Ms,
      appAnswerP99Ms: s.result.appAnswerP99Ms,
      recordP99Ms: s.result.recordP99Ms,
      loadLoopDelayP99Ms: s.result.loadLoopDelayP99Ms,
      appCpuMsPerDelivery: s.result.appCpuMsPerDelivery,
      postgresCpuMsPerDelivery: s.result.postgresCpuMsPerDelivery,
      loadCpuMsPerDelivery: s.result.loadCpuMsPerDelivery,
      killedHolding: s.result.killed?.holding ?? null,
      killedAtSecond: s.result.killed?.atSecond ?? null,
      // Per second of the offer, so a tail around the kill shows apart from one over the whole run.
      ackP99BySecondMs: s.result.ackP99BySecondMs.join(' '),
    })),
  };
  const rows = setups.flatMap(({ name, result: r }) => [
    { metric: `${name}: sustained pushes/s`, value: r.sustainedPerSecond, target: `= offered (${r.offeredPerSecond})` },
    {
      metric: `${name}: webhook answer p99 (ms)`,
      value: r.ackP99Ms,
      target: '< 200',
      note: `in the app ${r.appAnswerP99Ms}, inbox insert ${r.recordP99Ms}, event-loop delay ${r.appLoopDelayP99Ms} (load generator's ${r.loadLoopDelayP99Ms})`,
    },
    {
      metric: `${name}: backlog when the offer stopped`,
      value: r.backlogAtEnd,
      target: `≤ ${r.offeredPerSecond} (one second's arrivals)`,
      note: `most seen ${r.backlogMax}`,
    },
    {
      metric: `${name}: webhook → dispatch p50 / p99 (ms)`,
      value: `${r.dispatchP50Ms} / ${r.dispatchP99Ms}`,
      target: name.endsWith('below saturation') ? 'p99 < 1000' : '',
      note: `app CPU ${r.appCpuMsPerDelivery} ms per delivery; the machine's cores ${r.machineCpuBusy === null ? 'not measured' : `${Math.round(r.machineCpuBusy * 100)} % busy`}`,
    },
    { metric: `${name}: runs dispatched`, value: r.dispatched, target: `= minimum (${r.minimum})`, note: `${r.mismatches} differ from the reference model` },
    {
      metric: `${name}: lost / doubled`,
      value: `${r.lost} / ${r.doubled}`,
      target: '0 / 0',
      note: r.killed ? `replica ${r.killed.pid} killed holding ${r.killed.holding} deliveries` : '',
    },
  ]);
  return { metrics, rows };
}
