/**
 * The committed bundle is what runners execute: rebuild it in memory with the
 * same esbuild options (action/build-options.mjs) and fail when it differs
 * (actions/typescript-action's check-dist, as a test): the same files in
 * action/dist (index.js and its chunks, no stale chunk left behind) with the same text.
 * Fix: `node scripts/bundle-action.mjs`.
 */
import { build } from 'esbuild';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildOptions, repoRoot } from '../../action/build-options.mjs';

describe('action/dist', () => {
  it('is up to date with action/src and src/ (run node scripts/bundle-action.mjs)', async () => {
    const result = await build({ ...buildOptions, write: false, logLevel: 'silent' });
    const expected = new Map(result.outputFiles.map((f) => [path.relative(repoRoot, f.path), f.text]));
    const dist = path.join(repoRoot, buildOptions.outdir);
    const committed = (await readdir(dist, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(repoRoot, path.join(e.parentPath, e.name)));
    expect(committed.sort()).toEqual([...expected.keys()].sort());
    expect(expected.has('action/dist/index.js')).toBe(true);
    for (const [file, text] of expected) {
      const on = await readFile(path.join(repoRoot, file), 'utf8').catch(() => '(missing)');
      // compare sizes first: a diff of a 3 MB chunk is not readable
      expect({ file, length: on.length }).toEqual({ file, length: text.length });
      expect(on === text).toBe(true);
    }
  });

  it('loads only what a dir: store run needs: the Actions cache store and container mode are chunks of their own', async () => {
    // The entry chunk imports main dynamically (after the compile cache is on); main's static
    // imports must not reach the Azure SDK or container mode (issue 15, start-up).
    const result = await build({ ...buildOptions, write: false, logLevel: 'silent', metafile: true });
    const outputs = result.metafile!.outputs;
    const staticClosure = (start: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const i of outputs[file]!.imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
      };
      visit(start);
      return seen;
    };
    const entry = Object.keys(outputs).find((f) => outputs[f]!.entryPoint === 'action/src/index.ts')!;
    const main = outputs[entry]!.imports.find((i) => i.kind === 'dynamic-import')!.path;
    const loaded = new Set([...staticClosure(entry), ...staticClosure(main)]);
    const inputs = [...loaded].flatMap((f) => Object.keys(outputs[f]!.inputs));
    expect(inputs.some((i) => i.includes('action/src/prebuild.ts'))).toBe(true);
    expect(inputs.some((i) => i.includes('src/lifecycle/snapshot/dir-store.ts'))).toBe(true);
    for (const lazy of [
      'node_modules/@azure/',
      'node_modules/@actions/cache/',
      'node_modules/@octokit/',
      'action/src/container-run.ts',
      'src/container/up.ts',
    ]) {
      expect({ lazy, loaded: inputs.filter((i) => i.includes(lazy)).slice(0, 3) }).toEqual({ lazy, loaded: [] });
    }
    // The entry chunk itself is small: it runs before the compile cache covers anything.
    expect(Object.keys(outputs[entry]!.inputs).filter((i) => !i.startsWith('action/src/'))).toEqual([]);
  });
});
