/**
 * One pass over a buffer for several byte strings at once: the Wu–Manber
 * multi-pattern search (S. Wu, U. Manber, "A fast algorithm for multi-pattern
 * searching", 1994) with blocks of two bytes. The secret scan (secret-scan.ts) uses
 * it so that five secret values cost one pass over the archive, not five: the window
 * is as long as the shortest needle, and it jumps by up to that length whenever its
 * last two bytes occur nowhere in the needles' prefixes (almost always, for random
 * tokens in source files and binaries).
 */

/** Two-byte blocks: 65 536 shift entries. */
const BLOCK_BYTES = 2;
/** Shifts are stored in a Uint8Array: the window never exceeds this. */
const MAX_WINDOW = 255;

/** A set of byte strings to look for, prepared once. */
export class NeedleSet {
  /** Length of the longest needle, bytes (a match spanning two buffers needs `maxLength - 1` bytes of overlap). */
  readonly maxLength: number;
  private readonly needles: readonly Buffer[];
  /** Window length: the shortest needle's, capped at {@link MAX_WINDOW}. */
  private readonly window: number;
  /** How far the window may move when its last block is the index. */
  private readonly shift = new Uint8Array(1 << 16);
  /** For a block that ends some needle's window prefix: those needles. */
  private readonly candidates = new Map<number, number[]>();

  /**
   * @param needles the byte strings, each at least two bytes long
   * @throws RangeError for a needle shorter than two bytes
   */
  constructor(needles: readonly Buffer[]) {
    if (needles.some((n) => n.length < BLOCK_BYTES)) throw new RangeError(`NeedleSet: every needle must be at least ${BLOCK_BYTES} bytes long`);
    this.needles = needles;
    this.maxLength = needles.reduce((max, n) => Math.max(max, n.length), 0);
    this.window = Math.min(MAX_WINDOW, ...needles.map((n) => n.length));
    const m = this.window;
    this.shift.fill(m - BLOCK_BYTES + 1);
    needles.forEach((needle, index) => {
      for (let j = BLOCK_BYTES - 1; j < m; j++) {
        const block = (needle[j - 1]! << 8) | needle[j]!;
        const s = m - 1 - j;
        if (s < this.shift[block]!) this.shift[block] = s;
        if (s === 0) {
          const list = this.candidates.get(block);
          if (list) list.push(index);
          else this.candidates.set(block, [index]);
        }
      }
    });
  }

  /**
   * Finds the first needle (in buffer order) lying wholly within `hay[from, to)`.
   * @returns the index of that needle in the constructor's list, or -1
   */
  find(hay: Buffer, from = 0, to = hay.length): number {
    if (this.needles.length === 0) return -1;
    const m = this.window;
    const shift = this.shift;
    let pos = from + m - 1;
    while (pos < to) {
      const block = (hay[pos - 1]! << 8) | hay[pos]!;
      const s = shift[block]!;
      if (s > 0) {
        pos += s;
        continue;
      }
      const start = pos - m + 1;
      for (const index of this.candidates.get(block)!) {
        const needle = this.needles[index]!;
        if (start + needle.length <= to && needle.compare(hay, start, start + needle.length) === 0) return index;
      }
      pos += 1;
    }
    return -1;
  }
}
