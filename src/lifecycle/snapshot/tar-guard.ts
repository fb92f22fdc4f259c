/**
 * A streaming guard between the decompressor and `tar -x` (SPEC.md "Environments
 * and snapshot stores": no store ever extracts an entry outside the workspace).
 * It parses each tar header (POSIX ustar, pax `x` records, GNU `L`/`K` long names,
 * POSIX.1-2001 / GNU tar 1.34 layout) and passes a header on to tar only after the
 * entry is known to be safe, so tar never sees an unsafe entry and nothing is
 * written for it. Refused, with the entry named:
 * - absolute names and names with a `..` component (also hard-link targets);
 * - entries written through a symlink of the archive (`link/x` after `link -> /etc`),
 *   or through a hard link to such a symlink;
 * - devices, FIFOs and every type but files, directories, symlinks, hard links;
 * - anything tar and this parser could read differently: bad header checksums,
 *   unparsable sizes, data on link or directory entries, pax global headers that set
 *   names or sizes, GNU sparse entries (their real name lives in pax records).
 * Symlinks themselves may point anywhere (a Python venv links to /usr/bin/python3).
 * Data blocks are passed through as slices of the input chunks, without copies.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** A snapshot entry that would land outside the workspace (or cannot be read safely). */
export class UnsafeArchiveError extends Error {
  /**
   * @param entry the entry's name as stored in the archive
   * @param reason why it is refused
   */
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`Refusing the snapshot: entry "${entry}" ${reason}`);
    this.name = 'UnsafeArchiveError';
  }
}

import { BLOCK, cString, checksumOk, numberField, paxRecords } from './tar-header.js';

/** pax and GNU long-name records larger than this are refused (real ones are a few hundred bytes). */
const MAX_META_BYTES = 1024 * 1024;
const FILE_TYPES = new Set(['0', '\0', '7']);
const META_TYPES = new Set(['x', 'g', 'L', 'K']);
const TYPE_NAMES: Record<string, string> = {
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  S: 'a GNU sparse file',
  D: 'a GNU dump directory',
  V: 'a volume label',
  M: 'a multi-volume continuation',
};

/** {@link numberField}, refusing what it cannot read. */
function numberOrThrow(buf: Buffer, start: number, length: number, name: string, entry: string): number {
  const n = numberField(buf, start, length);
  if (n === null) throw new UnsafeArchiveError(entry, `has an unreadable ${name} field (a corrupt or crafted archive)`);
  return n;
}

/** Components of a member name, or the reason it escapes. `.` components and trailing slashes are dropped. */
function components(name: string): string[] | string {
  if (name.includes('\0')) return 'has a NUL byte in its name';
  if (name.startsWith('/')) return 'has an absolute path';
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return 'escapes the workspace (a ".." component)';
  return parts;
}

/** The pass-through guard; pipe the decompressed archive through it into `tar -x`. */
export class TarGuard extends Transform {
  private readonly header = Buffer.alloc(BLOCK);
  private headerBytes = 0;
  /** Bytes of the current entry's data (and padding) still to pass. */
  private skip = 0;
  /** Collects a pax / GNU long-name entry's data, when the current entry is one. */
  private meta: { type: string; size: number; chunks: Buffer[]; length: number; name: string } | null = null;
  /** Names and size from the `x` / `L` / `K` entries before the next entry. */
  private pending: { paxPath?: string; paxLinkpath?: string; longName?: string; longLink?: string; size?: number } = {};
  /** Normalised paths of symlinks extracted so far. */
  private readonly symlinks = new Set<string>();
  /** Normalised paths of regular files and hard links extracted so far (valid hard-link targets). */
  private readonly files = new Set<string>();
  /** Entries passed so far (for tests and logs). */
  entries = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // Validated bytes of the chunk are passed on as one slice; a header is held back
    // until it is validated (copied when it spans two chunks).
    let off = 0;
    let passed = 0;
    try {
      while (off < chunk.length) {
        if (this.skip > 0) {
          const n = Math.min(this.skip, chunk.length - off);
          if (this.meta) this.collect(chunk.subarray(off, off + n));
          this.skip -= n;
          off += n;
          if (this.skip === 0 && this.meta) this.finishMeta();
          continue;
        }
        const heldBack = this.headerBytes > 0; // its start came in the previous chunk (then off is 0)
        const n = Math.min(BLOCK - this.headerBytes, chunk.length - off);
        chunk.copy(this.header, this.headerBytes, off, off + n);
        this.headerBytes += n;
        if (this.headerBytes < BLOCK) {
          if (off > passed) this.push(chunk.subarray(passed, off));
          passed = chunk.length; // the header's start waits in this.header
          break;
        }
        this.headerBytes = 0;
        this.onHeader(); // throws before any byte of an unsafe header is passed on
        if (heldBack) {
          this.push(Buffer.from(this.header));
          passed = off + n;
        }
        off += n;
        if (this.skip === 0 && this.meta) this.finishMeta();
      }
      if (passed < chunk.length) this.push(passed === 0 ? chunk : chunk.subarray(passed));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.headerBytes !== 0 || this.skip !== 0) done(new UnsafeArchiveError('(end of archive)', 'is truncated: the archive ends inside an entry'));
    else done();
  }

  private collect(slice: Buffer): void {
    const meta = this.meta!;
    const want = meta.size - meta.length;
    if (want > 0) {
      const part = slice.subarray(0, want);
      meta.chunks.push(Buffer.from(part));
      meta.length += part.length;
    }
  }

  private finishMeta(): void {
    const meta = this.meta!;
    this.meta = null;
    const data = Buffer.concat(meta.chunks);
    if (meta.type === 'L') this.pending.longName = cString(data, 0, data.length);
    else if (meta.type === 'K') this.pending.longLink = cString(data, 0, data.length);
    else {
      const records = paxRecords(data);
      if (!records) throw new UnsafeArchiveError(meta.name, 'has a malformed pax extended header');
      for (const key of records.keys()) {
        if (key.startsWith('GNU.sparse')) throw new UnsafeArchiveError(meta.name, 'is a GNU sparse entry (not supported in snapshots)');
      }
      if (meta.type === 'g') {
        if (['path', 'linkpath', 'size'].some((k) => records.has(k)))
          throw new UnsafeArchiveError(meta.name, 'is a pax global header that sets names or sizes');
        return;
      }
      if (records.has('path')) this.pending.paxPath = records.get('path')!;
      if (records.has('linkpath')) this.pending.paxLinkpath = records.get('linkpath')!;
      if (records.has('size')) {
        const size = records.get('size')!;
        if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) throw new UnsafeArchiveError(meta.name, `has an unreadable pax size "${size}"`);
        this.pending.size = Number(size);
      }
    }
  }

  /** Validates the header in `this.header`; sets `skip` (and `meta`). @throws UnsafeArchiveError */
  private onHeader(): void {
    const h = this.header;
    if (h.every((b) => b === 0)) return; // end-of-archive blocks (tar stops reading at them)
    const rawName = cString(h, 0, 100);
    if (!checksumOk(h)) throw new UnsafeArchiveError(rawName, 'has a bad header checksum (a corrupt or crafted archive)');
    const type = String.fromCharCode(h[156]!);
    const magic = h.toString('latin1', 257, 263);
    const prefix = magic.startsWith('ustar') ? cString(h, 345, 500) : '';
    const pending = this.pending;
    const size = pending.size ?? numberOrThrow(h, 124, 12, 'size', rawName);
    // Every reading of the name tar might use is checked, so parser differences cannot matter.
    const names = [rawName, prefix ? `${prefix}/${rawName}` : null, pending.longName, pending.paxPath].filter((n): n is string => typeof n === 'string');
    const shown = pending.paxPath ?? pending.longName ?? (prefix ? `${prefix}/${rawName}` : rawName);

    if (META_TYPES.has(type)) {
      if (size > MAX_META_BYTES) throw new UnsafeArchiveError(shown, `has a ${size}-byte extended header (more than ${MAX_META_BYTES})`);
      if (type !== 'g' && pending.size !== undefined)
        throw new UnsafeArchiveError(shown, 'has an extended header that sets a size for another extended header');
      this.meta = { type, size, chunks: [], length: 0, name: shown };
      this.skip = Math.ceil(size / BLOCK) * BLOCK;
      return;
    }
    this.pending = {};
    if (!FILE_TYPES.has(type) && type !== '1' && type !== '2' && type !== '5') {
      throw new UnsafeArchiveError(shown, `is ${TYPE_NAMES[type] ?? `of type "${type}"`}: only files, directories, symlinks and hard links are allowed`);
    }
    if (!FILE_TYPES.has(type) && size !== 0)
      throw new UnsafeArchiveError(shown, `is a ${type === '5' ? 'directory' : 'link'} with ${size} bytes of data (a crafted archive)`);

    const paths: string[] = [];
    for (const name of names) {
      const parts = components(name);
      if (typeof parts === 'string') throw new UnsafeArchiveError(name, parts);
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        if (this.symlinks.has(parent)) throw new UnsafeArchiveError(name, `would be written through the symlink "${parent}"`);
      }
      const full = parts.join('/');
      if (full === '' && type !== '5') throw new UnsafeArchiveError(name, 'has an empty name');
      if (this.symlinks.has(full) && type !== '2') throw new UnsafeArchiveError(name, 'replaces a symlink extracted before it');
      paths.push(full);
    }

    if (type === '1') {
      const targets = [cString(h, 157, 257), pending.longLink, pending.paxLinkpath].filter((n): n is string => typeof n === 'string');
      let linksToSymlink = false;
      for (const target of targets) {
        const parts = components(target);
        if (typeof parts === 'string') throw new UnsafeArchiveError(shown, `is a hard link whose target "${target}" ${parts}`);
        const t = parts.join('/');
        if (this.symlinks.has(t)) linksToSymlink = true;
        else if (!this.files.has(t)) throw new UnsafeArchiveError(shown, `is a hard link to "${target}", which is not a file earlier in the archive`);
      }
      for (const p of paths) (linksToSymlink ? this.symlinks : this.files).add(p);
    } else if (type === '2') {
      for (const p of paths) this.symlinks.add(p);
    } else if (FILE_TYPES.has(type)) {
      for (const p of paths) this.files.add(p);
    }
    this.entries++;
    this.skip = FILE_TYPES.has(type) ? Math.ceil(size / BLOCK) * BLOCK : 0;
  }
}
