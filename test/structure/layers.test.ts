import fs from 'node:fs';
import path from 'node:path';

/**
 * The app's layers (README "Layout"): dependencies point down only, and every GitHub
 * call is made in src/github/. Read from the sources, so a new upward import fails here.
 */
const SRC = path.resolve('src');

/** Which top-level folders of src/ each folder may import from (besides itself). */
const ALLOWED: Record<string, string[]> = {
  config: [],
  store: ['config'],
  triggers: ['config', 'store'],
  scheduler: ['config', 'lifecycle', 'store'],
  lifecycle: ['config'],
  github: ['config', 'lifecycle', 'store'],
  coordination: ['store'],
  deliveries: ['coordination', 'store'],
  webhooks: ['github', 'store'],
  prebuilds: ['config', 'github', 'lifecycle', 'scheduler', 'store', 'triggers'],
  handlers: ['config', 'github', 'lifecycle', 'prebuilds', 'triggers', 'store'],
  simulate: ['config', 'prebuilds', 'scheduler', 'store', 'triggers'],
  api: ['config', 'deliveries', 'github', 'prebuilds', 'scheduler', 'store'],
  web: ['api', 'github', 'store'],
};

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const files = sources(SRC).map((file) => ({ file: path.relative(SRC, file), text: fs.readFileSync(file, 'utf8') }));
const folderOf = (rel: string) => (rel.includes(path.sep) ? rel.split(path.sep)[0]! : '.');

describe('src/ layers', () => {
  it.each(Object.keys(ALLOWED))('%s/ imports only from the layers below it', (folder) => {
    const wrong: string[] = [];
    for (const { file, text } of files.filter((f) => folderOf(f.file) === folder)) {
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = path.relative(SRC, path.resolve(SRC, path.dirname(file), m[1]!));
        const to = folderOf(target);
        if (target.startsWith('..')) continue; // outside src/ (schema/, package.json)
        if (to !== folder && !ALLOWED[folder]!.includes(to)) wrong.push(`${file} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('environment variables are named in src/env.ts only (and by the CLI and ${localEnv:…} substitution)', () => {
    const readers = files.filter((f) => /process\.env(\.|\[)/.test(f.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))).map((f) => f.file);
    expect(readers.filter((f) => f !== 'env.ts' && folderOf(f) !== 'cli' && f !== path.join('config', 'substitute.ts'))).toEqual([]);
  });

  it('every GitHub REST call is made in src/github/', () => {
    const calls = files.filter((f) => folderOf(f.file) !== 'github' && /octokit\.(request|rest|paginate)\b/i.test(f.text)).map((f) => f.file);
    expect(calls).toEqual([]);
  });
});
