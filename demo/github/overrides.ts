/**
 * Per-test replies: an operation (method + GitHub path template) can answer
 * something else than the stand-in would — a 5xx or 403, a network error, or its
 * own reply changed — for the next N requests or until removed. The request is
 * still authenticated and recorded in the exchange log like any other.
 */
import { matchTemplate, type Reply, type RouteRequest } from './router.js';

/** What an override answers: a reply, a dropped connection, or a function of the request and of what the stand-in would answer. */
export type OverrideReply =
  Reply | 'network-error' | ((req: RouteRequest, served: () => Promise<Reply>) => Reply | 'network-error' | Promise<Reply | 'network-error'>);

interface Entry {
  method: string;
  template: string;
  reply: OverrideReply;
  remaining: number;
}

/** The overrides of one stand-in, newest first. */
export class Overrides {
  private entries: Entry[] = [];

  /**
   * Makes `method template` answer `reply` for the next `times` requests (default: until removed).
   * @returns a function that removes the override
   */
  add(method: string, template: string, reply: OverrideReply, times = Infinity): () => void {
    const entry: Entry = { method: method.toUpperCase(), template, reply, remaining: times };
    this.entries.unshift(entry);
    return () => {
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** Removes every override. */
  clear(): void {
    this.entries = [];
  }

  /** The override for a request (counting it against `times`), or `null`. */
  take(method: string, path: string): { template: string; params: Record<string, string>; reply: OverrideReply } | null {
    for (const e of this.entries) {
      if (e.method !== method) continue;
      const params = matchTemplate(e.template, path);
      if (!params) continue;
      if (--e.remaining <= 0) this.entries = this.entries.filter((x) => x !== e);
      return { template: e.template, params, reply: e.reply };
    }
    return null;
  }
}
