/**
 * Helpers of the scheduler benchmark: the app child process and percentiles
 * (webhooks and their payloads come from the GitHub stand-in, demo/github).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AckTimings } from './app-process.js';

/** The app running in a child process (bench/app-process.ts). */
export interface AppChild {
  webhookUrl: string;
  /** The app's own URL (`http://127.0.0.1:PORT`): its API, where the action reports. */
  url: string;
  /** Resolves when the app processed every delivery it recorded. */
  idle(): Promise<void>;
  /** The app's peak resident set size so far, MB. */
  peakRssMb(): Promise<number>;
  /** CPU time the app used so far (user + system), ms. */
  cpuMs(): Promise<number>;
  /** Where the app's webhook answers spent their time so far (event-loop delay, answer, inbox insert). */
  ackTimings(): Promise<AckTimings>;
  stop(): Promise<void>;
  /** The child's process id. */
  pid: number;
  /** Whether the child has exited (killed, or crashed). */
  exited(): boolean;
  /** Kills the child at once (SIGKILL: no cleanup, its leases and locks are left behind) and waits for it to exit. */
  kill(): Promise<void>;
}

/** The compiled app process: next to this module when it runs from lib/, else (tests run the sources) lib/bench/ of the repository. */
function appProcessModule(): URL {
  const here = new URL('./app-process.js', import.meta.url);
  return fs.existsSync(here) ? here : new URL('../lib/bench/app-process.js', import.meta.url);
}

/**
 * Forks `lib/bench/app-process.js` with the given environment and waits until it listens.
 * With `BENCH_APP_CPU_PROF=DIR` in the benchmark's environment the child runs with
 * `--cpu-prof --cpu-prof-dir DIR` and writes its V8 CPU profile (`*.cpuprofile`) there
 * when it stops (read it with `node scripts/cpuprofile-summary.mjs FILE`).
 * @throws Error when the child exits before it is ready
 */
export async function startAppChild(env: Record<string, string>): Promise<AppChild> {
  const profileDir = process.env.BENCH_APP_CPU_PROF;
  const child: ChildProcess = fork(appProcessModule(), [], {
    env: { ...process.env, ...env },
    execArgv: profileDir ? [...process.execArgv, '--cpu-prof', '--cpu-prof-dir', profileDir] : process.execArgv,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.pipe(process.stderr); // the app's log must not mix with the results on stdout
  const waitFor = <T>(type: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`the app process exited (${code}) while waiting for ${type}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = <T>(type: string, reply: string): Promise<T> => {
    if (child.exitCode !== null || child.signalCode !== null)
      return Promise.reject(new Error(`the app process has exited (${child.exitCode ?? child.signalCode})`));
    const answer = waitFor<T>(reply);
    child.send({ type });
    return answer;
  };
  const { webhookUrl, url } = await waitFor<{ webhookUrl: string; url: string }>('ready');
  return {
    webhookUrl,
    url,
    pid: child.pid!,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    idle: () => ask<unknown>('idle', 'idle').then(() => undefined),
    peakRssMb: () => ask<{ peakRssMb: number }>('stats', 'stats').then((m) => m.peakRssMb),
    cpuMs: () => ask<{ cpuMs: number }>('stats', 'stats').then((m) => m.cpuMs),
    ackTimings: () => ask<{ timings: AckTimings }>('stats', 'stats').then((m) => m.timings),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask('stop', 'stopped').catch(() => undefined);
      // The child exits by itself once stopped (writing its --cpu-prof profile, if any); killed only when it hangs.
      const hung = setTimeout(() => child.kill(), 10_000);
      await exited;
      clearTimeout(hung);
    },
  };
}

/** The p-th percentile (0–100) of `values`, nearest rank; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
