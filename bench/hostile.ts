/**
 * Hostile benchmark (issue 14): the app (`startAppServer` in a child process, GitHub
 * answered by the stand-in, bench/standin.ts) under floods of 25 MB bodies with forged
 * signatures, from a process of their own, while the stand-in's webhook sender delivers
 * valid signed pushes (a new commit each) at `--rate R` per second (default 20) to
 * `--repos` repositories (default 10).
 * After a quiet phase (5 s, valid deliveries only), one phase of `--seconds S` (default
 * 10) per entry of `--attackers` (attacking connections, default `1,4,16`).
 *
 * Measures per phase the forged bodies rejected per second (read to the end and
 * refused 401, or refused 503 unread while the body buffers are in use), the answer
 * time of valid deliveries (p50/p99, target p99 < 200 ms, each answered 200); then the
 * most forged bodies rejected per second in a phase whose valid p99 stayed under
 * 200 ms, forged bodies accepted (0), and the app's peak RSS.
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile, sleep, startAppChild } from './harness.js';
import { PREBUILD_WORKFLOW, startBenchGitHub } from './standin.js';
import { flag, type BenchContext, type BenchResult } from './types.js';

const SECRET = 'bench-hostile-secret';

/** Runs the benchmark (see the file comment). */
export async function run({ argv, log }: BenchContext): Promise<BenchResult> {
  const attackers = String(flag(argv, 'attackers', '1,4,16'))
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const rate = flag(argv, 'rate', 20);
  const seconds = flag(argv, 'seconds', 10);
  const repos = flag(argv, 'repos', 10);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-hostile-'));
  const devcontainer = JSON.stringify({ name: 'bench', image: 'mcr.microsoft.com/devcontainers/typescript-node:20' });
  const {
    github,
    privateKey,
    repos: byName,
  } = await startBenchGitHub({ owner: 'bench', webhookSecret: SECRET, names: Array.from({ length: repos }, (_, i) => `repo-${i}`) });
  let app: Awaited<ReturnType<typeof startAppChild>> | undefined;
  try {
    app = await startAppChild({
      BENCH_PRIVATE_KEY: privateKey,
      BENCH_WEBHOOK_SECRET: SECRET,
      BENCH_GITHUB_URL: github.apiUrl,
      BENCH_DATABASE: path.join(tmp, 'bench.sqlite'),
    });
    const url = app.webhookUrl;
    github.setWebhookUrl(url);

    /** Valid signed pushes at `rate` per second for `ms`; the answer time of each. */
    const validPhase = async (ms: number) => {
      const times: number[] = [];
      let failed = 0;
      const inFlight: Promise<void>[] = [];
      const until = performance.now() + ms;
      for (let i = 0; performance.now() < until; i++) {
        const repo = byName.get(`repo-${i % repos}`)!;
        repo.content.commit({
          files: { '.devcontainer/devcontainer.json': devcontainer, '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW, [`src/file-${i}.ts`]: `// ${i}\n` },
          message: `push ${i}`,
        });
        const payload = await github.pushPayload(repo.name, { branch: 'main' });
        const started = performance.now();
        // Its own queue: valid deliveries go out concurrently, at the offered rate (GitHub's 10 s timeout does not apply here: the answer time is measured).
        inFlight.push(
          github.send('push', payload, { queue: crypto.randomUUID() }).then((answer) => {
            if (answer.status === 200) times.push(performance.now() - started);
            else failed++;
          }),
        );
        await sleep(Math.max(0, started + 1000 / rate - performance.now()));
      }
      await Promise.all(inFlight);
      return { times, failed };
    };

    log(`  quiet: ${rate} valid deliveries/s for 5 s`);
    const quiet = await validPhase(5000);

    const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
    /** One attack phase: `n` attacking connections while valid deliveries keep coming. */
    const attackPhase = async (n: number) => {
      log(`  hostile: ${n} connections sending 25 MB forged bodies, ${rate} valid deliveries/s, ${seconds} s`);
      const child = fork(new URL('./hostile-attacker.js', import.meta.url), [], {
        env: { ...process.env, BENCH_WEBHOOK_URL: url, BENCH_ATTACKERS: String(n) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const message = <T>(type: string) =>
        new Promise<T>((resolve, reject) => {
          child.on('message', (m: { type: string }) => m.type === type && resolve(m as T));
          child.once('exit', (code) => reject(new Error(`the attacker exited (${code}) before ${type}`)));
        });
      await message('started');
      const started = performance.now();
      const valid = await validPhase(seconds * 1000);
      const counts = message<{ byStatus: Record<string, number> }>('counts');
      child.send({ type: 'stop' });
      const byStatus = new Map(Object.entries((await counts).byStatus));
      const elapsed = (performance.now() - started) / 1000;
      const count = (st: string) => byStatus.get(st) ?? 0;
      const rejected = [...byStatus].filter(([st]) => st !== '200').reduce((sum, [, k]) => sum + k, 0);
      return {
        attackers: n,
        rejectedPerSecond: round(rejected / elapsed),
        readPerSecond: round(count('401') / elapsed),
        busyPerSecond: round(count('503') / elapsed),
        accepted: count('200'),
        byStatus: [...byStatus].map(([st, k]) => `${st} ×${k}`).join(', '),
        validP50Ms: round(percentile(valid.times, 50)),
        validP99Ms: round(percentile(valid.times, 99)),
        validAnswered: valid.times.length,
        validFailed: valid.failed,
      };
    };
    const phases = [];
    for (const n of attackers) phases.push(await attackPhase(n));
    const peakRssMb = await app.peakRssMb();
    const under = phases.filter((p) => p.validP99Ms < 200 && p.validFailed === 0);
    const metrics: Record<string, number> = {
      maxRejectedPerSecondWithValidP99Under200Ms: under.length ? Math.max(...under.map((p) => p.rejectedPerSecond)) : 0,
      forgedAccepted: phases.reduce((sum, p) => sum + p.accepted, 0),
      validFailed: phases.reduce((sum, p) => sum + p.validFailed, 0),
      quietP50Ms: round(percentile(quiet.times, 50)),
      quietP99Ms: round(percentile(quiet.times, 99)),
      peakRssMb,
    };
    for (const p of phases) {
      metrics[`a${p.attackers}RejectedPerSecond`] = p.rejectedPerSecond;
      metrics[`a${p.attackers}ReadAndRejectedPerSecond`] = p.readPerSecond;
      metrics[`a${p.attackers}ValidP50Ms`] = p.validP50Ms;
      metrics[`a${p.attackers}ValidP99Ms`] = p.validP99Ms;
    }
    const rows = [
      { metric: 'valid delivery answer p50 / p99 without attack (ms)', value: `${metrics.quietP50Ms} / ${metrics.quietP99Ms}`, note: `${rate}/s` },
      ...phases.flatMap((p) => [
        {
          metric: `${p.attackers} attacking connections: 25 MB forged bodies rejected per second`,
          value: p.rejectedPerSecond,
          note: `${p.readPerSecond}/s read to the end and refused 401 (HMAC), ${p.busyPerSecond}/s refused 503 unread; ${p.byStatus}`,
        },
        {
          metric: `  … valid delivery answer p50 / p99 (ms)`,
          value: `${p.validP50Ms} / ${p.validP99Ms}`,
          target: 'p99 < 200',
          note: `${p.validAnswered} answered 200, ${p.validFailed} not`,
        },
      ]),
      { metric: 'most forged bodies rejected per second with valid p99 < 200 ms', value: metrics.maxRejectedPerSecondWithValidP99Under200Ms },
      { metric: 'forged bodies accepted', value: metrics.forgedAccepted, target: '0' },
      { metric: 'app peak RSS (MB)', value: peakRssMb, note: `child process, VmHWM; ${os.cpus().length} CPUs shared with the attacker and the sender` },
    ];
    return { metrics, rows };
  } finally {
    await app?.stop();
    await github.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
