import { pino } from 'pino';
import { DeliveryProcessor, type ProcessorOptions } from '../../src/deliveries/processor.js';
import type { DeliveryRecord, Store } from '../../src/store/types.js';
import type { Backend, BackendStore } from './store-backends.js';

/** A push delivery of `repo` (what `recordDelivery` takes). */
export const pushDelivery = (id: string, repo: string) => ({
  id,
  event: 'push',
  action: null,
  installationId: 1,
  repository: repo,
  payload: { repository: { full_name: repo } },
});

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every 10 ms until it holds.
 * @throws Error naming `what` when it does not hold within `ms` milliseconds
 */
export async function until(check: () => Promise<boolean> | boolean, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** What a processor test reads: a fresh store before each test, and how to start processors on it (stopped after the test). */
export interface ProcessorFixture {
  db: BackendStore;
  store: Store;
  /** A processor polling every 20 ms unless `options` says otherwise; stopped after each test. */
  start(store: Store, handle: (d: DeliveryRecord) => Promise<void>, options?: Partial<ProcessorOptions>): DeliveryProcessor;
}

/** Registers the hooks of a processor suite on `backend` (inside its `describe`) and returns the fixture they fill. */
export function processorFixture(backend: Backend): ProcessorFixture {
  const log = pino({ level: 'silent' });
  const processors: DeliveryProcessor[] = [];
  const fixture = {
    start(store: Store, handle: (d: DeliveryRecord) => Promise<void>, options: Partial<ProcessorOptions> = {}) {
      const p = new DeliveryProcessor(store, handle, log, { pollIntervalMs: 20, ...options });
      processors.push(p);
      return p;
    },
  } as ProcessorFixture;
  beforeEach(async () => {
    fixture.db = await backend.fresh();
    fixture.store = fixture.db.store;
  });
  afterEach(async () => {
    await Promise.all(processors.splice(0).map((p) => p.stop()));
    await fixture.db.cleanup();
  });
  afterAll(async () => backend.shutdown());
  return fixture;
}
