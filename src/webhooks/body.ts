import type { Hmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Something fed the body's bytes as they arrive. */
type Hash = Pick<Hmac, 'update'>;

/**
 * The memory the webhook endpoint reads request bodies into, bounded whatever the
 * number of open requests. Large bodies (declared longer than `smallBytes`, or sent
 * without a length) are read into one of `slabs` reusable buffers of `maxBodyBytes`
 * each, created when first needed: a request finding none free is refused (503)
 * before a byte is read, and since slabs are reused, forged 25 MB bodies leave no
 * garbage behind for the collector. Small bodies (GitHub's ordinary deliveries, a few
 * kilobytes) have their own budget of `smallTotal` bytes, so a flood of big bodies
 * cannot starve them. Slabs unused for `idleMs` are dropped.
 */
export class BodyMemory {
  private readonly free: Buffer[] = [];
  private created = 0;
  private smallInUse = 0;
  private trim: NodeJS.Timeout | null = null;

  /**
   * @param maxBodyBytes largest body, bytes (the size of a slab)
   * @param slabs how many large bodies may be held at once
   * @param smallBytes largest declared `Content-Length` read outside the slabs
   * @param smallTotal bytes all small bodies together may hold
   */
  constructor(
    readonly maxBodyBytes: number,
    readonly slabs: number,
    readonly smallBytes: number,
    readonly smallTotal: number,
    private readonly idleMs = 30_000,
  ) {}

  /** A free slab, or null when all `slabs` are in use. */
  acquireSlab(): Buffer | null {
    if (this.trim) clearTimeout(this.trim);
    this.trim = null;
    const slab = this.free.pop();
    if (slab) return slab;
    if (this.created >= this.slabs) return null;
    this.created++;
    return Buffer.allocUnsafeSlow(this.maxBodyBytes);
  }

  /** Returns a slab; once all are back and stay unused for `idleMs`, they are dropped. */
  releaseSlab(slab: Buffer): void {
    this.free.push(slab);
    if (this.free.length === this.created && !this.trim) {
      this.trim = setTimeout(() => {
        this.trim = null;
        this.created -= this.free.length;
        this.free.length = 0;
      }, this.idleMs);
      this.trim.unref();
    }
  }

  /** Takes `n` bytes of the small budget; false when it is spent. */
  takeSmall(n: number): boolean {
    if (this.smallInUse + n > this.smallTotal) return false;
    this.smallInUse += n;
    return true;
  }

  /** Gives back bytes taken with {@link takeSmall}. */
  giveSmall(n: number): void {
    this.smallInUse = Math.max(0, this.smallInUse - n);
  }
}

/** Why a body was not read: the HTTP status to answer and a message for the sender. */
export interface BodyRefusal {
  status: 400 | 408 | 413 | 503;
  message: string;
}

/** A body read: valid until `release()`, which gives its memory back. */
export interface ReadBody {
  body: Buffer;
  release(): void;
}

/**
 * Reads a request body without ever holding more than `memory.maxBodyBytes` of it: a
 * declared `Content-Length` over the limit is refused (413) before a byte is read, and
 * reading stops at the first byte past it. A body must arrive within `timeoutMs` (408)
 * and match its declared length (400). On a refusal nothing is kept and the rest of the
 * body is left unread (answer with `Connection: close`). `digest` (an HMAC, say) is fed
 * each chunk as it arrives, so hashing a large body never blocks the event loop at once.
 */
export function readBoundedBody(req: IncomingMessage, memory: BodyMemory, timeoutMs: number, digest?: Hash): Promise<ReadBody | BodyRefusal> {
  const max = memory.maxBodyBytes;
  const declared = req.headers['content-length'];
  const length = declared === undefined ? null : Number(declared);
  if (length !== null && !(Number.isSafeInteger(length) && length >= 0)) return Promise.resolve({ status: 400, message: 'Content-Length is not a byte count' });
  if (length !== null && length > max) return Promise.resolve(tooLarge(max));
  const small = length !== null && length <= memory.smallBytes;
  let buffer: Buffer | null;
  if (small) buffer = memory.takeSmall(length) ? Buffer.allocUnsafe(length) : null;
  else buffer = memory.acquireSlab();
  if (!buffer) return Promise.resolve({ status: 503, message: 'too many webhook bodies in flight; try again' });
  const held = buffer;
  let returned = false;
  const giveBack = () => {
    if (returned) return;
    returned = true;
    if (small) memory.giveSmall(length!);
    else memory.releaseSlab(held);
  };
  const room = length ?? max;

  return new Promise((resolve) => {
    let taken = 0;
    let settled = false;
    const finish = (result: ReadBody | BodyRefusal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if ('status' in result) {
        giveBack();
        req.pause();
      }
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      if (taken + chunk.length > room) return finish(length === null ? tooLarge(max) : { status: 400, message: 'the body is longer than its Content-Length' });
      chunk.copy(held, taken);
      digest?.update(chunk);
      taken += chunk.length;
    };
    const onEnd = () => {
      if (length !== null && taken !== length) return finish({ status: 400, message: 'the body is shorter than its Content-Length' });
      finish({ body: held.subarray(0, taken), release: giveBack });
    };
    const onError = () => finish({ status: 400, message: 'the request body could not be read' });
    const onAborted = () => finish({ status: 400, message: 'the request was aborted' });
    const timer = setTimeout(() => finish({ status: 408, message: `the body did not arrive within ${timeoutMs} ms` }), timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(maxBytes: number): BodyRefusal {
  return { status: 413, message: `webhook payloads are at most ${maxBytes} bytes` };
}
