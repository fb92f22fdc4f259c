import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** A replica id unique to this process: `host:pid:random` (the random part tells a restarted pid apart). */
export function newReplicaId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * Runs tasks of one key one at a time, in call order, within this process (the
 * per-key mutex both coordinators need: PostgreSQL's session locks are re-entrant, so
 * two tasks of one process would otherwise both "hold" the same lock).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier task of `key` settled. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
