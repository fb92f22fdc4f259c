import path from 'node:path';
import { pino } from 'pino';
import { DeliveryProcessor } from '../../src/deliveries/processor.js';
import { openStore } from '../../src/store/index.js';
import type { DeliveryRecord, Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';

const log = pino({ level: 'silent' });
const delivery = (id: string, repo: string) => ({ id, event: 'push', action: null, installationId: 1, payload: { repository: { full_name: repo } } });

describe('the delivery inbox (SPEC.md rule 9)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(async () => {
    tmp = tempDir();
    store = await openStore(path.join(tmp.dir, 'db.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('handles one repository in arrival order and other repositories alongside', async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const processor = new DeliveryProcessor(store, async (d: DeliveryRecord) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, d.id.startsWith('a') ? 20 : 5));
      seen.push(d.id);
      active--;
    }, log);
    for (const id of ['a1', 'b1', 'a2', 'b2', 'a3']) await store.recordDelivery(delivery(id, id.startsWith('a') ? 'o/a' : 'o/b'));
    processor.kick();
    await processor.idle();
    expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(seen.filter((s) => s.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(maxActive).toBe(2);
    expect(await store.pendingDeliveries(10)).toEqual([]);
  });

  it('retries a failing delivery with backoff, then gives up and keeps the error; the others go on', async () => {
    const attempts = new Map<string, number>();
    const processor = new DeliveryProcessor(
      store,
      async (d) => {
        attempts.set(d.id, (attempts.get(d.id) ?? 0) + 1);
        if (d.id === 'flaky' && attempts.get(d.id)! < 2) throw new Error('GitHub answered 502');
        if (d.id === 'broken') throw new Error('always broken');
      },
      log,
      { maxAttempts: 3, retryDelayMs: 10 },
    );
    for (const id of ['flaky', 'broken', 'fine']) await store.recordDelivery(delivery(id, 'o/r'));
    processor.kick();
    for (let i = 0; i < 50 && (await store.pendingDeliveries(10)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(Object.fromEntries(attempts)).toEqual({ flaky: 2, broken: 3, fine: 1 });
    const db = (store as unknown as { db: { prepare(s: string): { all(): Array<{ id: string; error: string | null }> } } }).db;
    expect(db.prepare('SELECT id, error FROM deliveries ORDER BY seq').all()).toEqual([
      { id: 'flaky', error: null },
      { id: 'broken', error: 'always broken' },
      { id: 'fine', error: null },
    ]);
    await processor.stop();
  });

  it('picks up what a previous process recorded but never processed', async () => {
    await store.recordDelivery(delivery('left-over', 'o/r'));
    const seen: string[] = [];
    const processor = new DeliveryProcessor(store, async (d) => void seen.push(d.id), log);
    processor.kick();
    await processor.idle();
    expect(seen).toEqual(['left-over']);
  });
});
