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

/** The scanning pass-through. Pipe `tar -c`'s output through it into the compressor. */
export class SecretScan extends Transform {
  private readonly needles: Array<{ name: string; bytes: Buffer }>;
  private readonly overlap: number;
  private readonly header = Buffer.alloc(BLOCK);
  private headerBytes = 0;
  /** Data bytes of the current entry still to come, then its padding. */
  private data = 0;
  private padding = 0;
  /** The current entry's name, and whether its data is file content to scan. */
  private name = '';
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
    this.needles = scannable(secrets).map((s) => ({ name: s.name, bytes: Buffer.from(s.value, 'utf8') }));
    this.overlap = Math.max(0, ...this.needles.map((n) => n.bytes.length - 1));
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
        if (this.scanning) this.scan(slice);
        if (this.pax) this.pax.push(Buffer.from(slice));
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
      this.name = (this.paxPath ?? headerName(h)).replace(/^(\.\/)+/, '');
      this.scanning = FILE_TYPES.has(type) && this.needles.length > 0;
      this.paxPath = undefined;
      this.paxSize = undefined;
      this.tail = Buffer.alloc(0);
    }
    const data = FILE_TYPES.has(type) || type === 'x' || type === 'g' ? size : 0;
    this.data = data;
    this.padding = Math.ceil(data / BLOCK) * BLOCK - data;
    if (data === 0) this.endData();
  }

  private endData(): void {
    if (!this.pax) return;
    const records = paxRecords(Buffer.concat(this.pax));
    this.pax = null;
    this.paxPath = records?.get('path');
    const size = records?.get('size');
    this.paxSize = size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined;
  }

  private scan(slice: Buffer): void {
    this.scannedBytes += slice.length;
    for (const needle of this.needles) {
      if (slice.indexOf(needle.bytes) !== -1) throw new SecretInSnapshotError(this.name, needle.name);
    }
    if (this.tail.length > 0) {
      // Matches starting in the previous chunk and ending in this one.
      const seam = Buffer.concat([this.tail, slice.subarray(0, this.overlap)]);
      for (const needle of this.needles) {
        if (seam.indexOf(needle.bytes) !== -1) throw new SecretInSnapshotError(this.name, needle.name);
      }
    }
    if (this.overlap === 0) return;
    this.tail =
      slice.length >= this.overlap
        ? Buffer.from(slice.subarray(slice.length - this.overlap))
        : Buffer.from(Buffer.concat([this.tail, slice]).subarray(-this.overlap));
  }
}
