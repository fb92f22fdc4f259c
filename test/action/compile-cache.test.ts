/**
 * The bundle turns on Node's compile cache before it loads the rest of the action
 * (action/src/compile-cache.ts): on Node 22.1+ a run leaves V8's compiled code of the
 * chunks it loaded in the runner's tool cache, and the next run reads it back; on older
 * Node (no `module.enableCompileCache`) nothing is written and the run is the same.
 */
import { spawnSync } from 'node:child_process';
import module from 'node:module';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPILE_CACHE_DIR } from '../../action/src/compile-cache.js';
import { tempDir } from './helpers.js';

const bundle = fileURLToPath(new URL('../../action/dist/index.js', import.meta.url));
const supported = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** Files under `dir`, recursively (none when it does not exist). */
async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).map((e) => e.name);
}

describe('the action compile cache', () => {
  it(`${supported ? 'is written to RUNNER_TOOL_CACHE by a run and read by the next' : 'is not used on this Node (no module.enableCompileCache)'} (Node ${process.version})`, async () => {
    const toolCache = await tempDir('tool-cache-');
    try {
      // No inputs: the step fails at once (a missing store), after main and its chunks were loaded.
      const env = { PATH: process.env.PATH, RUNNER_TOOL_CACHE: toolCache };
      const first = spawnSync(process.execPath, [bundle], { env, encoding: 'utf8' });
      expect(first.stdout).toMatch(/::error::/);
      const cached = await files(path.join(toolCache, COMPILE_CACHE_DIR));
      if (!supported) {
        expect(cached).toEqual([]);
        return;
      }
      expect(cached.length).toBeGreaterThan(0);
      const second = spawnSync(process.execPath, [bundle], { env: { ...env, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' }, encoding: 'utf8' });
      expect(second.stdout).toMatch(/::error::/);
      // Node's own debug output names each module the cache answered for.
      expect(second.stderr).toMatch(/V8 code cache for ESM .*main-[A-Z0-9]+\.js was accepted/);
    } finally {
      await rm(toolCache, { recursive: true, force: true });
    }
  });
});
