#!/usr/bin/env node
/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. the scheduler benchmark's app
 * child with `BENCH_APP_CPU_PROF=DIR`): self time by function and by file (ms and % of
 * the profile), and total (inclusive) time of the app's own functions (lib/src/…).
 *
 * Usage: `node scripts/cpuprofile-summary.mjs FILE.cpuprofile [--top N] [--inclusive REGEX]`
 * (`--inclusive`: which functions the inclusive table lists, matched against
 * `name file:line`; default the app's own, ` lib/src/`).
 */
import fs from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !['--top', '--inclusive'].includes(args[i - 1]));
if (!file) {
  process.stderr.write('usage: node scripts/cpuprofile-summary.mjs FILE.cpuprofile [--top N]\n');
  process.exit(2);
}
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 40;
const inclusiveAt = args.indexOf('--inclusive');
const inclusiveMatch = new RegExp(inclusiveAt >= 0 ? args[inclusiveAt + 1] : ' lib/src/');
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));

// Sample durations: timeDeltas[i] is the time before samples[i], µs.
const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const shortUrl = (url) => {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}/${rest.at(-1)}`;
  }
  const lib = url.indexOf('/lib/');
  return lib >= 0 ? url.slice(lib + 1) : url.replace(/^file:\/\//, '');
};
const fnName = (n) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

let total = 0;
const byFunction = new Map();
const byFile = new Map();
const byPackage = new Map();
for (const [id, us] of selfUs) {
  total += us;
  const n = byId.get(id);
  const f = fnName(n);
  byFunction.set(f, (byFunction.get(f) ?? 0) + us);
  const u = shortUrl(n.callFrame.url);
  byFile.set(u, (byFile.get(u) ?? 0) + us);
  const pkg = u.startsWith('npm:')
    ? u
        .split('/')
        .slice(0, u.startsWith('npm:@') ? 2 : 1)
        .join('/')
    : u.startsWith('lib/')
      ? u.split('/').slice(0, 2).join('/')
      : u.startsWith('node:')
        ? 'node:*'
        : u;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

// Inclusive time of each function (a frame counted once per sample, even when recursive).
const inclusive = new Map();
for (const [id, us] of selfUs) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const f = fnName(byId.get(cur));
    if (seen.has(f)) continue;
    seen.add(f);
    inclusive.set(f, (inclusive.get(f) ?? 0) + us);
  }
}

const ms = (us) => (us / 1000).toFixed(0).padStart(7);
const pct = (us) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
const table = (title, map, n, filter = () => true) => {
  process.stdout.write(`\n## ${title}\n`);
  for (const [k, us] of [...map]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n))
    process.stdout.write(`${ms(us)} ms ${pct(us)}  ${k}\n`);
};
process.stdout.write(`profile ${file}: ${(total / 1000).toFixed(0)} ms sampled\n`);
table('self time by package / folder', byPackage, top);
table('self time by file', byFile, top);
table('self time by function', byFunction, top);
table(`inclusive time, functions matching ${inclusiveMatch}`, inclusive, top, (k) => inclusiveMatch.test(k));
