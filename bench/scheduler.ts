/**
 * Scheduler benchmark: N pushes (default 10,000) over L repositories (default 100,
 * one `devcontainer` configuration each, no prebuilds.yml) in bursts, through the
 * real HTTP server (`startAppServer` in a child process, signed webhooks to
 * 127.0.0.1), with GitHub answered by the stand-in (demo/github: repositories in
 * memory, runs recorded, not run) and runs completed by `workflow_run` completed
 * webhooks sent back after a simulated run time. Request counts come from the
 * stand-in's exchange log (bench/github-counts.ts).
 *
 * Measures runs dispatched vs the minimum SPEC.md rules 2/3 allow (the reference model
 * replayed over the deliveries in the order each repository's were recorded), GitHub
 * API requests per push (all, dispatched, superseded), webhook-to-dispatch latency
 * and the app's peak RSS.
 *
 * Flags: `--pushes N` `--lanes L` `--run-ms MS` (mean simulated run, default 400)
 * `--burst K` (max pushes per burst, default 6) `--gap-ms MS` (max pause between
 * bursts, default 800) `--change-rate R` (share of pushes changing devcontainer.json, default 0.03).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ReferenceModel } from '../test/scheduler/reference-model.js';
import { countExchanges, type RequestKind } from './github-counts.js';
import { percentile, sleep, startAppChild } from './harness.js';
import { completeRun, dispatchOf, PREBUILD_WORKFLOW, startBenchGitHub, type Dispatch } from './standin.js';
import { flag, type BenchContext, type BenchResult } from './types.js';

const SECRET = 'bench-webhook-secret';
const OWNER = 'bench';

type LogEntry = { type: 'push'; sha: string; identity: string } | { type: 'complete'; sha: string };

/** Runs the benchmark (see the file comment). */
export async function run({ argv, log }: BenchContext): Promise<BenchResult> {
  const pushes = flag(argv, 'pushes', 10_000);
  const lanes = Math.min(flag(argv, 'lanes', 100), pushes);
  const runMs = flag(argv, 'run-ms', 400);
  const burstMax = flag(argv, 'burst', 6);
  const gapMs = flag(argv, 'gap-ms', 800);
  const changeRate = flag(argv, 'change-rate', 0.03);
  const rateLimits = argv.includes('--github-rate-limits');
  const orderedIds = argv.includes('--ordered-delivery-ids');
  let sent = 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-bench-'));

  const repoName = (i: number) => `repo-${String(i).padStart(3, '0')}`;
  const logs: LogEntry[][] = Array.from({ length: lanes }, () => []);
  const chains: Promise<void>[] = Array.from({ length: lanes }, () => Promise.resolve());
  const pushSentAt = new Map<string, number>();
  const completionSentAt = new Map<string, number>();
  const dispatched: Dispatch[] = [];
  const latencies: number[] = [];
  let pendingCompletions = 0;
  let failures = 0;
  let app: Awaited<ReturnType<typeof startAppChild>> | undefined;

  /** Every webhook of a repository goes through its chain, so the order recorded is the order logged. */
  const send = (lane: number, event: string, payload: unknown, entry: LogEntry, sentAt: () => void): Promise<void> => {
    const next = chains[lane]!.then(async () => {
      sentAt();
      try {
        const id = orderedIds ? `${String(++sent).padStart(12, '0')}-${crypto.randomUUID().slice(13)}` : crypto.randomUUID();
        const delivery = await github.send(event, payload as object, { id, queue: repoName(lane) });
        if (delivery.status === null || delivery.status < 200 || delivery.status >= 300)
          throw new Error(`webhook ${event} answered ${delivery.status ?? delivery.error}`);
        logs[lane]!.push(entry);
      } catch (error) {
        failures++;
        log(`  ${(error as Error).message}`);
      }
    });
    chains[lane] = next;
    return next;
  };

  const { github, privateKey, repos } = await startBenchGitHub({
    owner: OWNER,
    webhookSecret: SECRET,
    names: Array.from({ length: lanes }, (_, lane) => repoName(lane)),
  });
  github.onDispatch((run) => {
    const d = dispatchOf(github, run);
    dispatched.push(d);
    const key = `${d.owner}/${d.repo}@${d.sha}`;
    const cause = Math.max(pushSentAt.get(key) ?? 0, completionSentAt.get(`${d.owner}/${d.repo}`) ?? 0);
    latencies.push(d.at - cause);
    pendingCompletions++;
    const lane = Number(d.repo.slice('repo-'.length));
    setTimeout(
      () => {
        void completeRun(github, d)
          .then((payload) =>
            send(lane, 'workflow_run', payload, { type: 'complete', sha: d.sha }, () => completionSentAt.set(`${d.owner}/${d.repo}`, performance.now())),
          )
          .finally(() => pendingCompletions--);
      },
      runMs * (0.5 + Math.random()),
    );
  });
  try {
    app = await startAppChild({
      BENCH_PRIVATE_KEY: privateKey,
      BENCH_WEBHOOK_SECRET: SECRET,
      BENCH_GITHUB_URL: github.apiUrl,
      BENCH_DATABASE: path.join(tmp, 'bench.sqlite'),
      BENCH_RATE_LIMITS: rateLimits ? '1' : '0',
    });
    github.setWebhookUrl(app.webhookUrl);
    log(`  ${pushes} pushes over ${lanes} repositories (1 configuration each), runs ~${runMs} ms, bursts ≤${burstMax}, gaps ≤${gapMs} ms`);
    const started = performance.now();

    const laneLoop = async (lane: number) => {
      const repo = repos.get(repoName(lane))!;
      let remaining = Math.floor(pushes / lanes) + (lane < pushes % lanes ? 1 : 0);
      let v = 0;
      while (remaining > 0) {
        const burst = Math.min(remaining, 1 + Math.floor(Math.random() * burstMax));
        for (let i = 0; i < burst; i++, remaining--) {
          const change = Math.random() < changeRate;
          if (change) v++;
          const devcontainer = JSON.stringify({ name: 'bench', image: 'mcr.microsoft.com/devcontainers/typescript-node:20', customizations: { v } });
          const sha = repo.content.commit({
            files: {
              '.devcontainer/devcontainer.json': devcontainer,
              '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW,
              [`src/file-${i}.ts`]: `// ${remaining}`,
            },
            message: `push ${remaining}`,
          });
          const payload = await github.pushPayload(repo.name, { branch: 'main' });
          await send(lane, 'push', payload, { type: 'push', sha, identity: `v${v}` }, () => pushSentAt.set(`${OWNER}/${repo.name}@${sha}`, performance.now()));
        }
        await sleep(Math.random() * gapMs);
      }
    };
    await Promise.all(Array.from({ length: lanes }, (_, i) => laneLoop(i)));
    log(`  all pushes delivered in ${((performance.now() - started) / 1000).toFixed(1)} s; draining …`);
    for (let stable = 0; stable < 2;) {
      for (let i = 1; pendingCompletions > 0; i++) {
        if (i % 100 === 0) log(`  … ${pendingCompletions} completions pending, ${dispatched.length} dispatched`);
        await sleep(50);
      }
      const count = dispatched.length;
      log(`  waiting for the app to be idle (${count} dispatched)`);
      const ticker = setInterval(() => log(`  … ${JSON.stringify([...countExchanges(github).byKind])}`), 3000);
      await app.idle();
      clearInterval(ticker);
      await sleep(50);
      stable = pendingCompletions === 0 && dispatched.length === count ? stable + 1 : 0;
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const peakRssMb = await app.peakRssMb();

    // The minimum the rules allow: the reference model over what each repository's deliveries were, in order.
    const model = new ReferenceModel();
    logs.forEach((entries, lane) => {
      for (const e of entries) {
        if (e.type === 'push') model.push(repoName(lane), 'devcontainer', e.sha, e.identity);
        else model.complete(repoName(lane), e.sha);
      }
    });
    const expected = new Set(model.started.map((p) => `${OWNER}/${p.lane}@${p.sha}`));
    const actual = new Set(dispatched.map((d) => `${d.owner}/${d.repo}@${d.sha}`));
    const mismatches = [...expected].filter((k) => !actual.has(k)).length + [...actual].filter((k) => !expected.has(k)).length;
    const newestMissed = logs.filter((entries, lane) => {
      const last = [...entries].reverse().find((e) => e.type === 'push');
      return last && !actual.has(`${OWNER}/${repoName(lane)}@${last.sha}`);
    }).length;

    const pushedKeys = logs.flatMap((entries, lane) => entries.filter((e) => e.type === 'push').map((e) => `${OWNER}/${repoName(lane)}@${e.sha}`));
    const notRun = pushedKeys.filter((k) => !actual.has(k));
    const counts = countExchanges(github);
    const calls = (keys: string[]) => keys.reduce((sum, k) => sum + (counts.bySha.get(k) ?? 0), 0);
    const per = (n: number, d: number) => (d === 0 ? 0 : Math.round((n / d) * 100) / 100);
    const kindsPerPush = (keys: string[]) => {
      const out = new Map<RequestKind, number>();
      for (const k of keys) for (const [kind, n] of counts.kindsBySha.get(k) ?? []) out.set(kind, (out.get(kind) ?? 0) + n);
      return [...out]
        .sort((a, b) => b[1] - a[1])
        .map(([kind, n]) => `${kind} ${per(n, keys.length)}`)
        .join(', ');
    };
    const metrics = {
      dispatched: actual.size,
      minimum: expected.size,
      apiPerPush: per(counts.total, pushedKeys.length),
      apiPerSupersededPush: per(calls(notRun), notRun.length),
      p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
      peakRssMb,
      mismatches,
    };
    const rows = [
      { metric: 'pushes delivered', value: pushedKeys.length, note: `${lanes} repositories × 1 configuration; ${failures} webhook failures` },
      {
        metric: 'runs dispatched',
        value: metrics.dispatched,
        target: `= minimum (${metrics.minimum})`,
        note: `${mismatches} pushes differ from the reference model`,
      },
      { metric: 'superseded (not run)', value: notRun.length },
      { metric: 'lanes whose newest push never ran', value: newestMissed, target: '0' },
      {
        metric: 'API requests per push',
        value: metrics.apiPerPush,
        target: '≤ 3',
        note: `${counts.total} requests (${counts.unattributed} not tied to a push: tokens …)`,
      },
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
      { metric: 'API requests per dispatched push', value: per(calls([...actual]), actual.size), note: kindsPerPush([...actual]) },
      { metric: 'API requests per superseded push', value: metrics.apiPerSupersededPush, target: '0', note: kindsPerPush(notRun) },
      { metric: 'webhook → dispatch p50 (ms)', value: metrics.p50Ms, note: 'from the push (or the completion that freed the lane)' },
      { metric: 'webhook → dispatch p99 (ms)', value: metrics.p99Ms },
      { metric: 'app peak RSS (MB)', value: metrics.peakRssMb, note: 'child process, VmHWM' },
      { metric: 'wall time (s)', value: Math.round(wallSeconds * 10) / 10, note: `${os.cpus().length} CPUs` },
    ];
    return { metrics, rows };
  } finally {
    await app?.stop();
    await github.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
