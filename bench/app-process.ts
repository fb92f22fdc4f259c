/**
 * The app under benchmark, in its own process so its memory is its own: starts the
 * real HTTP server (`startAppServer`) from the `BENCH_*` environment variables and
 * answers the parent over IPC: `{type:'idle'}` → waits until every recorded delivery
 * is processed; `{type:'stats'}` → `{peakRssMb, cpuMs}` (CPU time used so far, user + system); `{type:'stop'}` → stops and exits.
 * Sends `{type:'ready', webhookUrl}` once listening.
 */
import fs from 'node:fs';
import { sqliteDurability } from '../src/store/index.js';
import { startAppServer } from '../src/server.js';

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

const server = await startAppServer({
  appId: 1,
  privateKey: env('BENCH_PRIVATE_KEY'),
  webhookSecret: env('BENCH_WEBHOOK_SECRET'),
  baseUrl: env('BENCH_GITHUB_URL'),
  databasePath: env('BENCH_DATABASE'),
  sqliteSynchronous: sqliteDurability(process.env.SQLITE_SYNCHRONOUS),
  logLevel: (process.env.BENCH_LOG_LEVEL as 'fatal' | 'error' | undefined) ?? 'error',
  // BENCH_LEASE_MS: how soon another replica takes over a killed one's deliveries (several replicas on PostgreSQL).
  runtime: { reconcileIntervalMs: 0, processor: process.env.BENCH_LEASE_MS ? { leaseMs: Number(process.env.BENCH_LEASE_MS), pollIntervalMs: 200 } : undefined },
  // Probot's throttling (one write a second) would make the benchmark measure the throttle; `--github-rate-limits` keeps it.
  githubRateLimits: process.env.BENCH_RATE_LIMITS === '1',
});

process.on('message', (message: { type: string }) => {
  void (async () => {
    if (message.type === 'idle') {
      await server.idle();
      process.send!({ type: 'idle' });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      process.send!({ type: 'stats', peakRssMb: peakRssMb(), cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
    } else if (message.type === 'stop') {
      await server.stop();
      process.send!({ type: 'stopped' }, () => process.exit(0));
    }
  })();
});
process.send!({ type: 'ready', webhookUrl: server.webhookUrl });
