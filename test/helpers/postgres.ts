import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/server.js';

/** A PostgreSQL server started for a test run, in its own temporary folder. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  /** The server's data directory (its log is `log` in it). */
  dataDir: string;
  /** A new empty database on this server; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`), or kills it at once with `immediate`. */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Starts the stopped server again on the same port and data. */
  start(): void;
  /** Stops the server and removes its folder. */
  destroy(): void;
}

/** Where Debian's `postgresql` package puts the server binaries (the newest version), or null when it is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : null;
}

/**
 * Why PostgreSQL tests cannot run here (no server binaries), or null when they can.
 * In CI (`CI` set, as `.ci/run` does) a missing server is an error, never a skip.
 * @throws in CI when the `postgresql` package is missing
 */
export function postgresUnavailable(): string | null {
  if (postgresBinDir()) return null;
  const reason = 'PostgreSQL is not installed (Debian: apt-get install -y postgresql); the PostgreSQL store tests did not run';
  if (process.env.CI) throw new Error(reason);
  return reason;
}

/**
 * Starts a throwaway PostgreSQL server without systemd, as REFERENCE.md describes:
 * `initdb` into a temporary folder (trust authentication, user `postgres`), then
 * `pg_ctl start` listening on 127.0.0.1 at a free port with its socket in that folder.
 * Run as root, both run as the `postgres` user (PostgreSQL refuses root) and the folder
 * is handed to it. fsync is off: the data is thrown away.
 * @param settings more server settings (`-c name=value` each), e.g. `{ shared_preload_libraries: 'pg_stat_statements' }`
 * @throws when the binaries are missing or the server does not start (its log in the message)
 */
export async function startPostgres(settings: Record<string, string | number> = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilds-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres:postgres', dataDir]);
  const run = (file: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, file), ...args]] : [path.join(bin, file), args];
    const r = spawnSync(cmd, argv as string[], { encoding: 'utf8' });
    if (r.status !== 0) {
      const log = fs.existsSync(path.join(dataDir, 'log')) ? fs.readFileSync(path.join(dataDir, 'log'), 'utf8').slice(-2000) : '';
      throw new Error(`${file} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}\n${log}`);
    }
  };
  run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort('127.0.0.1');
  const options = `-k ${dataDir} -c listen_addresses=127.0.0.1 -p ${port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200${Object.entries(
    settings,
  )
    .map(([k, v]) => ` -c ${k}=${v}`)
    .join('')}`;
  const start = () => run('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(dataDir, 'log'), '-w', '-t', '30', 'start']);
  start();
  let running = true;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  const stop = (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    run('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    running = false;
  };
  return {
    url,
    port,
    dataDir,
    async createDatabase(name = `test_${process.pid}_${++databases}`) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
    start() {
      if (running) return;
      start();
      running = true;
    },
    destroy() {
      try {
        stop('immediate');
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
