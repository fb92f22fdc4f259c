/**
 * What the configuration code agrees to read (issue 12, hostile files): only regular
 * files inside the repository, at most {@link DEFAULT_MAX_FILE_BYTES} each (configurable),
 * and, for the files it parses, valid UTF-8. A file that breaks a rule is an
 * {@link UnreadableFileError}: the resolver turns it into a problem with a position,
 * never a hang, a crash or a huge read. Shared by every {@link FileSource}: the local
 * checkout (the action, the CLI) and the contents API (the app).
 */
import type { Position } from './positions.js';

/** Default cap on the size of one file the configuration reads: 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** Environment variable that overrides {@link DEFAULT_MAX_FILE_BYTES} (a positive integer, bytes). */
export const MAX_FILE_BYTES_ENV = 'PREBUILDS_MAX_CONFIG_FILE_BYTES';

/**
 * The cap in effect: `PREBUILDS_MAX_CONFIG_FILE_BYTES` when it is a positive integer,
 * else {@link DEFAULT_MAX_FILE_BYTES}.
 * @param env the environment to read (default `process.env`)
 */
export function maxFileBytesFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env[MAX_FILE_BYTES_ENV];
  const n = raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_FILE_BYTES;
}

/**
 * A repository file the configuration may not read: it leaves the repository, is
 * not a regular file, is over the size cap, or is not valid UTF-8. `position` is
 * set when the reason is somewhere inside the file (invalid UTF-8).
 */
export class UnreadableFileError extends Error {
  constructor(
    /** The path as requested, repository-relative. */
    readonly path: string,
    /** Why, as a sentence fragment: `is a FIFO, not a regular file`. */
    readonly reason: string,
    readonly position?: Position,
  ) {
    super(`${JSON.stringify(path.slice(0, 200))} ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

/** `1 MiB`, `1.5 MiB`, `640 KiB`, `12 B` (binary units, as the cap is set). */
export function formatBinaryBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** The error for a file over the cap. */
export function tooLarge(path: string, size: number | null, maxBytes: number): UnreadableFileError {
  const what = size === null ? 'is larger than' : `is ${formatBinaryBytes(size)}, more than`;
  return new UnreadableFileError(path, `${what} the ${formatBinaryBytes(maxBytes)} limit for files the configuration reads (${MAX_FILE_BYTES_ENV} raises it)`);
}

/**
 * Decodes file bytes as UTF-8.
 * @param strict when true, invalid UTF-8 throws; otherwise it becomes U+FFFD (content
 *   that is only hashed, such as a referenced script, may be binary)
 * @throws UnreadableFileError with the 1-based line and column of the first invalid
 *   byte (the column counts UTF-16 code units of the valid text before it)
 */
export function decodeUtf8(path: string, bytes: Uint8Array, strict: boolean): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    if (!strict) return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const offset = firstInvalidUtf8(bytes);
    const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, offset));
    const lines = before.split(/\r\n|\r|\n/);
    const position = { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
    return throwInvalid(path, offset, bytes[offset] ?? 0, position);
  }
}

function throwInvalid(path: string, offset: number, byte: number, position: Position): never {
  const hex = byte.toString(16).padStart(2, '0');
  throw new UnreadableFileError(path, `is not valid UTF-8 (byte 0x${hex} at offset ${offset}, line ${position.line}, column ${position.column})`, position);
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
