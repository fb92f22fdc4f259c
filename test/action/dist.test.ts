/**
 * The committed bundle is what runners execute: rebuild it in memory with the
 * same esbuild options (action/build-options.mjs) and fail when it differs
 * (actions/typescript-action's check-dist, as a test).
 * Fix: `node scripts/bundle-action.mjs`.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildOptions, repoRoot } from '../../action/build-options.mjs';

describe('action/dist', () => {
  it('is up to date with action/src and src/ (run node scripts/bundle-action.mjs)', async () => {
    const result = await build({ ...buildOptions, write: false, logLevel: 'silent' });
    const expected = new Map(result.outputFiles.map((f) => [path.relative(repoRoot, f.path), f.text]));
    expect([...expected.keys()].sort()).toEqual(['action/dist/index.js', 'action/dist/index.js.map']);
    for (const [file, text] of expected) {
      const committed = await readFile(path.join(repoRoot, file), 'utf8').catch(() => '(missing)');
      // compare sizes first: a diff of a 3 MB bundle is not readable
      expect({ file, length: committed.length }).toEqual({ file, length: text.length });
      expect(committed === text).toBe(true);
    }
  });
});
