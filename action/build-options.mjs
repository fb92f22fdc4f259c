// esbuild options of the action bundle, shared by scripts/bundle-action.mjs (writes
// action/dist) and test/action/dist.test.ts (rebuilds in memory and compares).
import { fileURLToPath } from 'node:url';

/** Repository root: every path below is relative to it, so output does not depend on the cwd. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** @type {import('esbuild').BuildOptions} */
export const buildOptions = {
  absWorkingDir: repoRoot,
  entryPoints: ['action/src/index.ts'],
  outfile: 'action/dist/index.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies of @actions/* call require() for Node built-ins.
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
};
