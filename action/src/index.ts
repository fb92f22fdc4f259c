/**
 * Entry point of the bundled action: turns on Node's compile cache (compile-cache.ts),
 * then loads the rest of the action (a chunk of its own, so the cache covers it) and
 * runs the step (actions/typescript-action layout).
 */
import { enableActionCompileCache } from './compile-cache.js';

enableActionCompileCache();
const { run } = await import('./main.js');
await run();
