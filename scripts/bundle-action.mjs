#!/usr/bin/env node
// Bundles the action (action/src/index.ts) into action/dist/index.js with esbuild.
// Usage: node scripts/bundle-action.mjs [--outfile <path>]
// The options live in action/build-options.mjs; test/action/dist.test.ts rebuilds
// with the same options and fails when the committed bundle is stale.
import { build } from 'esbuild';
import path from 'node:path';
import { buildOptions } from '../action/build-options.mjs';

const i = process.argv.indexOf('--outfile');
const outfile = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : buildOptions.outfile;
await build({ ...buildOptions, outfile });
console.log(`bundled action/src/index.ts -> ${path.relative(process.cwd(), path.resolve(buildOptions.absWorkingDir, outfile)) || outfile}`);
