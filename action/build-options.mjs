// esbuild options of the action bundle, shared by scripts/bundle-action.mjs (writes
// action/dist) and test/action/dist.test.ts (rebuilds in memory and compares).
import { fileURLToPath } from 'node:url';

/** Repository root: every path below is relative to it, so output does not depend on the cwd. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** @type {import('esbuild').BuildOptions} */
export const buildOptions = {
  absWorkingDir: repoRoot,
  entryPoints: ['action/src/index.ts'],
  // index.js plus chunks: what only some runs need (the Actions cache store and its Azure
  // SDK, the REST API clients, container mode) is imported dynamically and is a chunk of
  // its own, so a run neither parses nor evaluates it unless it uses it (issue 15, start-up).
  outdir: 'action/dist',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Prefer ES module builds: jsonc-parser's UMD `main` requires its files dynamically.
  mainFields: ['module', 'main'],
  // CommonJS dependencies of @actions/* call require() for Node built-ins.
  // Aliased: a bundled module imports createRequire itself (a second binding would not parse).
  banner: { js: "import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
};
