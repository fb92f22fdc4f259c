import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  Octokit
} from "./chunk-I6YT6OFG.js";
import {
  cachesPartPrefix,
  isCachesPartKey,
  parseSnapshotKey,
  snapshotKeyPrefix
} from "./chunk-AETBLR7H.js";
import "./chunk-ILOR4H4D.js";

// action/src/snapshot/expire.ts
function deletableKeys(expire, configuration, keep) {
  const prefix = snapshotKeyPrefix(configuration);
  const partPrefix = cachesPartPrefix(configuration);
  const ours = (k) => k.startsWith(prefix) && parseSnapshotKey(k) !== null || k.startsWith(partPrefix) && isCachesPartKey(k);
  return [...new Set(expire)].filter((k) => ours(k) && !keep.includes(k));
}
function restDelete(options) {
  const [owner, repo, ...rest] = options.repository.split("/");
  if (!owner || !repo || rest.length > 0) throw new Error(`"${options.repository}" is not owner/repo (GITHUB_REPOSITORY)`);
  if (!options.token) throw new Error('no token: set the "token" input (default ${{ github.token }}, needs actions: write)');
  const quiet = () => void 0;
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl || "https://api.github.com",
    userAgent: "prebuilds-action",
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet }
  });
  return async (key) => {
    try {
      await octokit.rest.actions.deleteActionsCacheByKey({ owner, repo, key });
      return true;
    } catch (error) {
      if (error.status === 404) return false;
      throw error;
    }
  };
}
async function deleteExpiredSnapshots(keys, options, log) {
  if (keys.length === 0) return [];
  const deleted = [];
  try {
    const deleteByKey = options.deleteByKey ?? restDelete(options);
    for (const key of keys) if (await deleteByKey(key)) deleted.push(key);
    log.info(
      `Retention: deleted ${deleted.length} expired snapshot${deleted.length === 1 ? "" : "s"} from the Actions cache${deleted.length ? `: ${deleted.join(", ")}` : ""}`
    );
  } catch (err) {
    log.warning(
      `Retention could not delete expired snapshots from the Actions cache (the job's token needs actions: write): ${err instanceof Error ? err.message : String(err)}`
    );
  }
  return deleted;
}
export {
  deletableKeys,
  deleteExpiredSnapshots
};
//# sourceMappingURL=expire-A3FPKODZ.js.map
