import pg from 'pg';
import { pino } from 'pino';
import { LocalCoordinator, PostgresCoordinator, type Coordinator } from '../../src/coordination/index.js';
import { openStore } from '../../src/store/index.js';
import { livenessLockName } from '../../src/store/postgres/inbox.js';
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

  /** Ends the server session holding the named advisory lock (as when its process is killed); how many were ended. */
  const terminateHolder = async (name: string) => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const r = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
        [name],
      );
      return r.rowCount;
    } finally {
      await admin.end();
    }
  };

  it("holds a liveness lock for its replica id: a dead replica's claims go to another at once, a live one's and an unmarked one's stay until their lease", async () => {
    const store = await openStore(url);
    try {
      const [a, b] = [coordinator(), coordinator()];
      const [la, lb] = [await a.live(), await b.live()];
      expect(la.replicaId).toMatch(/:live$/);
      expect(la.replicaId).not.toBe(lb.replicaId);
      const record = (id: string, repository: string) => store.recordDelivery({ id, event: 'push', action: null, installationId: 1, repository, payload: {} });
      for (const [id, repository] of [
        ['live-1', 'o/one'],
        ['live-2', 'o/one'],
        ['live-3', 'o/two'],
        ['old-1', 'o/three'],
      ] as const)
        await record(id, repository);
      const lease = { now: Date.now(), leaseMs: 600_000 };
      const ids = (ds: Array<{ id: string }>) => ds.map((d) => d.id);
      expect(ids(await store.claimDeliveries({ replica: la.replicaId, ...lease, limit: 3 }))).toEqual(['live-1', 'live-2', 'live-3']);
      // A replica of an earlier version (its id not marked live) holds a claim too.
      expect(ids(await store.claimDeliveries({ replica: 'old-host:1:abcdef', ...lease, limit: 8 }))).toEqual(['old-1']);
      await record('live-4', 'o/one'); // a later delivery of a repository a holds
      // a is alive: b takes nothing of a's, nor of its repositories, nor the unmarked replica's.
      expect(await store.claimDeliveries({ replica: lb.replicaId, ...lease, limit: 8 })).toEqual([]);
      // a's lock connection dies (its process killed): PostgreSQL frees its liveness lock …
      expect(await terminateHolder(livenessLockName(la.replicaId))).toBe(1);
      // … and b's next claims take a's deliveries and the repository's later one, in order, long before the lease runs out.
      let taken: string[] = [];
      for (let i = 0; i < 100 && taken.length < 4; i++) {
        taken.push(...ids(await store.claimDeliveries({ replica: lb.replicaId, now: Date.now(), leaseMs: 600_000, limit: 8 })));
        if (taken.length < 4) await sleep(20);
      }
      expect(taken).toEqual(['live-1', 'live-2', 'live-3', 'live-4']);
      expect((await store.deliveryStatus('old-1'))!.claimedBy).toBe('old-host:1:abcdef');
      // a goes on under a new id and session (the old claims are not its own any more), live again.
      for (let i = 0; i < 100 && a.session === la.session; i++) await sleep(20);
      const again = await a.live();
      expect(again.session).not.toBe(la.session);
      expect(again.replicaId).not.toBe(la.replicaId);
      expect(again.replicaId).toMatch(/:live$/);
      await record('live-5', 'o/four');
      expect(ids(await store.claimDeliveries({ replica: again.replicaId, now: Date.now(), leaseMs: 600_000, limit: 8 }))).toEqual(['live-5']);
      // Its new session's claims are held again: b cannot take them.
      taken = ids(await store.claimDeliveries({ replica: lb.replicaId, now: Date.now(), leaseMs: 600_000, limit: 8 }));
      expect(taken).toEqual([]);
      // A replica closed (SIGTERM) frees its lock as well.
      await b.close();
      await record('live-6', 'o/one');
      expect(ids(await store.claimDeliveries({ replica: again.replicaId, now: Date.now(), leaseMs: 600_000, limit: 8 }))).toEqual([
        'live-1',
        'live-2',
        'live-3',
        'live-4',
        'live-6',
      ]);
    } finally {
      await store.close();
    }
  });
});
