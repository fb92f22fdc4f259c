/**
 * `npm run bench [-- NAME… | --json NAME] [--pushes N …]`: runs benchmarks and prints a
 * table per benchmark, or with `--json NAME` only that benchmark's metrics as one JSON
 * object on stdout. NAME is a module `bench/NAME.ts` exporting `run` (see types.ts):
 * `scheduler`, `snapshot`, `hostile`, `container` and `compose` (need Docker: scripts/services/docker.sh), `replicas`. Without names, every known benchmark that is built runs.
 * Progress goes to stderr.
 */
import fs from 'node:fs';
import type { BenchModule, BenchResult } from './types.js';

/** Benchmarks `npm run bench` knows, in the order they run. */
export const KNOWN = ['scheduler', 'snapshot', 'hostile', 'container', 'compose', 'replicas'];

const moduleUrl = (name: string) => new URL(`./${name}.js`, import.meta.url);

async function load(name: string): Promise<BenchModule> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !fs.existsSync(moduleUrl(name))) {
    throw new Error(`unknown benchmark ${JSON.stringify(name)} (known: ${KNOWN.join(', ')})`);
  }
  return (await import(moduleUrl(name).href)) as BenchModule;
}

/** A plain-text table: metric | value | target | note. */
export function formatTable(name: string, result: BenchResult): string {
  const header = ['metric', 'value', 'target', 'note'];
  const rows = result.rows.map((r) => [r.metric, String(r.value), r.target ?? '', r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [`## ${name}`, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const jsonAt = argv.indexOf('--json');
  const firstFlag = argv.findIndex((a) => a.startsWith('--'));
  if (jsonAt >= 0) {
    const name = argv[jsonAt + 1];
    if (!name) throw new Error('--json needs a benchmark name');
    const rest = argv.filter((_, i) => i !== jsonAt && i !== jsonAt + 1);
    const result = await (await load(name)).run({ argv: rest, log });
    process.stdout.write(`${JSON.stringify(result.metrics)}\n`);
    return;
  }
  const names = (firstFlag < 0 ? argv : argv.slice(0, firstFlag)).filter((a) => a !== '');
  const rest = firstFlag < 0 ? [] : argv.slice(firstFlag);
  const selected = names.length > 0 ? names : KNOWN.filter((n) => fs.existsSync(moduleUrl(n)));
  for (const name of selected) {
    log(`bench ${name} …`);
    const result = await (await load(name)).run({ argv: rest, log });
    process.stdout.write(`${formatTable(name, result)}\n`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
