/**
 * Child processes of a job: spawned in their own process group (so cancelling
 * or timing out a job kills everything a step started), output split into lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A running step process. */
export interface StepProcess {
  /** Resolves with the exit code (signals map to 128 + n, like a shell). */
  done: Promise<number>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  kill(graceMs?: number): void;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Starts `command args` with exactly `env` (no inheritance).
 * @param onLine called per output line of stdout and stderr (without the newline)
 */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; onLine: (line: string, stream: 'stdout' | 'stderr') => void },
): StepProcess {
  let child: ChildProcess;
  const done = new Promise<number>((resolve) => {
    child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pending = { stdout: '', stderr: '' };
    const feed = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      pending[stream] += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending[stream].indexOf('\n')) >= 0) {
        options.onLine(pending[stream].slice(0, nl).replace(/\r$/, ''), stream);
        pending[stream] = pending[stream].slice(nl + 1);
      }
    };
    child.stdout!.on('data', feed('stdout'));
    child.stderr!.on('data', feed('stderr'));
    child.on('error', (err) => {
      options.onLine(`${command}: ${err.message}`, 'stderr');
      resolve(127);
    });
    child.on('close', (code, signal) => {
      for (const s of ['stdout', 'stderr'] as const) if (pending[s]) options.onLine(pending[s], s);
      resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 1));
    });
  });
  return {
    done,
    kill(graceMs = 3000) {
      const pid = child?.pid;
      if (!pid) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, graceMs);
      t.unref();
    },
  };
}

/** Variables passed from the stand-in's own environment to jobs (a runner's host environment). */
const PASSED = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'TERM',
  'SHELL',
  'NODE_EXTRA_CA_CERTS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'npm_config_registry',
  'npm_config_cache',
  'NPM_CONFIG_REGISTRY',
  'NPM_CONFIG_CACHE',
];

/** The host part of a job's environment. */
export function hostEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of PASSED) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...extra };
}
