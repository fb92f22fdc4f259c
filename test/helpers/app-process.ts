import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../src/server.js';
import { appKeyPair } from './github.js';
import { REPO_ROOT } from './tmp.js';

/** The app as `npm start` runs it (`node lib/src/main.js`), in its own process. */
export interface AppProcess {
  url: string;
  webhookUrl: string;
  child: ChildProcess;
  /** Everything the app wrote to stdout and stderr so far (JSON log lines). */
  output(): string;
  /** Resident set size now and its high-water mark, MB (Linux /proc). */
  memory(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

/**
 * Starts `lib/src/main.js` (build first: `npx tsc -p tsconfig.build.json`) with a
 * generated app key, the given secret and database, JSON logs, and `env` on top;
 * resolves once `/ping` answers.
 * @throws Error with the app's output when it exits or does not listen within 20 s
 */
export async function startAppProcess(options: {
  secret: string;
  databasePath: string;
  cwd: string;
  /** The app's key (default a fresh one); GitHub must know its public half. */
  privateKey?: string;
  githubApiUrl?: string;
  env?: Record<string, string>;
}): Promise<AppProcess> {
  const port = await freePort('127.0.0.1');
  const ghe = options.githubApiUrl ? { GHE_HOST: options.githubApiUrl.replace(/^http:\/\//, '').replace(/\/api\/v3$/, ''), GHE_PROTOCOL: 'http' } : {};
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'lib/src/main.js')], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_ID: '1',
      PRIVATE_KEY: options.privateKey ?? appKeyPair().privateKey,
      WEBHOOK_SECRET: options.secret,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: options.databasePath,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      RECONCILE_INTERVAL_MS: '0',
      SCHEDULE_INTERVAL_MS: '0',
      NO_SMEE_SETUP: 'true',
      ...ghe,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the app exited: ${output}`);
    try {
      if ((await fetch(`${url}/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i === 199) {
      child.kill('SIGKILL');
      throw new Error(`the app did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    child,
    output: () => output,
    memory() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
      return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
