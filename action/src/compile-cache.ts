/**
 * Node's module compile cache for the action's own code (issue 15, start-up): V8's
 * compiled code of the bundle's chunks is kept on disk and reused by the next run on
 * the same runner, so a run does not parse and compile the whole bundle again.
 * `module.enableCompileCache` exists from Node 22.1 (the action runs on node24); on
 * older Node this does nothing. The cache is keyed by Node's version and each file's
 * content, so a new release of the action or of Node never reads stale code.
 *
 * Where: `RUNNER_TOOL_CACHE` (kept between jobs on a self-hosted runner, like the
 * tools the setup actions cache there), else Node's default (`NODE_COMPILE_CACHE`, or
 * `node-compile-cache` in the OS temp directory). `NODE_DISABLE_COMPILE_CACHE=1` turns
 * it off, as for any Node program.
 *
 * This module is the bundle's entry chunk's only dependency: it must run before the
 * rest of the action is loaded (action/src/index.ts), so it imports nothing heavy.
 */
import module from 'node:module';
import path from 'node:path';

/** Environment variable naming the runner's tool cache directory (kept between jobs on self-hosted runners). */
export const TOOL_CACHE_ENV = 'RUNNER_TOOL_CACHE';

/** Sub-directory of the tool cache the action's compile cache lives in. */
export const COMPILE_CACHE_DIR = path.join('prebuilds-action', 'node-compile-cache');

/** What {@link enableActionCompileCache} did: Node's status name, or `unsupported` before Node 22.1. */
export type CompileCacheState = 'enabled' | 'already-enabled' | 'failed' | 'disabled' | 'unsupported';

/**
 * Turns on Node's compile cache for the modules loaded after this call. Never throws:
 * a cache that cannot be used (read-only directory, …) only costs the compile it would save.
 * @param env where `RUNNER_TOOL_CACHE` comes from
 * @returns what Node answered (for tests and diagnostics)
 */
export function enableActionCompileCache(env: NodeJS.ProcessEnv = process.env): CompileCacheState {
  const enable = (module as { enableCompileCache?: (dir?: string) => { status: number } }).enableCompileCache;
  const constants = (module as { constants?: { compileCacheStatus?: Record<string, number> } }).constants?.compileCacheStatus;
  if (typeof enable !== 'function' || !constants) return 'unsupported';
  try {
    const toolCache = env[TOOL_CACHE_ENV];
    const { status } = toolCache && !env.NODE_COMPILE_CACHE ? enable(path.join(toolCache, COMPILE_CACHE_DIR)) : enable();
    if (status === constants.ENABLED) return 'enabled';
    if (status === constants.ALREADY_ENABLED) return 'already-enabled';
    if (status === constants.DISABLED) return 'disabled';
    return 'failed';
  } catch {
    return 'failed';
  }
}
