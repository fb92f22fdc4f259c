import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  Octokit
} from "./chunk-I6YT6OFG.js";
import {
  Env
} from "./chunk-GMZZ543P.js";
import "./chunk-GPWEZFP6.js";
import {
  parseSnapshotKey
} from "./chunk-AETBLR7H.js";
import "./chunk-ILOR4H4D.js";

// action/src/snapshot/cache-catalog.ts
var MAX_PAGES = 10;
function visibleRefs(env, defaultBranch) {
  const refs = [env[Env.Ref], env[Env.BaseRef] ? `refs/heads/${env[Env.BaseRef]}` : void 0, defaultBranch ? `refs/heads/${defaultBranch}` : void 0];
  return [...new Set(refs.filter((r) => Boolean(r)))];
}
var ActionsCacheCatalog = class {
  /** @throws Error when `repository` is not `owner/repo` or there is no token */
  constructor(options) {
    this.options = options;
    const [owner, repo, ...rest] = options.repository.split("/");
    if (!owner || !repo || rest.length > 0) throw new Error(`Cannot list the Actions cache: "${options.repository}" is not owner/repo (${Env.Repository})`);
    if (!options.token && !options.listPage)
      throw new Error('Cannot list the Actions cache without a token: set the "token" input (default ${{ github.token }}, needs actions: read)');
    this.owner = owner;
    this.repo = repo;
    if (options.listPage) {
      this.listPage = options.listPage;
    } else {
      const quiet = () => void 0;
      const octokit = new Octokit({
        auth: options.token,
        baseUrl: options.baseUrl || "https://api.github.com",
        userAgent: "prebuilds-action",
        log: { debug: quiet, info: quiet, warn: quiet, error: quiet }
      });
      this.listPage = async (params) => (await octokit.rest.actions.getActionsCacheList(params)).data;
    }
  }
  options;
  owner;
  repo;
  listPage;
  /** @throws Error with the API's message when a call fails (e.g. 403 without `actions: read`) */
  async list(prefix) {
    const seen = /* @__PURE__ */ new Map();
    for (const ref of this.options.refs.length > 0 ? this.options.refs : [void 0]) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const params = { owner: this.owner, repo: this.repo, key: prefix, per_page: 100, page, ...ref ? { ref } : {} };
        const data = await this.listPage(params);
        for (const e of data.actions_caches) {
          const parsed = e.key ? parseSnapshotKey(e.key) : null;
          if (!e.key || !parsed || !e.key.startsWith(prefix) || seen.has(e.key)) continue;
          seen.set(e.key, {
            key: e.key,
            sha: parsed.sha,
            configuration: parsed.configuration,
            identity: null,
            createdAt: e.created_at ?? "",
            bytes: typeof e.size_in_bytes === "number" ? e.size_in_bytes : null,
            hooks: {}
          });
        }
        if (data.actions_caches.length < 100 || page * 100 >= data.total_count) break;
      }
    }
    return [...seen.values()];
  }
};
export {
  ActionsCacheCatalog,
  visibleRefs
};
//# sourceMappingURL=cache-catalog-PYH4H2EO.js.map
