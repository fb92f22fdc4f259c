import pg from 'pg';
import { pino } from 'pino';
import { LocalCoordinator, PostgresCoordinator, type Coordinator } from '../../src/coordination/index.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` tasks of one key from each coordinator at once; returns the most that ever overlapped. */
async function overlap(coordinators: Coordinator[], n: number): Promise<number> {
  let active = 0;
  let most = 0;
  await Promise.all(
    coordinators.flatMap((c) =>
      Array.from({ length: n }, () =>
        c.withLock('octo/app', async () => {
          most = Math.max(most, ++active);
          await sleep(3);
          active--;
        }),
      ),
    ),
  );
  return most;
}

describe('the local coordinator (one process, SQLite)', () => {
  it('runs one key at a time and leads every role', async () => {
    const c = new LocalCoordinator();
    expect(await overlap([c], 10)).toBe(1);
    expect(await c.lead('reconciler')).toBe(true);
    await expect(c.withLock('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await c.withLock('k', async () => 'after a failure')).toBe('after a failure');
  });
});

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the PostgreSQL coordinator: ${unavailable}`);
(unavailable ? describe.skip : describe)('the PostgreSQL coordinator (advisory locks)', () => {
  let server: TestPostgres;
  let url: string;
  const made: Coordinator[] = [];
  const coordinator = () => {
    const c = new PostgresCoordinator({ connection: { connectionString: url }, log });
    made.push(c);
    return c;
  };
  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
  });
  afterEach(async () => Promise.all(made.splice(0).map((c) => c.close())));
  afterAll(() => server?.destroy());

  it('never runs one key on two replicas at once, and runs other keys alongside', async () => {
    const [a, b, c] = [coordinator(), coordinator(), coordinator()];
    expect(await overlap([a, b, c], 8)).toBe(1);
    let inOther = false;
    await a.withLock('x', async () => {
      await b.withLock('y', async () => void (inOther = true));
    });
    expect(inOther).toBe(true);
  });

  it('gives a role to one replica, and to another when the holder dies', async () => {
    const [a, b] = [coordinator(), coordinator()];
    expect(await a.lead('reconciler')).toBe(true);
    expect(await b.lead('reconciler')).toBe(false);
    expect(await b.lead('schedules')).toBe(true);
    expect(await a.lead('reconciler')).toBe(true);
    // The holder's connection is killed (as when its process dies): PostgreSQL frees its locks.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND ((classid::bigint << 32) | objid::bigint) = hashtextextended('leader:reconciler', 0)`,
    );
    expect(killed.rowCount).toBe(1);
    await admin.end();
    for (let i = 0; i < 100 && !(await b.lead('reconciler')); i++) await sleep(20);
    expect(await b.lead('reconciler')).toBe(true);
    expect(await a.lead('reconciler')).toBe(false);
    // a reconnects on its next use and can lock again.
    expect(await a.withLock('k', async () => 'reconnected')).toBe('reconnected');
  });

  it('takes and frees the locks of many repositories in a few statements, not one each', async () => {
    const [a, b] = [coordinator(), coordinator()];
    await a.withLock('warm-up', async () => undefined); // the connection is open
    // Every statement the coordinators send, counted on pg's own client.
    const query = pg.Client.prototype.query;
    let statements = 0;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    try {
      let inside = 0;
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      // 50 repositories at once on one replica, all under their locks at the same time, finishing together …
      const all = Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          a.withLock(`octo/repo-${i}`, async () => {
            if (++inside === 50) open();
            await gate;
          }),
        ),
      );
      await all;
      expect(inside).toBe(50);
      // … through one statement taking them and one freeing them (one each before: 100).
      expect(statements).toBe(2);
    } finally {
      pg.Client.prototype.query = query;
    }
    // And they were really taken and freed: another replica finds each free now, and busy while a holds it.
    expect(await b.withLock('octo/repo-7', async () => 'free')).toBe('free');
    let taken = false;
    const waiting: Promise<void>[] = [];
    await a.withLock('octo/repo-8', async () => {
      waiting.push(b.withLock('octo/repo-8', async () => void (taken = true)));
      await sleep(100);
      expect(taken).toBe(false);
    });
    await Promise.all(waiting);
    expect(taken).toBe(true);
  });

  it('frees a role for the others when a replica closes (a rolling deploy)', async () => {
    const [a, b] = [coordinator(), coordinator()];
    expect(await a.lead('reconciler')).toBe(true);
    expect(await b.lead('reconciler')).toBe(false);
    await a.close();
    expect(await b.lead('reconciler')).toBe(true);
  });
});
