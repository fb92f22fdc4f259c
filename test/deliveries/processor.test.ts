import { pino } from 'pino';
import { DeliveryProcessor } from '../../src/deliveries/processor.js';
import { gaveUpReason, retryDelay } from '../../src/deliveries/retry.js';
import type { DeliveryRecord, Store } from '../../src/store/types.js';
import { livenessLockName } from '../../src/store/postgres/inbox.js';
import { postgresBackend, sqliteBackend, type BackendStore } from '../helpers/store-backends.js';

const log = pino({ level: 'silent' });
const delivery = (id: string, repo: string) => ({
  id,
  event: 'push',
  action: null,
  installationId: 1,
  repository: repo,
  payload: { repository: { full_name: repo } },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

describe('the retry backoff (issue 12, item 8)', () => {
  it('doubles from the first delay, caps at the longest, and spreads by ±20 %', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 12, 13, 60].map((a) => retryDelay(a, 1000, 3_600_000, mid))).toEqual([1000, 2000, 4000, 8000, 2_048_000, 3_600_000, 3_600_000]);
    expect(retryDelay(1, 1000, 3_600_000, () => 0)).toBe(800);
    expect(retryDelay(1, 1000, 3_600_000, () => 1)).toBe(1200);
  });

  it('keeps a delivery retrying for GitHub’s 3-day redelivery window with the defaults, hourly once the backoff is capped', () => {
    let elapsed = 0;
    let attempts = 0;
    while (elapsed + retryDelay(attempts + 1, 1000, 3_600_000, () => 0.5) <= 3 * 86_400_000) elapsed += retryDelay(++attempts, 1000, 3_600_000, () => 0.5);
    expect(attempts).toBeGreaterThan(70);
    expect(elapsed).toBeGreaterThan(71 * 3_600_000);
    expect(gaveUpReason(attempts, elapsed, 'GitHub answered 502')).toBe(`gave up after ${attempts} attempts over 3 d: GitHub answered 502`);
  });
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  const suite = backend.unavailable ? describe.skip : describe;
  if (backend.unavailable) console.warn(`skipping the delivery processor on ${backend.name}: ${backend.unavailable}`);

  suite(`the delivery inbox on ${backend.name} (SPEC.md rule 9)`, () => {
    let db: BackendStore;
    let store: Store;
    const processors: DeliveryProcessor[] = [];
    const start = (s: Store, handle: (d: DeliveryRecord) => Promise<void>, options = {}) => {
      const p = new DeliveryProcessor(s, handle, log, { pollIntervalMs: 20, ...options });
      processors.push(p);
      return p;
    };
    beforeEach(async () => {
      db = await backend.fresh();
      store = db.store;
    });
    afterEach(async () => {
      await Promise.all(processors.splice(0).map((p) => p.stop()));
      await db.cleanup();
    });
    afterAll(async () => backend.shutdown());

    it('handles one repository in arrival order and other repositories alongside', async () => {
      const seen: string[] = [];
      let active = 0;
      let maxActive = 0;
      const processor = start(store, async (d: DeliveryRecord) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(d.id.startsWith('a') ? 20 : 5);
        seen.push(d.id);
        active--;
      });
      for (const id of ['a1', 'b1', 'a2', 'b2', 'a3']) await store.recordDelivery(delivery(id, id.startsWith('a') ? 'o/a' : 'o/b'));
      processor.kick();
      await processor.idle();
      expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
      expect(seen.filter((s) => s.startsWith('b'))).toEqual(['b1', 'b2']);
      expect(maxActive).toBe(2);
      expect(await store.pendingDeliveries(10)).toEqual([]);
    });

    it('asks the store for the next retry only while one may be pending: at start, after a deferral; a retry recorded before a restart is made', async () => {
      let asked = 0;
      const nextRetryAt = store.nextRetryAt.bind(store);
      store.nextRetryAt = () => {
        asked++;
        return nextRetryAt();
      };
      // A retry recorded by an earlier process, due shortly.
      await store.recordDelivery(delivery('left', 'o/left'));
      await store.deferDelivery('left', Date.now() + 30, 'GitHub answered 502');
      const handled: string[] = [];
      const processor = start(store, async (d) => {
        handled.push(d.id);
      });
      processor.kick();
      await until(() => handled.includes('left'), 'the retry recorded before the start');
      await processor.idle();
      for (const id of ['p1', 'p2', 'p3', 'p4']) {
        await store.recordDelivery(delivery(id, `o/${id}`));
        processor.kick();
        await processor.idle();
      }
      expect(handled).toEqual(['left', 'p1', 'p2', 'p3', 'p4']);
      // Replicas sharing the store ask after every drain (another may have deferred one); alone, not once the store held none.
      const afterRetry = asked;
      for (const id of ['q1', 'q2']) {
        await store.recordDelivery(delivery(id, `o/${id}`));
        processor.kick();
        await processor.idle();
      }
      if (processor.coordinator.shared) expect(asked).toBeGreaterThan(afterRetry);
      else expect(asked).toBe(afterRetry);
    });

    it('retries a failing delivery with backoff, then gives up and records why; the others go on', async () => {
      const attempts = new Map<string, number>();
      const processor = start(
        store,
        async (d) => {
          attempts.set(d.id, (attempts.get(d.id) ?? 0) + 1);
          if (d.id === 'flaky' && attempts.get(d.id)! < 2) throw new Error('GitHub answered 502');
          if (d.id === 'broken') throw new Error('always broken');
        },
        { maxAttempts: 3, retryDelayMs: 10 },
      );
      for (const id of ['flaky', 'broken', 'fine']) await store.recordDelivery(delivery(id, 'o/r'));
      processor.kick();
      await until(async () => (await store.pendingDeliveries(10)).length === 0, 'every delivery to end');
      expect(Object.fromEntries(attempts)).toEqual({ flaky: 2, broken: 3, fine: 1 });
      expect(await store.deliveryStatus('flaky')).toMatchObject({ state: 'processed', attempts: 1, reason: null });
      expect(await store.deliveryStatus('broken')).toMatchObject({ state: 'failed', attempts: 3, reason: 'gave up after 3 attempts: always broken' });
      expect(await store.deliveryStatus('fine')).toMatchObject({ state: 'processed', attempts: 0 });
    });

    it('keeps a repository in arrival order across a transient failure: its later delivery waits for the retry, other repositories do not', async () => {
      // The scheduler benchmark's 300 pushes/s run: a push whose dispatch met "other side closed" was retried after the
      // next push of its repository, which then started instead of it (runs dispatched ≠ the reference model's).
      const seen: string[] = [];
      let failures = 0;
      const processor = start(
        store,
        async (d) => {
          if (d.id === 'a1' && failures++ === 0) throw new Error('other side closed');
          seen.push(d.id);
        },
        { retryDelayMs: 150 },
      );
      for (const id of ['a1', 'a2', 'b1']) await store.recordDelivery(delivery(id, id.startsWith('a') ? 'o/a' : 'o/b'));
      processor.kick();
      // The failure's bookkeeping is written alongside b1's handling: wait for both.
      await until(async () => seen.includes('b1') && (await store.deliveryStatus('a1'))?.state === 'retrying', 'the other repository');
      expect(seen).toEqual(['b1']);
      expect(await store.deliveryStatus('a1')).toMatchObject({ state: 'retrying', reason: 'other side closed', attempts: 1 });
      await until(() => seen.length === 3, 'the retry and the later delivery');
      expect(seen).toEqual(['b1', 'a1', 'a2']);
      expect(await store.deliveryStatus('a1')).toMatchObject({ state: 'processed', reason: null });
      // a2's end is written after its handler returns (group commit): then nothing is left to claim.
      await until(async () => (await store.deliveryStatus('a2'))?.state === 'processed', 'the later delivery recorded processed');
      expect(await store.pendingDeliveries(10)).toEqual([]);
    });

    it('frees the repository when the retry is further off than inPlaceRetryMs: the later delivery goes ahead', async () => {
      const seen: string[] = [];
      let failures = 0;
      const processor = start(
        store,
        async (d) => {
          if (d.id === 'a1' && failures++ === 0) throw new Error('GitHub answered 502');
          seen.push(d.id);
        },
        { retryDelayMs: 300, inPlaceRetryMs: 100 },
      );
      for (const id of ['a1', 'a2']) await store.recordDelivery(delivery(id, 'o/a'));
      processor.kick();
      await until(() => seen.length === 2, 'both deliveries');
      expect(seen).toEqual(['a2', 'a1']);
    });

    it('gives up on time, not on a count, by default: the delivery retries until the window closes', async () => {
      let calls = 0;
      const processor = start(
        store,
        async () => {
          calls++;
          throw new Error('GitHub answered 503');
        },
        { retryDelayMs: 20, maxRetryDelayMs: 40, giveUpAfterMs: 400 },
      );
      await store.recordDelivery(delivery('down', 'o/r'));
      processor.kick();
      await until(async () => (await store.deliveryStatus('down'))?.state === 'failed', 'the delivery to be given up');
      expect(calls).toBeGreaterThanOrEqual(5);
      expect((await store.deliveryStatus('down'))!.reason).toBe(`gave up after ${calls} attempts: GitHub answered 503`);
    });

    it('keeps a waiting retry across a restart: the next process retries it when due and it reads "retrying" meanwhile', async () => {
      const first = start(
        store,
        async () => {
          throw new Error('GitHub answered 502');
        },
        { retryDelayMs: 400, maxRetryDelayMs: 400 },
      );
      await store.recordDelivery(delivery('later', 'o/r'));
      first.kick();
      await until(async () => (await store.deliveryStatus('later'))?.state === 'retrying', 'the first failure');
      await first.stop();
      const status = (await store.deliveryStatus('later'))!;
      expect(status).toMatchObject({ state: 'retrying', reason: 'GitHub answered 502', attempts: 1 });
      expect(status.nextAttemptAt).toBeGreaterThan(Date.now());

      const reopened = await db.open();
      const seen: number[] = [];
      const second = start(reopened, async () => void seen.push(Date.now()));
      second.kick();
      await until(async () => (await reopened.deliveryStatus('later'))?.state === 'processed', 'the retry after the restart');
      expect(seen).toHaveLength(1);
      expect(seen[0]).toBeGreaterThanOrEqual(status.nextAttemptAt!);
      expect((await reopened.deliveryStatus('later'))!.reason).toBeNull();
    });

    it('takes over what a killed process had claimed: at once on SQLite (one process), after the lease on PostgreSQL', async () => {
      await store.recordDelivery(delivery('claimed', 'o/r'));
      await store.recordDelivery(delivery('after', 'o/r'));
      const claimed = await store.claimDeliveries({ replica: 'killed-replica', now: Date.now(), leaseMs: 600, limit: 1 });
      expect(claimed.map((d) => d.id)).toEqual(['claimed']);
      const seen: Array<[string, number]> = [];
      const started = Date.now();
      const processor = start(store, async (d) => void seen.push([d.id, Date.now() - started]));
      processor.kick();
      await until(() => seen.length === 2, 'both deliveries');
      expect(seen.map(([id]) => id)).toEqual(['claimed', 'after']);
      if (backend.name === 'SQLite') expect(seen[0]![1]).toBeLessThan(600);
      else expect(seen[0]![1]).toBeGreaterThanOrEqual(550);
    });

    it('holds at most maxInFlight deliveries claimed: the rest stay in the inbox until room frees', async () => {
      let active = 0;
      let maxActive = 0;
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      const processor = start(
        store,
        async () => {
          active++;
          maxActive = Math.max(maxActive, active);
          await gate;
          active--;
        },
        { maxInFlight: 3 },
      );
      for (let i = 0; i < 10; i++) await store.recordDelivery(delivery(`m${i}`, `o/r${i}`));
      processor.kick();
      await until(async () => active === 3, 'three handlers to run');
      await sleep(100);
      expect(active).toBe(3);
      const statuses = await Promise.all((await store.pendingDeliveries(100)).map((d) => store.deliveryStatus(d.id)));
      expect(statuses.filter((d) => d?.claimedBy)).toHaveLength(3);
      open();
      await processor.idle();
      expect(maxActive).toBe(3);
      expect(await store.countPendingDeliveries()).toBe(0);
    });

    it('claims again once minClaim deliveries of room are free while busy (one claim, not one per finished delivery)', async () => {
      const gates = new Map<string, () => void>();
      const processor = start(store, (d) => new Promise<void>((r) => gates.set(d.id, r)), { maxInFlight: 4, minClaim: 2 });
      for (let i = 0; i < 10; i++) await store.recordDelivery(delivery(`c${i}`, `o/r${i}`));
      const claimed = async () =>
        (await Promise.all((await store.pendingDeliveries(100)).map((d) => store.deliveryStatus(d.id)))).filter((d) => d?.claimedBy).length;
      processor.kick();
      await until(() => gates.size === 4, 'four handlers to run');
      gates.get('c0')!();
      await until(async () => (await store.countPendingDeliveries()) === 9, 'c0 to finish');
      await sleep(100);
      // One room free: the replica is busy and waits for a second.
      expect(await claimed()).toBe(3);
      expect(gates.size).toBe(4);
      gates.get('c1')!();
      await until(() => gates.size === 6, 'two more handlers to start together');
      expect(await claimed()).toBe(4);
      for (;;) {
        for (const open of gates.values()) open();
        if ((await store.countPendingDeliveries()) === 0) break;
        await sleep(10);
      }
      await processor.idle();
    });

    it('starts no handler while a delivery is being recorded (its webhook answer waits for that), then goes on', async () => {
      const handled: string[] = [];
      const processor = start(store, async (d) => void handled.push(d.id), { admission: { maxHoldMs: 60_000 } });
      await store.recordDelivery(delivery('held', 'o/r'));
      let recorded!: () => void;
      const recording = processor.admission.recording(() => new Promise<void>((r) => (recorded = r)));
      expect(processor.admission.recordingCount).toBe(1);
      processor.kick();
      await sleep(150);
      expect(handled).toEqual([]);
      recorded();
      await recording;
      await processor.idle();
      expect(handled).toEqual(['held']);
    });

    it('picks up what a previous process recorded but never processed', async () => {
      await store.recordDelivery(delivery('left-over', 'o/r'));
      const seen: string[] = [];
      const processor = start(store, async (d) => void seen.push(d.id));
      processor.kick();
      await processor.idle();
      expect(seen).toEqual(['left-over']);
    });

    if (backend.name === 'PostgreSQL') {
      it('hands the deliveries a stopping replica has not started to the others at once (a rolling deploy)', async () => {
        const handled: Array<[string, string]> = [];
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const a = start(
          store,
          async (d) => {
            handled.push(['a', d.id]);
            await gate;
          },
          { leaseMs: 60_000 },
        );
        for (const id of ['d1', 'd2', 'd3']) await store.recordDelivery(delivery(id, 'o/r'));
        a.kick();
        await until(() => handled.length === 1, 'a to start d1');
        const stopped = a.stop();
        release();
        await stopped;
        const b = start(await db.open(), async (d) => void handled.push(['b', d.id]), { leaseMs: 60_000 });
        b.kick();
        await until(() => handled.length === 3, 'b to take d2 and d3 over');
        expect(handled).toEqual([
          ['a', 'd1'],
          ['b', 'd2'],
          ['b', 'd3'],
        ]);
      });
    }

    if (backend.name === 'PostgreSQL')
      it('a replica whose lock connection is lost: its claims go to whichever replica claims next, each delivery handled once, in order', async () => {
        const handled: Array<[string, string]> = [];
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const a = start(
          store,
          async (d) => {
            handled.push(['a', d.id]);
            if (d.id === 'd1') await gate;
          },
          { leaseMs: 60_000 },
        );
        for (const id of ['d1', 'd2', 'd3']) await store.recordDelivery(delivery(id, 'o/r'));
        a.kick();
        await until(() => handled.length === 1, 'a to start d1');
        const claimedAs = a.replicaId;
        expect((await store.deliveryStatus('d3'))!.claimedBy).toBe(claimedAs);
        // a's lock connection is cut (not its process): PostgreSQL frees its liveness lock, and a goes on under a new id.
        const pool = (store as unknown as { pool: import('pg').Pool }).pool;
        const cut = await pool.query(
          `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)`,
          [livenessLockName(claimedAs)],
        );
        expect(cut.rowCount).toBe(1);
        const b = start(await db.open(), async (d) => void handled.push(['b', d.id]), { leaseMs: 60_000 });
        b.kick();
        // The old id's claims are void at once (their 60 s leases notwithstanding): a's new session or b claims them.
        // d1's handler on a cannot be stopped midway; d1 is a's again if a claims it first (d2 and d3 then wait behind
        // it, in order), else b handles it once more.
        const takenOver = async () => {
          for (const id of ['d1', 'd2', 'd3']) {
            const status = (await store.deliveryStatus(id))!;
            if (status.state !== 'processed' && (status.claimedBy === null || status.claimedBy === claimedAs)) return false;
          }
          return true;
        };
        await until(takenOver, 'the claims taken over long before their lease ran out');
        release();
        await a.idle();
        await b.idle();
        expect(a.replicaId).not.toBe(claimedAs);
        const ids = handled.map(([, id]) => id);
        expect(ids.filter((id) => id === 'd2')).toHaveLength(1);
        expect(ids.filter((id) => id === 'd3')).toHaveLength(1);
        expect(ids.indexOf('d1')).toBeLessThan(ids.indexOf('d2'));
        expect(ids.indexOf('d2')).toBeLessThan(ids.indexOf('d3'));
        for (const id of ['d1', 'd2', 'd3']) expect(await store.deliveryStatus(id)).toMatchObject({ state: 'processed', claimedBy: null });
      });

    // Several replicas need PostgreSQL: a SQLite file belongs to one process (which voids older claims when it starts).
    if (backend.name === 'PostgreSQL')
      it('shares the work between replicas: each delivery handled once, each repository in order, never two at once', async () => {
        const seen: Array<{ id: string; replica: number }> = [];
        const busy = new Set<string>();
        let overlap = 0;
        const stores = [store, await db.open(), await db.open()];
        const replicas = stores.map((s, k) =>
          start(s, async (d) => {
            const repo = d.repository!;
            if (busy.has(repo)) overlap++;
            busy.add(repo);
            await sleep(2);
            busy.delete(repo);
            seen.push({ id: d.id, replica: k });
          }),
        );
        const ids: string[] = [];
        for (let i = 0; i < 90; i++) {
          ids.push(`d${i}`);
          await stores[i % 3]!.recordDelivery(delivery(`d${i}`, `o/r${i % 5}`));
          replicas[i % 3]!.kick();
        }
        await until(() => seen.length >= 90, 'every delivery');
        await sleep(100);
        expect(seen.map((s) => s.id).sort()).toEqual([...ids].sort());
        expect(overlap).toBe(0);
        for (let r = 0; r < 5; r++) {
          const order = seen.filter((s) => Number(s.id.slice(1)) % 5 === r).map((s) => Number(s.id.slice(1)));
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }
        expect(new Set(seen.map((s) => s.replica)).size).toBeGreaterThan(1);
      });
  });
}
