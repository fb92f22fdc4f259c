/**
 * Scheduler benchmark: pushes offered at fixed rates (default 30, 100, 200 and 400
 * pushes/s, 10 s each) over L repositories (default 100, one `devcontainer`
 * configuration each, no prebuilds.yml), through the real HTTP server
 * (`startAppServer` in a child process, signed webhooks to 127.0.0.1), with GitHub
 * answered by the stand-in (demo/github: repositories in memory, runs recorded, not
 * run) and runs completed by `workflow_run` completed webhooks sent back after a
 * simulated run time (bench/scheduler-load.ts). Each completed run first reports its
 * result to the app as the action does (`POST /api/prebuilds/{id}/result` with a job
 * token of the stand-in's OIDC issuer, through action/src/report-result.ts), so the
 * app's completion makes no jobs request; `--no-result-report` leaves that out (the
 * jobs listing then reads each result). Request counts come from the stand-in's
 * exchange log (bench/github-counts.ts).
 *
 * Measures, per rate, webhook → dispatch p50/p99 (from the push's scheduled time, or
 * the completion that freed the lane) and whether the rate was sustained; runs
 * dispatched vs the minimum SPEC.md rules 2/3 allow (the reference model replayed over
 * the deliveries the app recorded, in its order); runs dispatched twice; GitHub API
 * requests per push (all, dispatched, superseded); the app's peak RSS; CPU per push of
 * the app (its child process) and of this process (the sender and the stand-in, which
 * share the cores with the app). `BENCH_APP_CPU_PROF=DIR` writes the app's V8 CPU
 * profile to DIR (bench/harness.ts; `node scripts/cpuprofile-summary.mjs FILE`).
 *
 * Flags: `--rates R1,R2…` `--seconds S` (per rate) `--lanes L` `--run-ms MS` (mean
 * simulated run, default 400) `--change-rate R` (share of pushes changing
 * devcontainer.json, default 0.03) `--small` (CI size: rates 30,100 for 2 s over 10
 * repositories) `--github-rate-limits` `--ordered-delivery-ids` `--no-result-report` `--keep DIR` (keeps the
 * app's store and the sends, by delivery id, in DIR for a post-mortem).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ReferenceModel } from '../test/scheduler/reference-model.js';
import { countExchanges, type RequestKind } from './github-counts.js';
import { percentile, startAppChild } from './harness.js';
import { offerLoad, repoName, type LoadResult, type SentEntry } from './scheduler-load.js';
import { startBenchGitHub } from './standin.js';
import { flag, type BenchContext, type BenchResult } from './types.js';

const SECRET = 'bench-webhook-secret';
const OWNER = 'bench';
/** A rate counts as sustained when pushes were acknowledged at ≥ 95 % of it and p99 stayed within this, ms. */
const SUSTAINED_P99_MS = 1000;

const round1 = (n: number) => Math.round(n * 10) / 10;
const per = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 100) / 100);

/** Runs the benchmark (see the file comment). */
export async function run({ argv, log }: BenchContext): Promise<BenchResult> {
  const small = argv.includes('--small');
  const rates = flag(argv, 'rates', small ? '30,100' : '30,100,200,400')
    .split(',')
    .map(Number)
    .filter((r) => Number.isFinite(r) && r > 0);
  if (rates.length === 0) throw new Error('--rates must list pushes per second, e.g. 30,100,200');
  const seconds = flag(argv, 'seconds', small ? 2 : 10);
  const lanes = flag(argv, 'lanes', small ? 10 : 100);
  const runMs = flag(argv, 'run-ms', 400);
  const changeRate = flag(argv, 'change-rate', 0.03);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-bench-'));
  const database = path.join(tmp, 'bench.sqlite');

  const bench = await startBenchGitHub({
    owner: OWNER,
    webhookSecret: SECRET,
    names: Array.from({ length: lanes }, (_, lane) => repoName(lane)),
    oidc: true,
  });
  const { github, privateKey } = bench;
  let app: Awaited<ReturnType<typeof startAppChild>> | undefined;
  try {
    app = await startAppChild({
      BENCH_PRIVATE_KEY: privateKey,
      BENCH_WEBHOOK_SECRET: SECRET,
      BENCH_GITHUB_URL: github.apiUrl,
      BENCH_DATABASE: database,
      BENCH_RATE_LIMITS: argv.includes('--github-rate-limits') ? '1' : '0',
      BENCH_OIDC_ISSUER: bench.issuer!.url,
    });
    github.setWebhookUrl(app.webhookUrl);
    log(`  rates ${rates.join(', ')} pushes/s, ${seconds} s each, ${lanes} repositories (1 configuration each), runs ~${runMs} ms`);
    const load = await offerLoad(bench, app, {
      owner: OWNER,
      lanes,
      rates,
      seconds,
      runMs,
      changeRate,
      orderedIds: argv.includes('--ordered-delivery-ids'),
      reportTo: argv.includes('--no-result-report') ? undefined : app.url,
      log,
    });
    const peakRssMb = await app.peakRssMb();
    await app.stop();
    const keep = flag(argv, 'keep', '');
    if (keep) {
      // For a post-mortem: the app's store, what was sent (by delivery id) and what was dispatched.
      fs.mkdirSync(keep, { recursive: true });
      fs.copyFileSync(database, path.join(keep, 'bench.sqlite'));
      fs.writeFileSync(path.join(keep, 'sent.json'), JSON.stringify({ sent: [...load.sent], failed: [...load.failed], dispatched: load.dispatched }));
    }
    return summarise(load, recordedOrder(database), countExchanges(github), peakRssMb, lanes);
  } finally {
    await app?.stop();
    await github.stop();
    await bench.issuer?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The delivery ids the app recorded, in the order it recorded them (its inbox, read after it stopped). */
function recordedOrder(database: string): string[] {
  const db = new Database(database, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM deliveries ORDER BY seq').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    db.close();
  }
}

/** The metrics and the table from what the load observed, the app recorded and the stand-in served. */
function summarise(load: LoadResult, recorded: string[], counts: ReturnType<typeof countExchanges>, peakRssMb: number, lanes: number): BenchResult {
  // The minimum the rules allow: the reference model over the deliveries the app recorded, in its order.
  const model = new ReferenceModel();
  const entries: SentEntry[] = [];
  for (const id of recorded) {
    const e = load.sent.get(id);
    if (!e) continue;
    entries.push(e);
    if (e.type === 'push') model.push(repoName(e.lane), 'devcontainer', e.sha, e.identity);
    else model.complete(repoName(e.lane), e.sha);
  }
  const recordedIds = new Set(recorded);
  const failedButRecorded = [...load.failed.keys()].filter((id) => recordedIds.has(id)).length;
  const expected = new Set(model.started.map((p) => `${OWNER}/${p.lane}@${p.sha}`));
  const keyOf = (d: { owner: string; repo: string; sha: string }) => `${d.owner}/${d.repo}@${d.sha}`;
  const actual = new Set(load.dispatched.map(keyOf));
  const doubles = load.dispatched.length - actual.size;
  const mismatches = [...expected].filter((k) => !actual.has(k)).length + [...actual].filter((k) => !expected.has(k)).length;
  const pushedKeys = entries.filter((e) => e.type === 'push').map((e) => `${OWNER}/${repoName(e.lane)}@${e.sha}`);
  const newestMissed = Array.from({ length: lanes }, (_, lane) => entries.filter((e) => e.type === 'push' && e.lane === lane).pop()).filter(
    (last) => last && !actual.has(`${OWNER}/${repoName(last.lane)}@${last.sha}`),
  ).length;
  const notRun = pushedKeys.filter((k) => !actual.has(k));
  const calls = (keys: string[]) => keys.reduce((sum, k) => sum + (counts.bySha.get(k) ?? 0), 0);
  const kindsPerPush = (keys: string[]) => {
    const out = new Map<RequestKind, number>();
    for (const k of keys) for (const [kind, n] of counts.kindsBySha.get(k) ?? []) out.set(kind, (out.get(kind) ?? 0) + n);
    return [...out]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => `${kind} ${per(n, keys.length)}`)
      .join(', ');
  };
  const phases = load.phases.map((p) => {
    const p99Ms = round1(percentile(p.latencies, 99));
    return {
      rate: p.rate,
      pushes: p.pushes,
      dispatches: p.latencies.length,
      p50Ms: round1(percentile(p.latencies, 50)),
      p99Ms,
      acknowledgedRate: round1(p.acknowledgedRate),
      drainSeconds: round1(p.drainSeconds),
      appCpuMsPerPush: per(p.appCpuMs, p.pushes),
      benchCpuMsPerPush: per(p.benchCpuMs, p.pushes),
      sustained: p.acknowledgedRate >= 0.95 * p.rate && p99Ms <= SUSTAINED_P99_MS,
    };
  });
  const all = load.phases.flatMap((p) => p.latencies);
  const metrics = {
    dispatched: actual.size,
    minimum: expected.size,
    mismatches,
    doubleDispatches: doubles,
    pushes: pushedKeys.length,
    failedSends: load.failed.size,
    failedSendsRecorded: failedButRecorded,
    apiPerPush: per(counts.total, pushedKeys.length),
    // Every request the app made (superseded pushes' check runs, tokens included) over the prebuilds it dispatched.
    apiPerDispatch: per(counts.total, actual.size),
    // Only the requests serving the dispatched commits themselves.
    apiPerDispatchedPush: per(calls([...actual]), actual.size),
    apiPerSupersededPush: per(calls(notRun), notRun.length),
    p50Ms: round1(percentile(all, 50)),
    p99Ms: round1(percentile(all, 99)),
    appCpuMsPerPush: per(
      load.phases.reduce((sum, p) => sum + p.appCpuMs, 0),
      load.phases.reduce((sum, p) => sum + p.pushes, 0),
    ),
    // The sender and the GitHub stand-in (this process), on the same cores as the app.
    benchCpuMsPerPush: per(
      load.phases.reduce((sum, p) => sum + p.benchCpuMs, 0),
      load.phases.reduce((sum, p) => sum + p.pushes, 0),
    ),
    apiByKind: [...counts.byKind].sort((a, b) => b[1] - a[1]).map(([kind, requests]) => ({ kind, requests })),
    maxSustainedRate: Math.max(0, ...phases.filter((p) => p.sustained).map((p) => p.rate)),
    rates: phases,
    peakRssMb,
  };
  const rows = [
    {
      metric: 'pushes recorded',
      value: pushedKeys.length,
      note: `${lanes} repositories × 1 configuration; ${load.failed.size} sends failed at the sender (${failedButRecorded} of them recorded by the app)`,
    },
    {
      metric: 'runs dispatched',
      value: metrics.dispatched,
      target: `= minimum (${metrics.minimum})`,
      note: `${mismatches} pushes differ from the reference model`,
    },
    { metric: 'runs dispatched twice', value: doubles, target: '0' },
    { metric: 'superseded (not run)', value: notRun.length },
    { metric: 'lanes whose newest push never ran', value: newestMissed, target: '0' },
    { metric: 'API requests per push', value: metrics.apiPerPush, note: `${counts.total} requests (${counts.unattributed} not tied to a push: tokens …)` },
    {
      metric: 'API requests by kind',
      value: counts.total,
      note: [...counts.byKind]
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    },
    ...(counts.unknown.size
      ? [
          {
            metric: 'requests the stand-in does not serve (404)',
            value: [...counts.unknown.values()].reduce((a, b) => a + b, 0),
            note: [...counts.unknown].map(([k, n]) => `${k} ×${n}`).join(', '),
          },
        ]
      : []),
    {
      metric: 'API requests per dispatched prebuild, all',
      value: metrics.apiPerDispatch,
      target: '≤ 4',
      note: `every request of the app over the ${actual.size} prebuilds dispatched: superseded pushes' check runs and tokens included (the action's own requests, made with the job's token, are not the app's)`,
    },
    {
      metric: 'API requests per dispatched push',
      value: metrics.apiPerDispatchedPush,
      note: `those serving the dispatched commit itself: ${kindsPerPush([...actual])}`,
    },
    { metric: 'API requests per superseded push', value: metrics.apiPerSupersededPush, note: kindsPerPush(notRun) },
    ...phases.map((p) => ({
      metric: `${p.rate} pushes/s: webhook → dispatch p50 / p99 (ms)`,
      value: `${p.p50Ms} / ${p.p99Ms}`,
      target: p.rate === 100 ? 'p99 ≤ 100' : undefined,
      note: `${p.acknowledgedRate} pushes/s acknowledged, ${p.dispatches} dispatches, drained in ${p.drainSeconds} s, ${p.appCpuMsPerPush} ms CPU per push${p.sustained ? '' : '; not sustained'}`,
    })),
    {
      metric: 'app CPU per push (ms)',
      value: metrics.appCpuMsPerPush,
      note: 'user + system, the runs it caused included; 1000 / this bounds the pushes/s of one core',
    },
    {
      metric: 'sender and GitHub stand-in CPU per push (ms)',
      value: metrics.benchCpuMsPerPush,
      note: `the benchmark's own process (webhooks sent, the stand-in answering the app's requests): not the app's, but on the same ${os.cpus().length} CPUs`,
    },
    {
      metric: 'highest rate sustained (pushes/s)',
      value: metrics.maxSustainedRate,
      target: '≥ 400',
      note: `acknowledged ≥ 95 % of the rate, p99 ≤ ${SUSTAINED_P99_MS} ms`,
    },
    { metric: 'app peak RSS (MB)', value: peakRssMb, note: 'child process, VmHWM' },
    { metric: 'wall time (s)', value: round1(load.wallSeconds), note: `${os.cpus().length} CPUs` },
  ];
  return { metrics, rows };
}
