/**
 * The secret scan (SPEC.md `secrets`: a snapshot containing a secret's value is
 * refused). A pass-through stream between `tar -c` and the compressor: it follows
 * the tar stream's headers to know which file each data byte belongs to and looks
 * for every secret value in the file data as it streams by (a match spanning two
 * chunks is found through a small overlap), so scanning costs no second read of
 * the workspace. The first match fails the stream, naming the file and the
 * secret's name (never its value).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { NeedleSet } from './needle-search.js';
import { BLOCK, headerName, numberField, paxRecords } from './tar-header.js';

/** A secret the snapshot must not contain. */
export interface SecretValue {
  /** The secret's name (`NPM_TOKEN`), used in messages. */
  name: string;
  value: string;
}

/** Values shorter than this are not scanned for (they match by chance; GitHub's log masking has the same blind spot). */
export const MIN_SCANNED_LENGTH = 6;

/** A file of the snapshot holds a secret's value. */
export class SecretInSnapshotError extends Error {
  /**
   * @param file workspace-relative path of the file
   * @param secret the secret's name
   */
  constructor(
    readonly file: string,
    readonly secret: string,
  ) {
    super(
      `Refusing to save the snapshot: ${file} contains the value of the secret ${secret}. ` +
        'Lifecycle commands must not write secrets into the workspace (snapshots are readable by every workflow that can read the store): ' +
        'pass them through the environment, or write them outside the snapshot paths.',
    );
    this.name = 'SecretInSnapshotError';
  }
}

/** The values worth scanning for (unique, at least {@link MIN_SCANNED_LENGTH} characters). */
export function scannable(secrets: readonly SecretValue[]): SecretValue[] {
  const seen = new Set<string>();
  return secrets.filter((s) => s.value.length >= MIN_SCANNED_LENGTH && !seen.has(s.value) && Boolean(seen.add(s.value)));
}

const FILE_TYPES = new Set(['0', '\0', '7']);
const EMPTY = Buffer.alloc(0);

/** The scanning pass-through. Pipe `tar -c`'s output through it into the compressor. */
export class SecretScan extends Transform {
  /** The secrets' names, in the order of {@link search}'s needles. */
  private readonly names: readonly string[];
  private readonly search: NeedleSet;
  private readonly overlap: number;
  private readonly header = Buffer.alloc(BLOCK);
  private headerBytes = 0;
  /** Data bytes of the current entry still to come, then its padding. */
  private data = 0;
  private padding = 0;
  /** The current entry's pax `path` (else its name is in its header), and whether its data is file content to scan. */
  private entryPath: string | undefined;
  private scanning = false;
  /** The pax `x` entry being read (its records name the next entry). */
  private pax: Buffer[] | null = null;
  private paxPath: string | undefined;
  private paxSize: number | undefined;
  /** The last bytes of the current file seen so far (a match may span chunks). */
  private tail = Buffer.alloc(0);
  /** Bytes scanned (file data only). */
  scannedBytes = 0;

  constructor(secrets: readonly SecretValue[]) {
    super();
    const values = scannable(secrets);
    this.names = values.map((s) => s.name);
    this.search = new NeedleSet(values.map((s) => Buffer.from(s.value, 'utf8')));
    this.overlap = Math.max(0, this.search.maxLength - 1);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.walk(chunk);
      done(null, chunk);
    } catch (err) {
      done(err as Error);
    }
  }

  private walk(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.data > 0) {
        const n = Math.min(this.data, chunk.length - off);
        const slice = chunk.subarray(off, off + n);
        if (this.scanning) this.scan(slice, n < this.data);
        if (this.pax) this.pax.push(slice); // stream chunks are never reused, so a view is enough
        this.data -= n;
        off += n;
        if (this.data === 0) this.endData();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - off);
        this.padding -= n;
        off += n;
        continue;
      }
      const n = Math.min(BLOCK - this.headerBytes, chunk.length - off);
      chunk.copy(this.header, this.headerBytes, off, off + n);
      this.headerBytes += n;
      off += n;
      if (this.headerBytes < BLOCK) break;
      this.headerBytes = 0;
      this.onHeader();
    }
  }

  private onHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) return;
    const type = String.fromCharCode(h[156]!);
    const size = this.paxSize ?? numberField(h, 124, 12) ?? 0;
    if (type === 'x') {
      this.pax = [];
      this.paxSize = undefined;
      this.paxPath = undefined;
      this.scanning = false;
    } else if (type !== 'g') {
      // The name is read from the header (still in `this.header` while its data streams) only when reporting a match.
      this.entryPath = this.paxPath;
      this.scanning = FILE_TYPES.has(type) && this.names.length > 0;
      this.paxPath = undefined;
      this.paxSize = undefined;
      this.tail = EMPTY;
    }
    const data = FILE_TYPES.has(type) || type === 'x' || type === 'g' ? size : 0;
    this.data = data;
    this.padding = Math.ceil(data / BLOCK) * BLOCK - data;
    if (data === 0) this.endData();
  }

  private endData(): void {
    if (!this.pax) return;
    const data = this.pax.length === 1 ? this.pax[0]! : Buffer.concat(this.pax);
    this.pax = null;
    // GNU tar --posix writes a pax header before every file, mostly only times: parse it only when it names a path or size.
    const records = data.includes(' path=') || data.includes(' size=') ? paxRecords(data) : null;
    this.paxPath = records?.get('path');
    const size = records?.get('size');
    this.paxSize = size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined;
  }

  /**
   * Looks for every value in `slice` (one pass, {@link NeedleSet}) and across the seam
   * with the file's previous bytes; keeps the last `overlap` bytes when the file goes on.
   * @param more whether the current file has data after this slice
   */
  private scan(slice: Buffer, more: boolean): void {
    this.scannedBytes += slice.length;
    let found = this.search.find(slice);
    if (found === -1 && this.tail.length > 0) {
      // Matches starting in the file's earlier bytes and ending in this slice.
      const seam = Buffer.concat([this.tail, slice.subarray(0, this.overlap)]);
      found = this.search.find(seam);
    }
    if (found !== -1) throw new SecretInSnapshotError((this.entryPath ?? headerName(this.header)).replace(/^(\.\/)+/, ''), this.names[found]!);
    if (!more || this.overlap === 0) {
      this.tail = EMPTY;
      return;
    }
    this.tail =
      slice.length >= this.overlap ? Buffer.from(slice.subarray(slice.length - this.overlap)) : Buffer.concat([this.tail, slice]).subarray(-this.overlap);
  }
}
