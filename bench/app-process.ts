/**
 * The app under benchmark, in its own process so its memory is its own: starts the
 * real HTTP server (`startAppServer`) from the `BENCH_*` environment variables and
 * answers the parent over IPC: `{type:'idle'}` → waits until every recorded delivery
 * is processed; `{type:'stats'}` → `{peakRssMb, cpuMs, timings}` (CPU time used so far, user + system;
 * where webhook answers' time went, {@link AckTimings}); `{type:'stop'}` → stops and exits.
 * Sends `{type:'ready', webhookUrl, url}` once listening.
 */
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createHistogram, monitorEventLoopDelay, performance, type RecordableHistogram } from 'node:perf_hooks';
import { sqliteDurability } from '../src/store/index.js';
import { startAppServer } from '../src/server.js';
import { DEFAULT_RESTORE_AUDIENCE } from '../src/api/restore-report.js';

// process.memoryUsage.rss() only: the full memoryUsage() walks the heap, which the benchmark would measure as the app's CPU.
// Sampled only where the kernel keeps no high-water mark (no /proc): each sample costs the app CPU too.
let sampledPeak = process.memoryUsage.rss();
if (!fs.existsSync('/proc/self/status')) {
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
  }, 50);
  sampler.unref();
}

/** Peak resident set size in MB: the kernel's high-water mark (VmHWM) on Linux, else the sampled maximum. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round((Number(m[1]) / 1024) * 10) / 10;
  } catch {
    // not Linux
  }
  return Math.round((sampledPeak / 1024 / 1024) * 10) / 10;
}

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

/**
 * Where the app's webhook answers spent their time, p50 / p99 / max in ms: `loopDelay`,
 * the event loop's delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution: how long a
 * request that arrived waited before the app could read it); `answer`, the request seen by
 * the HTTP server → its answer written (body read, signature, inbox insert and commit);
 * `record`, the inbox insert alone (the store's `recordDelivery`, its commit and fsync
 * included).
 */
export interface AckTimings {
  loopDelay: Percentiles;
  answer: Percentiles;
  record: Percentiles;
}
/** Percentiles of a histogram, ms. */
export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
const answerTimes = createHistogram();
const recordTimes = createHistogram();
/** Records a duration in microseconds (histograms hold integers ≥ 1). */
const note = (h: RecordableHistogram, ms: number) => h.record(Math.max(1, Math.round(ms * 1000)));
const pct = (h: { percentile(p: number): number; max: number; count?: number }, scale: number): Percentiles => {
  const round = (n: number) => Math.round((n / scale) * 10) / 10;
  return h.count === 0 ? { p50: 0, p99: 0, max: 0 } : { p50: round(h.percentile(50)), p99: round(h.percentile(99)), max: round(h.max) };
};
const requestStarts = new WeakMap<IncomingMessage, number>();
diagnostics.subscribe('http.server.request.start', (m) => requestStarts.set((m as { request: IncomingMessage }).request, performance.now()));
diagnostics.subscribe('http.server.response.finish', (m) => {
  const started = requestStarts.get((m as { request: IncomingMessage }).request);
  if (started !== undefined) note(answerTimes, performance.now() - started);
});

const server = await startAppServer({
  appId: 1,
  privateKey: env('BENCH_PRIVATE_KEY'),
  webhookSecret: env('BENCH_WEBHOOK_SECRET'),
  baseUrl: env('BENCH_GITHUB_URL'),
  databasePath: env('BENCH_DATABASE'),
  sqliteSynchronous: sqliteDurability(process.env.SQLITE_SYNCHRONOUS),
  // DATABASE_POOL_SIZE: connections per replica on PostgreSQL, as the app reads it (A/B runs).
  ...(process.env.DATABASE_POOL_SIZE ? { databasePoolSize: Number(process.env.DATABASE_POOL_SIZE) } : {}),
  logLevel: (process.env.BENCH_LOG_LEVEL as 'fatal' | 'error' | undefined) ?? 'error',
  // BENCH_LEASE_MS: how soon another replica takes over a killed one's deliveries (several replicas on PostgreSQL).
  // BENCH_MAX_IN_FLIGHT, BENCH_MIN_CLAIM, BENCH_ADMISSION_HOLD_MS, BENCH_ADMISSION_LOOP_MS: the processor's admission (A/B runs).
  runtime: {
    reconcileIntervalMs: 0,
    processor: {
      ...(process.env.BENCH_LEASE_MS ? { leaseMs: Number(process.env.BENCH_LEASE_MS), pollIntervalMs: 200 } : {}),
      ...(process.env.BENCH_MAX_IN_FLIGHT ? { maxInFlight: Number(process.env.BENCH_MAX_IN_FLIGHT) } : {}),
      ...(process.env.BENCH_MIN_CLAIM ? { minClaim: Number(process.env.BENCH_MIN_CLAIM) } : {}),
      admission: {
        ...(process.env.BENCH_ADMISSION_HOLD_MS ? { maxHoldMs: Number(process.env.BENCH_ADMISSION_HOLD_MS) } : {}),
        ...(process.env.BENCH_ADMISSION_LOOP_MS ? { maxLoopDelayMs: Number(process.env.BENCH_ADMISSION_LOOP_MS) } : {}),
      },
    },
  },
  // Probot's throttling (one write a second) would make the benchmark measure the throttle; `--github-rate-limits` keeps it.
  githubRateLimits: process.env.BENCH_RATE_LIMITS === '1',
  // BENCH_OIDC_ISSUER: the stand-in's Actions OIDC issuer, whose job tokens the runs' result reports carry.
  ...(process.env.BENCH_OIDC_ISSUER ? { restoreReports: { issuer: process.env.BENCH_OIDC_ISSUER, audience: DEFAULT_RESTORE_AUDIENCE } } : {}),
});

// The inbox insert timed on the store the runtime records into (the same object).
const recordDelivery = server.store.recordDelivery.bind(server.store);
server.store.recordDelivery = async (d) => {
  const t0 = performance.now();
  try {
    return await recordDelivery(d);
  } finally {
    note(recordTimes, performance.now() - t0);
  }
};
const timings = (): AckTimings => ({ loopDelay: pct(loopDelay, 1e6), answer: pct(answerTimes, 1000), record: pct(recordTimes, 1000) });

process.on('message', (message: { type: string }) => {
  void (async () => {
    if (message.type === 'idle') {
      await server.idle();
      process.send!({ type: 'idle' });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      process.send!({ type: 'stats', peakRssMb: peakRssMb(), cpuMs: Math.round((cpu.user + cpu.system) / 1000), timings: timings() });
    } else if (message.type === 'stop') {
      await server.stop();
      process.send!({ type: 'stopped' }, () => process.exit(0));
    }
  })();
});
process.send!({ type: 'ready', webhookUrl: server.webhookUrl, url: server.url });
