import { gaveUpReason, retryDelay } from '../../src/deliveries/retry.js';
import type { DeliveryRecord, Store } from '../../src/store/types.js';
import { processorFixture, pushDelivery as delivery, sleep, until } from '../helpers/delivery-processors.js';
import { postgresBackend, sqliteBackend } from '../helpers/store-backends.js';

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
    const fixture = processorFixture(backend);
    const start = fixture.start;
    let store: Store;
    beforeEach(() => {
      store = fixture.store;
    });

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
      // Not once the store held none (replicas sharing the store leave the others' deferrals to the poll).
      const afterRetry = asked;
      for (const id of ['q1', 'q2']) {
        await store.recordDelivery(delivery(id, `o/${id}`));
        processor.kick();
        await processor.idle();
      }
      expect(asked).toBe(afterRetry);
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

      const reopened = await fixture.db.open();
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
  });
}
