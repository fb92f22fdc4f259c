#!/usr/bin/env node
// Bundles the action (action/src/index.ts) into action/dist (index.js and its chunks) with esbuild.
// Usage: node scripts/bundle-action.mjs [--outdir <path>]
// The options live in action/build-options.mjs; test/action/dist.test.ts rebuilds
// with the same options and fails when the committed bundle is stale.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { buildOptions } from '../action/build-options.mjs';

const i = process.argv.indexOf('--outdir');
const outdir = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : path.resolve(buildOptions.absWorkingDir, buildOptions.outdir);
// Chunk names carry a content hash: the previous build's chunks would stay behind.
await rm(outdir, { recursive: true, force: true });
const result = await build({ ...buildOptions, outdir, metafile: true });
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`bundled action/src/index.ts -> ${path.relative(process.cwd(), outdir) || outdir} (${files.length} files)`);
