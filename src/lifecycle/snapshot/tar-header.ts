/**
 * Reading tar headers (POSIX.1-2001 ustar blocks, pax records), shared by the
 * extraction guard (tar-guard.ts) and the secret scan (secret-scan.ts). Pure.
 */

/** tar block size, bytes. */
export const BLOCK = 512;

/** A NUL-terminated string field of a header, UTF-8. */
export function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul === -1 || nul > end ? end : nul);
}

/**
 * A numeric header field: octal digits (spaces / NULs around), or GNU base-256
 * when the high bit is set.
 * @returns the value, or `null` when it is negative, out of range or not a number
 */
export function numberField(buf: Buffer, start: number, length: number): number | null {
  if (buf[start]! & 0x80) {
    if (buf[start] === 0xff) return null;
    let n = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) n = n * 256 + buf[i]!;
    return Number.isSafeInteger(n) ? n : null;
  }
  const text = buf.toString('latin1', start, start + length).replace(/^[ \0]+|[ \0]+$/g, '');
  if (!/^[0-7]*$/.test(text)) return null;
  return text === '' ? 0 : parseInt(text, 8);
}

/** Whether a header block's checksum matches (as unsigned or signed byte sums, like GNU tar). */
export function checksumOk(h: Buffer): boolean {
  const stored = numberField(h, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Parses pax extended header records (`"%d %s=%s\n"`).
 * @returns the records, or `null` when malformed
 */
export function paxRecords(data: Buffer): Map<string, string> | null {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const len = space === -1 ? NaN : Number(data.toString('latin1', pos, space));
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length || data[pos + len - 1] !== 0x0a) return null;
    const record = data.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) return null;
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/** The member name of a header block: `prefix/name` for POSIX ustar headers, else `name`. */
export function headerName(h: Buffer): string {
  const name = cString(h, 0, 100);
  const prefix = h.toString('latin1', 257, 263).startsWith('ustar') ? cString(h, 345, 500) : '';
  return prefix ? `${prefix}/${name}` : name;
}
