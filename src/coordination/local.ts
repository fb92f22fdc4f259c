import type { Coordinator } from './types.js';
import { KeyedMutex, newReplicaId } from './replica.js';

/**
 * The coordinator of a single process (the SQLite store): locks are in-process
 * mutexes and this process leads every role.
 */
export class LocalCoordinator implements Coordinator {
  readonly replicaId = newReplicaId();
  readonly shared = false;
  readonly session = 0;
  private readonly mutex = new KeyedMutex();

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(key, fn);
  }

  async live(): Promise<{ replicaId: string; session: number }> {
    return { replicaId: this.replicaId, session: 0 };
  }

  async lead(_role: string): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
