/**
 * Builds tar archives by hand (ustar headers with real checksums, pax records),
 * for tests of archives no honest `tar -c` would write: `..` names, absolute
 * paths, writes through symlinks, devices.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';

/** One hand-made entry. `type`: `0` file, `1` hard link, `2` symlink, `3`/`4` devices, `5` dir, `6` FIFO, `x` pax. */
export interface TarEntry {
  name: string;
  type?: string;
  /** File data (type `0`). */
  data?: string | Buffer;
  /** Symlink / hard-link target. */
  linkname?: string;
  /** pax records written in an `x` header before this entry (e.g. `{ path: '../x' }`). */
  pax?: Record<string, string>;
  /** Overrides the stored checksum (to make it wrong). */
  checksum?: number;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, linkname = '', checksum?: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === '5' ? 0o755 : 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(1_700_000_000, 12), 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${(checksum ?? sum).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

function paxData(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len) len++;
    out += `${len}${body}`;
  }
  return Buffer.from(out, 'utf8');
}

/** The uncompressed tar bytes of `entries`, ended by two zero blocks. */
export function tarBytes(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const data = paxData(e.pax);
      parts.push(header('PaxHeaders/x', 'x', data.length), padded(data));
    }
    const type = e.type ?? '0';
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    parts.push(header(e.name, type, data.length, e.linkname, e.checksum), padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Writes `entries` as a zstd-compressed tar to `file` (what every store holds). */
export async function writeTarZst(file: string, entries: TarEntry[]): Promise<void> {
  const z = spawnSync('zstd', ['-q', '-c'], { input: tarBytes(entries), maxBuffer: 1 << 28 });
  if (z.status !== 0) throw new Error(`zstd failed: ${z.stderr.toString()}`);
  await writeFile(file, z.stdout);
}
