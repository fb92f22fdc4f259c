import path from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from './postgres.js';
import { tempDir } from './tmp.js';

/** A fresh, migrated store and how to open a second handle on the same database (another replica). */
export interface BackendStore {
  store: Store;
  /** Another store on the same database (for PostgreSQL: another pool, as a second replica has). */
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

/** One database the store contract runs against. */
export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** Why it cannot run here (printed, never in CI), or null. */
  unavailable: string | null;
  fresh(): Promise<BackendStore>;
  /** Stops what the backend started (the PostgreSQL server). */
  shutdown(): Promise<void>;
}

/** SQLite on a real file in a temporary folder. */
export function sqliteBackend(): Backend {
  return {
    name: 'SQLite',
    unavailable: null,
    async fresh() {
      const tmp = tempDir();
      const file = path.join(tmp.dir, 'db.sqlite');
      const opened: Store[] = [];
      const open = async () => {
        const s = await openStore(file);
        opened.push(s);
        return s;
      };
      const store = await open();
      return { store, open, cleanup: async () => (await Promise.all(opened.map((s) => s.close())), tmp.cleanup()) };
    },
    async shutdown() {},
  };
}

/** A real PostgreSQL server (started on first use), one new database per store. */
export function postgresBackend(): Backend {
  const unavailable = postgresUnavailable();
  let server: Promise<TestPostgres> | null = null;
  return {
    name: 'PostgreSQL',
    unavailable,
    async fresh() {
      server ??= startPostgres();
      const url = await (await server).createDatabase();
      const opened: Store[] = [];
      const open = async () => {
        const s = await openStore(url);
        opened.push(s);
        return s;
      };
      const store = await open();
      return { store, open, cleanup: async () => void (await Promise.all(opened.map((s) => s.close()))) };
    },
    async shutdown() {
      if (server) (await server).destroy();
    },
  };
}

/** The repository the store tests write to. */
export const STORE_REPO = { owner: 'octo', repo: 'app' };

/** A new prebuild of STORE_REPO's `devcontainer` at `a…a` on main (what `createPrebuild` takes); `over` replaces fields. */
export function newPrebuild(over: Record<string, unknown> = {}) {
  return {
    ...STORE_REPO,
    installationId: 1,
    configuration: 'devcontainer',
    identity: 'id-a',
    branch: 'main',
    sha: 'a'.repeat(40),
    prNumber: null,
    trigger: 'push' as const,
    workflow: 'prebuild.yml',
    timeoutMinutes: 60,
    ...over,
  };
}

/** What a store contract part's tests read: set before each test, a fresh migrated store each time. */
export interface StoreContractContext {
  backend: Backend;
  db: BackendStore;
  store: Store;
}

/**
 * Declares one part of the store contract on every backend: SQLite, and a real PostgreSQL
 * server when its binaries are installed (skipped with the reason printed otherwise; in CI
 * `postgresUnavailable` fails instead). `body` declares the tests and reads `ctx`, which
 * holds a fresh store before each test.
 */
export function storeContract(part: string, body: (ctx: StoreContractContext) => void): void {
  for (const backend of [sqliteBackend(), postgresBackend()]) {
    const suite = backend.unavailable ? describe.skip : describe;
    if (backend.unavailable) console.warn(`skipping the ${backend.name} store contract (${part}): ${backend.unavailable}`);
    suite(`the store contract (${part}) on ${backend.name}`, () => {
      const ctx = { backend } as StoreContractContext;
      beforeEach(async () => {
        ctx.db = await backend.fresh();
        ctx.store = ctx.db.store;
      });
      afterEach(async () => ctx.db.cleanup());
      afterAll(async () => backend.shutdown());
      body(ctx);
    });
  }
}
