/**
 * Process groups of lifecycle commands (issue 12, item 6). Each command runs as the
 * leader of its own process group, so what it leaves behind — `(mongod … &)`,
 * `(sleep 60 &)`, a server started with `nohup` — can be found after it exits
 * (`kill(-pgid, 0)`) and stopped with one signal to the group. While a command runs,
 * SIGINT/SIGTERM sent to this process are passed on to its group (it is no longer
 * in our foreground group, so a terminal's Ctrl-C would not reach it otherwise).
 * Linux/macOS; on Windows nothing is grouped and nothing is found.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** A process left running by a command. */
export interface LeftoverProcess {
  pid: number;
  /** Its command line (`/proc/<pid>/cmdline`), clipped to 200 characters; `''` when unknown. */
  command: string;
}

/** The processes a command left in its process group after it exited. */
export interface LeftoverGroup {
  /** Process group id (the command's pid). */
  pgid: number;
  /** Hook (and parallel command name) that started them, e.g. `onCreateCommand "db"`. */
  origin: string;
  /** The members found (Linux: from /proc; elsewhere empty although the group is alive). */
  processes: LeftoverProcess[];
}

/** True when process groups are used (not on Windows). */
export const GROUPS_SUPPORTED = process.platform !== 'win32';

const HAS_PROC = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

/**
 * True when some process of group `pgid` is still alive. Zombies (ended, not yet
 * reaped by a parent that may never do it, e.g. PID 1 of a container) do not count
 * where /proc tells them apart.
 */
export function groupAlive(pgid: number): boolean {
  if (!GROUPS_SUPPORTED) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return HAS_PROC ? groupMembers(pgid).length > 0 : true;
}

/** Members of process group `pgid` read from /proc (Linux); `[]` where /proc is absent. */
export function groupMembers(pgid: number): LeftoverProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: LeftoverProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
      out.push({ pid: Number(entry), command: cmdline.length > 200 ? `${cmdline.slice(0, 199)}…` : cmdline });
    } catch {
      // the process ended meanwhile
    }
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** One line per leftover group for logs: `onCreateCommand left 1 process running: 1234 sleep 60`. */
export function describeLeftover(group: LeftoverGroup): string {
  const n = group.processes.length;
  const list = group.processes.map((p) => `${p.pid}${p.command ? ` ${p.command}` : ''}`).join('; ');
  return `${group.origin} left ${n === 0 ? 'processes' : `${n} process${n === 1 ? '' : 'es'}`} running (process group ${group.pgid}${list ? `: ${list}` : ''})`;
}

const running = new Set<number>();
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function forward(signal: NodeJS.Signals): void {
  for (const pgid of running) {
    try {
      process.kill(-pgid, signal);
    } catch {
      // already gone
    }
  }
  // Nobody else listens: behave as if we had not listened (the default is to exit).
  if (process.listenerCount(signal) === 1) {
    stopForwarding();
    process.kill(process.pid, signal);
  }
}

function stopForwarding(): void {
  for (const s of FORWARDED) process.removeListener(s, forward);
}

/** Records a running group (its signals are forwarded until {@link groupEnded}). */
export function groupStarted(pgid: number): void {
  if (!GROUPS_SUPPORTED) return;
  if (running.size === 0) for (const s of FORWARDED) process.on(s, forward);
  running.add(pgid);
}

/** The command leading group `pgid` exited. */
export function groupEnded(pgid: number): void {
  if (!running.delete(pgid)) return;
  if (running.size === 0) stopForwarding();
}

/**
 * Collects the groups commands left behind, to stop them when the caller is done
 * (the end of a prebuild). Restore mode does not stop them: a service started by
 * postCreateCommand is meant for the CI steps that follow.
 */
export class LeftoverTracker {
  private readonly groups: LeftoverGroup[] = [];

  /** Adds a group found by the runner. */
  add(group: LeftoverGroup): void {
    this.groups.push(group);
  }

  /** The groups recorded so far (a copy). */
  list(): LeftoverGroup[] {
    return [...this.groups];
  }

  /**
   * Stops every recorded group that is still alive: SIGTERM, then SIGKILL for what
   * is left after `graceMs` (default 3000 ms).
   * @returns the groups that were still alive and were signalled
   */
  async killAll(graceMs = 3000): Promise<LeftoverGroup[]> {
    const alive = this.groups.filter((g) => groupAlive(g.pgid));
    this.groups.length = 0;
    for (const g of alive) signalGroup(g.pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive.some((g) => groupAlive(g.pgid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const g of alive) if (groupAlive(g.pgid)) signalGroup(g.pgid, 'SIGKILL');
    return alive;
  }
}

/** Sends `signal` to every process of group `pgid` (never throws: a group gone is fine). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // gone meanwhile
  }
}
