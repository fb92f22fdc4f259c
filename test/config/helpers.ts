/** Shared helpers of the config tests: the corpus location and small fixtures. */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/config/helpers.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared corpus of real configuration files (read-only, never copied). */
export const corpusRoot = path.resolve(repoRoot, '../shared/corpus');
/** Fixtures of these tests. */
export const fixturesRoot = path.resolve(repoRoot, 'test/fixtures/config');

/** One corpus file: its name in the corpus, original repository path and content. */
export interface CorpusFile {
  kind: 'devcontainer' | 'gitpod';
  name: string;
  absolute: string;
  repo: string;
  originalPath: string;
  text: string;
}

/** Every corpus file listed in the SOURCES.tsv files, with its original path. */
export function corpusFiles(): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const kind of ['devcontainer', 'gitpod'] as const) {
    const dir = path.join(corpusRoot, kind);
    const rows = readFileSync(path.join(dir, 'SOURCES.tsv'), 'utf8').trim().split('\n').slice(1);
    const listed = new Map(rows.map((r) => r.split('\t')).map(([file, repo, p]) => [file!, { repo: repo!, originalPath: p! }]));
    for (const name of readdirSync(dir).sort()) {
      if (name === 'SOURCES.tsv') continue;
      const source = listed.get(name);
      if (!source) throw new Error(`corpus file ${name} is not listed in SOURCES.tsv`);
      const absolute = path.join(dir, name);
      out.push({ kind, name, absolute, ...source, text: readFileSync(absolute, 'utf8') });
    }
  }
  return out;
}
