/**
 * Hostile benchmark (issue 14): the app (`startAppServer` in a child process, GitHub
 * answered by bench/fake-github.ts) under a flood of 25 MB bodies with forged
 * signatures from `--attackers N` connections (default 16, in a process of their own), while one sender delivers
 * valid signed pushes at `--rate R` per second (default 20) to `--repos` repositories.
 * Runs `--seconds S` (default 20) after a quiet phase of the same rate without attack.
 *
 * Measures the forged bodies rejected per second (read to the end and refused 401, or
 * refused 503 before reading when the body memory is in use; 413 for none: they are
 * within the limit), the answer time of valid deliveries (p50/p99, target p99 < 200 ms,
 * every one answered 200), and the app's peak RSS.
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sign } from '@octokit/webhooks-methods';
import { rawPost } from '../test/helpers/raw-http.js';
import { FakeGitHub } from './fake-github.js';
import { percentile, pushPayload, sleep, startAppChild } from './harness.js';
import { flag, type BenchContext, type BenchResult } from './types.js';

const SECRET = 'bench-hostile-secret';

/** Runs the benchmark (see the file comment). */
export async function run({ argv, log }: BenchContext): Promise<BenchResult> {
  const attackers = flag(argv, 'attackers', 16);
  const rate = flag(argv, 'rate', 20);
  const seconds = flag(argv, 'seconds', 20);
  const repos = flag(argv, 'repos', 10);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-hostile-'));
  const heads = new Map<string, string>();
  const github = new FakeGitHub(
    () => JSON.stringify({ name: 'bench', image: 'mcr.microsoft.com/devcontainers/typescript-node:20' }),
    () => undefined,
    () => undefined,
  );
  await github.start();
  let app: Awaited<ReturnType<typeof startAppChild>> | undefined;
  try {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    app = await startAppChild({ BENCH_PRIVATE_KEY: privateKey, BENCH_WEBHOOK_SECRET: SECRET, BENCH_GITHUB_URL: github.url, BENCH_DATABASE: path.join(tmp, 'bench.sqlite') });
    const url = app.webhookUrl;

    /** Valid signed pushes at `rate` per second for `ms`; the answer time of each. */
    const validPhase = async (ms: number) => {
      const times: number[] = [];
      let failed = 0;
      const inFlight: Promise<void>[] = [];
      const until = performance.now() + ms;
      for (let i = 0; performance.now() < until; i++) {
        const repo = `repo-${i % repos}`;
        const before = heads.get(repo) ?? '0'.repeat(40);
        const after = crypto.randomBytes(20).toString('hex');
        heads.set(repo, after);
        const body = Buffer.from(JSON.stringify(pushPayload('bench', repo, before, after, [`src/file-${i}.ts`])));
        const headers = {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': crypto.randomUUID(),
          'x-hub-signature-256': await sign(SECRET, body.toString('utf8')),
          'user-agent': 'GitHub-Hookshot/bench',
        };
        const started = performance.now();
        inFlight.push(
          rawPost(url, headers, body).then((answer) => {
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

    log(`  hostile: ${attackers} connections sending 25 MB forged bodies, ${rate} valid deliveries/s, ${seconds} s`);
    const child = fork(new URL('./hostile-attacker.js', import.meta.url), [], { env: { ...process.env, BENCH_WEBHOOK_URL: url, BENCH_ATTACKERS: String(attackers) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const message = <T>(type: string) => new Promise<T>((resolve, reject) => {
      child.on('message', (m: { type: string }) => m.type === type && resolve(m as T));
      child.once('exit', (code) => reject(new Error(`the attacker exited (${code}) before ${type}`)));
    });
    await message('started');
    const started = performance.now();
    const hostile = await validPhase(seconds * 1000);
    const counts = message<{ byStatus: Record<string, number> }>('counts');
    child.send({ type: 'stop' });
    const byStatus = new Map(Object.entries((await counts).byStatus));
    const elapsed = (performance.now() - started) / 1000;
    const peakRssMb = await app.peakRssMb();

    const count = (s: string) => byStatus.get(s) ?? 0;
    const rejected = [...byStatus].filter(([s]) => s !== '200').reduce((sum, [, n]) => sum + n, 0);
    const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
    const metrics = {
      rejectedPerSecond: round(rejected / elapsed),
      readAndRejectedPerSecond: round(count('401') / elapsed),
      refusedBusyPerSecond: round(count('503') / elapsed),
      forgedAccepted: count('200'),
      validP50Ms: round(percentile(hostile.times, 50)),
      validP99Ms: round(percentile(hostile.times, 99)),
      validFailed: hostile.failed,
      quietP50Ms: round(percentile(quiet.times, 50)),
      quietP99Ms: round(percentile(quiet.times, 99)),
      peakRssMb,
    };
    const rows = [
      { metric: '25 MB forged bodies rejected per second', value: metrics.rejectedPerSecond, note: [...byStatus].map(([s, n]) => `${s} ×${n}`).join(', ') },
      { metric: '… read to the end, HMAC checked, 401 (per s)', value: metrics.readAndRejectedPerSecond, note: `${round((count('401') * 25) / elapsed)} MB/s read and checked` },
      { metric: '… refused 503 before reading (per s)', value: metrics.refusedBusyPerSecond, note: 'all body buffers in use' },
      { metric: 'forged bodies accepted', value: metrics.forgedAccepted, target: '0' },
      { metric: 'valid deliveries answered 200 under attack', value: hostile.times.length, note: `${hostile.failed} not 200; ${rate}/s` },
      { metric: 'valid delivery answer p50 (ms)', value: metrics.validP50Ms },
      { metric: 'valid delivery answer p99 (ms)', value: metrics.validP99Ms, target: '< 200' },
      { metric: 'valid delivery answer p99 without attack (ms)', value: metrics.quietP99Ms },
      { metric: 'app peak RSS (MB)', value: peakRssMb, note: 'child process, VmHWM' },
      { metric: 'attack (s)', value: round(elapsed), note: `${attackers} connections, ${os.cpus().length} CPUs shared with the attacker` },
    ];
    return { metrics, rows };
  } finally {
    await app?.stop();
    await github.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
