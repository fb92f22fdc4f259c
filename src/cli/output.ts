import { formatBytes, formatDuration } from '../github/check-text.js';
import type { CliIo } from './io.js';

/** Writes a value as indented JSON (the `--json` output of every command). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes rows as an aligned text table with a header line. Cells are
 * single-line strings (new lines become spaces); an empty list prints `empty`.
 */
export function printTable(io: CliIo, headers: string[], rows: string[][], empty = '(none)'): void {
  if (rows.length === 0) {
    io.stdout.write(`${empty}\n`);
    return;
  }
  const clean = rows.map((r) => r.map((c) => c.replace(/\s*\n\s*/g, ' ')));
  const widths = headers.map((h, i) => Math.max(h.length, ...clean.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length)))
      .join('  ')
      .trimEnd();
  io.stdout.write(`${[line(headers), ...clean.map(line)].join('\n')}\n`);
}

/** Writes `key: value` lines, keys aligned. */
export function printFields(io: CliIo, fields: Array<[string, string]>): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  io.stdout.write(`${fields.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
}

/** `—` for null, else the formatted value. */
export const orDash = <T>(v: T | null | undefined, f: (x: T) => string = String): string => (v === null || v === undefined ? '—' : f(v));
/** A duration in ms for people (`3m 05s`), `—` when unknown. */
export const duration = (ms: number | null | undefined): string => orDash(ms, formatDuration);
/** A size in bytes for people (`1.2 MB`), `—` when unknown. */
export const size = (bytes: number | null | undefined): string => orDash(bytes, formatBytes);
/** An ISO time as `YYYY-MM-DD HH:MM` UTC, `—` when null. */
export const when = (iso: string | null | undefined): string => orDash(iso, (s) => s.replace('T', ' ').slice(0, 16));
