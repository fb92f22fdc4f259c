import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import "./chunks/chunk-ILOR4H4D.js";

// action/src/compile-cache.ts
import module from "node:module";
import path from "node:path";
var TOOL_CACHE_ENV = "RUNNER_TOOL_CACHE";
var COMPILE_CACHE_DIR = path.join("prebuilds-action", "node-compile-cache");
function enableActionCompileCache(env = process.env) {
  const enable = module.enableCompileCache;
  const constants = module.constants?.compileCacheStatus;
  if (typeof enable !== "function" || !constants) return "unsupported";
  try {
    const toolCache = env[TOOL_CACHE_ENV];
    const { status } = toolCache && !env.NODE_COMPILE_CACHE ? enable(path.join(toolCache, COMPILE_CACHE_DIR)) : enable();
    if (status === constants.ENABLED) return "enabled";
    if (status === constants.ALREADY_ENABLED) return "already-enabled";
    if (status === constants.DISABLED) return "disabled";
    return "failed";
  } catch {
    return "failed";
  }
}

// action/src/index.ts
enableActionCompileCache();
var { run } = await import("./chunks/main-ZKWCGI6Z.js");
await run();
//# sourceMappingURL=index.js.map
