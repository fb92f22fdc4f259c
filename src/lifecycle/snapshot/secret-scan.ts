/**
 * The secret scan (SPEC.md `secrets`: a snapshot containing a secret's value is
 * refused). A pass-through stream between `tar -c` and the compressor: it follows
 * the tar stream's headers to know which file each data byte belongs to and looks
 * for every secret value in the file data and in every member's names as they
 * stream by (a match spanning two chunks is found through a small overlap), so
 * scanning costs no second read of the workspace. The first match fails the stream,
 * naming the file and the secret's name (never its value: a path holding it shows
 * `***` instead).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { NeedleSet } from './needle-search.js';
import { BLOCK, cString, headerName, numberField, paxRecords } from './tar-header.js';

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
/** Entries whose data is metadata about the next entry (pax records, GNU long names): scanned whole, since they hold names. */
const META_TYPES = new Set(['x', 'g', 'L', 'K']);
const EMPTY = Buffer.alloc(0);
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/**
 * The size field of a header when it is plain octal digits (what `tar --posix` writes),
 * else `null` (then {@link numberField} reads it): a loop, not a string, since it runs
 * for every member.
 */
function octalSize(h: Buffer): number | null {
  let n = 0;
  let i = 124;
  for (; i < 136; i++) {
    const c = h[i]!;
    if (c < 0x30 || c > 0x37) break;
    n = n * 8 + c - 0x30;
  }
  return i > 124 && (i === 136 || h[i] === 0 || h[i] === 0x20) ? n : null;
}

/**
 * The scanning pass-through. Pipe `tar -c`'s output through it into the compressor
 * (or call {@link walk} on each chunk and forward the chunk yourself). It keeps no
 * reference to a chunk after {@link walk} returns, so a reader may reuse its buffer.
 * Besides file data it scans every member's names (header name, prefix and link
 * name fields, pax records, GNU long names): a file named after a secret leaks it too.
 */
export class SecretScan extends Transform {
  /** The secrets' names and values, in the order of {@link search}'s needles. */
  private readonly secrets: readonly SecretValue[];
  private readonly search: NeedleSet;
  private readonly overlap: number;
  /** The current header block (copied out of the stream: it names the entry while its data streams). */
  private readonly header = Buffer.alloc(BLOCK);
  private headerBytes = 0;
  /** Data bytes of the current entry still to come, then its padding. */
  private data = 0;
  private padding = 0;
  /** The current entry's pax `path` (else its name is in its header), and whether its data is file content to scan. */
  private entryPath: string | undefined;
  private scanning = false;
  /** The metadata entry being read (pax records, or a GNU long name that names the next entry). */
  private meta: Buffer[] | null = null;
  private metaType = '';
  private paxPath: string | undefined;
  private paxSize: number | undefined;
  /** A secret found in the metadata before the next entry, reported with that entry's name. */
  private metaFound = -1;
  /** The last bytes of the current file seen so far (a match may span chunks). */
  private tail = EMPTY;
  /** Bytes scanned (file data only). */
  scannedBytes = 0;

  constructor(secrets: readonly SecretValue[]) {
    super();
    this.secrets = scannable(secrets);
    this.search = new NeedleSet(this.secrets.map((s) => Buffer.from(s.value, 'utf8')));
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

  /**
   * Follows `chunk` (the next bytes of the tar stream) and scans what it holds.
   * @throws SecretInSnapshotError at the first secret value found
   */
  walk(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.data > 0) {
        const n = Math.min(this.data, chunk.length - off);
        const slice = chunk.subarray(off, off + n);
        if (this.scanning) this.scan(slice, n < this.data);
        else if (this.meta) this.meta.push(Buffer.from(slice)); // a copy: the caller may reuse `chunk`
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
    if (h[0] === 0 && h.equals(ZERO_BLOCK)) return; // end-of-archive blocks
    const type = String.fromCharCode(h[156]!);
    const size = this.paxSize ?? octalSize(h) ?? numberField(h, 124, 12) ?? 0;
    if (META_TYPES.has(type)) {
      this.meta = [];
      this.metaType = type;
      this.scanning = false;
      if (type === 'x') {
        this.paxSize = undefined;
        this.paxPath = undefined;
      }
    } else {
      // The name is read from the header (still in `this.header` while its data streams) only when reporting a match.
      this.entryPath = this.paxPath;
      this.scanning = FILE_TYPES.has(type) && this.secrets.length > 0;
      this.paxPath = undefined;
      this.paxSize = undefined;
      this.tail = EMPTY;
      this.scanNames(h);
    }
    const data = FILE_TYPES.has(type) || META_TYPES.has(type) ? size : 0;
    this.data = data;
    this.padding = Math.ceil(data / BLOCK) * BLOCK - data;
    if (data === 0) this.endData();
  }

  /** Looks for the values in an entry's names: the header's name, link name and prefix fields, and the metadata before it. */
  private scanNames(h: Buffer): void {
    let found = this.metaFound;
    this.metaFound = -1;
    if (found === -1) found = this.search.find(h, 0, 100); // name
    if (found === -1) found = this.search.find(h, 157, 257); // linkname
    if (found === -1 && h[345] !== 0) found = this.search.find(Buffer.from(headerName(h), 'utf8')); // prefix/name, which may split a value at a '/'
    if (found !== -1) this.found(found);
  }

  private endData(): void {
    if (!this.meta) return;
    const data = this.meta.length === 1 ? this.meta[0]! : Buffer.concat(this.meta);
    this.meta = null;
    if (this.metaFound === -1) this.metaFound = this.search.find(data);
    if (this.metaType === 'L') this.paxPath = cString(data, 0, data.length); // GNU long name (not written by `tar --posix`)
    if (this.metaType !== 'x') return;
    // GNU tar --posix writes a pax header before every file, mostly only times: parse it only when it names a path or size.
    const records = data.includes(' path=') || data.includes(' size=') ? paxRecords(data) : null;
    this.paxPath = records?.get('path');
    const size = records?.get('size');
    this.paxSize = size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined;
  }

  /** Throws for the secret at `index` in the current entry, its value masked (`***`) should the path itself hold it. */
  private found(index: number): never {
    const { name, value } = this.secrets[index]!;
    const file = (this.entryPath ?? headerName(this.header)).replace(/^(\.\/)+/, '');
    throw new SecretInSnapshotError(file.split(value).join('***'), name);
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
    if (found !== -1) this.found(found);
    if (!more || this.overlap === 0) {
      this.tail = EMPTY;
      return;
    }
    this.tail =
      slice.length >= this.overlap ? Buffer.from(slice.subarray(slice.length - this.overlap)) : Buffer.concat([this.tail, slice]).subarray(-this.overlap);
  }
}
