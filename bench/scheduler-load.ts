/**
 * The scheduler benchmark's load: pushes offered at fixed rates (open loop: each push
 * has a scheduled time, and its latency counts from that time, so a slow app cannot hide
 * its queue by slowing the sender), one phase per rate, each drained before the next.
 * Every webhook of a repository goes through that repository's chain, so the app
 * records a repository's deliveries in the order they were sent; runs complete after a
 * simulated run time with a `workflow_run` completed webhook, as GitHub sends it, after
 * the run reported its result to the app as the action does (`reportTo`).
 *
 * What each send became is kept by delivery id: the reference model is replayed over
 * the deliveries the app recorded, in its order (`deliveries.seq`), not over the sends
 * the sender saw succeed. A send that failed at the sender (a reset connection, a
 * timeout) may still have been recorded by the app, as with GitHub.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { AppChild } from './harness.js';
import { sleep } from './harness.js';
import { completeRun, dispatchOf, PREBUILD_WORKFLOW, type BenchGitHub, type Dispatch } from './standin.js';
import { WebhookPoster } from './webhook-post.js';

/** What one sent webhook was about (for the reference model). */
export type SentEntry = { lane: number; type: 'push'; sha: string; identity: string } | { lane: number; type: 'complete'; sha: string };

/** The load's settings. */
export interface LoadOptions {
  owner: string;
  lanes: number;
  /** Offered rates, pushes per second, one phase each, in order. */
  rates: number[];
  /** Length of each phase, s. */
  seconds: number;
  /** Mean simulated run time, ms. */
  runMs: number;
  /** Share of pushes that change devcontainer.json (a new identity). */
  changeRate: number;
  /** Delivery ids that sort in sending order. */
  orderedIds: boolean;
  /** The app's URL: each completed run reports its result there first, as the action does; absent: not reported. */
  reportTo?: string;
  log(message: string): void;
}

/** One phase's raw figures. */
export interface PhaseResult {
  rate: number;
  pushes: number;
  /** Webhook → dispatch, ms, for every dispatch caused in this phase. */
  latencies: number[];
  /** Pushes acknowledged (2xx) per second over the phase, from its start to the last acknowledgement. */
  acknowledgedRate: number;
  /** From the phase's first scheduled push until the app was idle again, s. */
  drainSeconds: number;
  /** CPU time the app used for the phase (its pushes and the runs they caused), ms. */
  appCpuMs: number;
  /**
   * CPU time this process used for the phase, ms: the sender and the GitHub stand-in
   * (demo/github, answering the app's requests), which share the machine's cores with
   * the app but are not the app's cost.
   */
  benchCpuMs: number;
}

/** Everything the load observed. */
export interface LoadResult {
  phases: PhaseResult[];
  /** Every send, by delivery id (failed sends included). */
  sent: Map<string, SentEntry>;
  /** Delivery ids of the sends the sender saw fail, with why. */
  failed: Map<string, string>;
  dispatched: Dispatch[];
  wallSeconds: number;
}

export const repoName = (i: number) => `repo-${String(i).padStart(3, '0')}`;

/**
 * Offers the load to the app through the stand-in and waits until everything it
 * caused is done (every run completed and the app idle).
 */
export async function offerLoad(bench: BenchGitHub, app: AppChild, o: LoadOptions): Promise<LoadResult> {
  const { github, repos } = bench;
  const chains: Promise<void>[] = Array.from({ length: o.lanes }, () => Promise.resolve());
  const versions = new Array<number>(o.lanes).fill(0);
  const pushAt = new Map<string, number>();
  const freedAt = new Map<number, number>();
  const sent = new Map<string, SentEntry>();
  const failed = new Map<string, string>();
  const dispatched: Dispatch[] = [];
  let phaseLatencies: number[] = [];
  let pendingCompletions = 0;
  let seq = 0;
  // Signed webhooks over kept-alive connections (bench/webhook-post.ts), one lane's in order (its chain).
  const poster = new WebhookPoster(bench.webhookSecret);
  const nextId = () => (o.orderedIds ? `${String(++seq).padStart(12, '0')}-${crypto.randomUUID().slice(13)}` : crypto.randomUUID());

  const send = (lane: number, event: string, payload: () => Promise<object>, entry: () => SentEntry, onAck?: () => void): Promise<void> => {
    const next = chains[lane]!.then(async () => {
      const id = nextId();
      try {
        const body = await payload();
        sent.set(id, entry());
        const status = await poster.post(app.webhookUrl, event, id, body);
        if (status < 200 || status >= 300) {
          failed.set(id, `${event} answered ${status}`);
          return;
        }
        onAck?.();
      } catch (error) {
        failed.set(id, `${event}: ${(error as Error).message}`);
      }
    });
    chains[lane] = next;
    return next;
  };

  github.onDispatch((run) => {
    const d = dispatchOf(github, run);
    dispatched.push(d);
    const lane = Number(d.repo.slice('repo-'.length));
    const cause = Math.max(pushAt.get(`${d.repo}@${d.sha}`) ?? 0, freedAt.get(lane) ?? 0);
    phaseLatencies.push(d.at - cause);
    pendingCompletions++;
    setTimeout(
      () => {
        void send(
          lane,
          'workflow_run',
          () => completeRun(github, d, o.reportTo, poster.fetch),
          () => ({ lane, type: 'complete', sha: d.sha }),
          undefined,
        ).finally(() => pendingCompletions--);
        // The completion frees the lane from the moment GitHub would send it.
        freedAt.set(lane, performance.now());
      },
      o.runMs * (0.5 + Math.random()),
    );
  });

  const pushTo = (lane: number, scheduledAt: number, onAck: () => void) => {
    const repo = repos.get(repoName(lane))!;
    if (Math.random() < o.changeRate) versions[lane]!++;
    const v = versions[lane]!;
    let sha = '';
    return send(
      lane,
      'push',
      async () => {
        const devcontainer = JSON.stringify({ name: 'bench', image: 'mcr.microsoft.com/devcontainers/typescript-node:20', customizations: { v } });
        sha = repo.content.commit({
          files: {
            '.devcontainer/devcontainer.json': devcontainer,
            '.github/workflows/prebuild.yml': PREBUILD_WORKFLOW,
            [`src/file-${sent.size % 7}.ts`]: `// ${scheduledAt}`,
          },
          message: `push at ${scheduledAt.toFixed(1)}`,
        });
        pushAt.set(`${repo.name}@${sha}`, scheduledAt);
        return github.pushPayload(repo.name, { branch: 'main' });
      },
      () => ({ lane, type: 'push', sha, identity: `v${v}` }),
      onAck,
    );
  };

  const waitIdle = async () => {
    for (let stable = 0; stable < 2;) {
      while (pendingCompletions > 0) await sleep(20);
      const count = dispatched.length;
      await app.idle();
      await sleep(20);
      stable = pendingCompletions === 0 && dispatched.length === count ? stable + 1 : 0;
    }
  };

  const started = performance.now();
  const phases: PhaseResult[] = [];
  try {
    for (const rate of o.rates) {
      const pushes = Math.max(1, Math.round(rate * o.seconds));
      phaseLatencies = [];
      o.log(`  ${rate} pushes/s for ${o.seconds} s (${pushes} pushes over ${o.lanes} repositories)`);
      const cpuBefore = await app.cpuMs();
      const benchCpuBefore = process.cpuUsage();
      const t0 = performance.now();
      let acknowledged = 0;
      let lastAck = t0;
      const sends: Promise<void>[] = [];
      for (let i = 0; i < pushes;) {
        const now = performance.now();
        for (; i < pushes && t0 + (i * 1000) / rate <= now; i++) {
          sends.push(
            pushTo(Math.floor(Math.random() * o.lanes), t0 + (i * 1000) / rate, () => {
              acknowledged++;
              lastAck = performance.now();
            }),
          );
        }
        if (i < pushes) await sleep(Math.max(1, Math.min(10, t0 + (i * 1000) / rate - performance.now())));
      }
      await Promise.all(sends);
      await waitIdle();
      phases.push({
        rate,
        pushes,
        latencies: phaseLatencies,
        acknowledgedRate: acknowledged / Math.max((lastAck - t0) / 1000, o.seconds),
        drainSeconds: (performance.now() - t0) / 1000,
        appCpuMs: (await app.cpuMs()) - cpuBefore,
        benchCpuMs: ((u) => (u.user + u.system) / 1000)(process.cpuUsage(benchCpuBefore)),
      });
    }
  } finally {
    poster.close();
  }
  return { phases, sent, failed, dispatched, wallSeconds: (performance.now() - started) / 1000 };
}
