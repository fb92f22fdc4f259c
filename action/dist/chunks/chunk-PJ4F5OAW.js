import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);
import {
  ancestors,
  changedDependencyFiles,
  dependencyFilesChangedSince,
  hashDependencyFiles,
  hookEnvironment,
  isShallow,
  restoreBase,
  runHook,
  snapshotPaths,
  substituteCommand
} from "./chunk-S7TV35CP.js";
import {
  PhaseTimer
} from "./chunk-GPWEZFP6.js";
import {
  CACHES_DIR,
  logCaches,
  restoreCachesPart,
  snapshotKeyPrefix,
  unsuccessfulMarker
} from "./chunk-AETBLR7H.js";

// src/lifecycle/restore.ts
import { existsSync } from "node:fs";
import path from "node:path";

// src/lifecycle/restore-plan.ts
var RESTORE_HOOKS = ["onCreateCommand", "updateContentCommand", "postCreateCommand"];
function rankCandidates(listings, ancestors2, identity) {
  const distance = /* @__PURE__ */ new Map();
  ancestors2.forEach((sha, i) => {
    if (!distance.has(sha)) distance.set(sha, i);
  });
  const candidates = [];
  const skipped = [];
  let unrelated = 0;
  for (const l of listings) {
    const d = distance.get(l.sha);
    if (d === void 0) {
      unrelated++;
      continue;
    }
    if (l.identity !== null && l.identity !== identity) {
      skipped.push({ key: l.key, reason: `built for configuration identity ${l.identity.slice(0, 12)}, the commit has ${identity.slice(0, 12)}` });
      continue;
    }
    candidates.push({ ...l, distance: d });
  }
  candidates.sort((a, b) => a.distance - b.distance || b.createdAt.localeCompare(a.createdAt) || a.key.localeCompare(b.key));
  return { candidates, skipped, unrelated };
}
function markerMismatch(marker, expected) {
  const unsuccessful = unsuccessfulMarker(marker);
  if (unsuccessful || !marker) return unsuccessful;
  if (marker.identity !== expected.identity) {
    return `it was built for configuration identity ${marker.identity.slice(0, 12)}, the commit has ${expected.identity.slice(0, 12)}`;
  }
  if (marker.sha !== expected.sha) return `its marker is for commit ${marker.sha.slice(0, 12)}, not ${expected.sha.slice(0, 12)}`;
  return null;
}
function planRestore(lifecycle, hit) {
  return RESTORE_HOOKS.map((hook) => {
    const command = lifecycle[hook];
    if (!command) return { hook, action: "skip", reason: "not configured" };
    if (hit.kind === "none" || hook === "postCreateCommand") {
      return hit.kind === "none" && hook !== "postCreateCommand" ? { hook, action: "run", command, note: "no prebuild: full lifecycle" } : { hook, action: "run", command };
    }
    if (hook === "onCreateCommand") {
      const changed = hit.changedDependencyFiles ?? [];
      if (changed.length > 0) return { hook, action: "run", command, note: `dependency files changed since the prebuild ran it: ${changed.join(", ")}` };
      return { hook, action: "skip", reason: "ran in the prebuild" };
    }
    if (hit.kind === "exact") return { hook, action: "skip", reason: "ran in the prebuild at this commit" };
    const behind = hit.distance ?? 0;
    return { hook, action: "run", command, note: `the prebuild is ${behind} commit${behind === 1 ? "" : "s"} behind: updating it` };
  });
}
function timeSaved(marker, restoreMs, ranMs) {
  if (!marker) return null;
  const hooks = ["onCreateCommand", "updateContentCommand"];
  const recorded = hooks.map((h) => marker.hooks[h]?.durationMs).filter((d) => typeof d === "number");
  if (recorded.length === 0) return null;
  const prebuiltMs = recorded.reduce((a, b) => a + b, 0);
  const spentMs = Math.round(restoreMs + hooks.reduce((sum, h) => sum + (ranMs[h] ?? 0), 0));
  return { prebuiltMs, spentMs, savedMs: prebuiltMs - spentMs };
}
function shallowNote(shallow, available, wanted) {
  if (!shallow || available >= wanted) return null;
  return `The checkout is shallow (${available} of the ${wanted} commits to search): only prebuilds of ${available === 1 ? "this exact commit" : `these ${available} commits`} can be found. For ancestor hits check out with fetch-depth: 0 (or at least ${wanted}) in actions/checkout.`;
}

// src/lifecycle/restore.ts
var DEFAULT_MAX_ATTEMPTS = 3;
async function restorePrebuild(req, accept = () => null) {
  const started = req.startedAt ?? performance.now();
  const { workspace, configuration, log } = req;
  const timer = req.timer ?? new PhaseTimer();
  const name = configuration.settings.name;
  const paths = snapshotPaths(configuration.settings.paths);
  const wanted = configuration.settings.ancestorDepth + 1;
  const finding = performance.now();
  let commits = await ancestors(workspace, req.sha, wanted);
  if (commits.length === 0) {
    log.warning(`Commit ${req.sha} is not in the checkout's history: only a prebuild of exactly this commit can be used`);
    commits = [req.sha];
  }
  const shallow = await isShallow(workspace);
  const note = shallowNote(shallow, commits.length, wanted);
  if (note) log.info(note);
  const listings = await req.catalog.list(snapshotKeyPrefix(name)).catch((error) => {
    log.warning(`Could not list prebuilds (${error instanceof Error ? error.message : String(error)}): running the full lifecycle`);
    return [];
  });
  const ranked = rankCandidates(listings, commits, configuration.identity);
  log.info(
    `Searching ${commits.length} commit${commits.length === 1 ? "" : "s"} for a prebuild of "${name}": ${listings.length} snapshot${listings.length === 1 ? "" : "s"} in the ${req.store.description}, ${ranked.candidates.length} usable`
  );
  timer.add("restore", performance.now() - finding);
  const rejected = [...ranked.skipped];
  for (const s of ranked.skipped) log.info(`Skipping ${s.key}: ${s.reason}`);
  let chosen = null;
  let marker = null;
  for (const c of ranked.candidates.slice(0, req.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)) {
    log.info(`Restoring ${c.key} (${c.distance === 0 ? "this commit" : `${c.distance} commit${c.distance === 1 ? "" : "s"} behind`})`);
    const exclude = req.skipUnneededCaches && await dependencyFilesChangedSince(workspace, c.sha, req.sha) === false ? [CACHES_DIR] : [];
    const r = await restoreBase(req.store, c.key, paths, workspace, (m) => markerMismatch(m, { sha: c.sha, identity: configuration.identity }) ?? accept(m), {
      timer,
      exclude
    });
    if (r.restored) {
      chosen = c;
      marker = r.marker;
      log.info(`Restored: ${r.moved} entries moved in, ${r.kept} kept from the checkout, ${r.deleted.length} files deleted since the prebuild`);
      break;
    }
    const reason = r.rejected ?? "not found in the store (evicted or deleted)";
    rejected.push({ key: c.key, reason });
    log.warning(`Discarding snapshot ${c.key}: ${reason}`);
  }
  const restoreMs = Math.round(performance.now() - started);
  const hit = chosen === null ? "none" : chosen.distance === 0 ? "exact" : "ancestor";
  if (hit === "none") log.info(`No usable prebuild for ${req.sha}: running the full lifecycle`);
  return {
    hit,
    chosen: chosen && { key: chosen.key, sha: chosen.sha, distance: chosen.distance },
    marker,
    restoreMs,
    shallow,
    searched: commits.length,
    rejected
  };
}
async function restoreWorkspace(req) {
  const started = req.startedAt ?? performance.now();
  const { workspace, configuration, log } = req;
  const timer = req.timer ?? new PhaseTimer();
  const { hit, chosen, marker, restoreMs, shallow, searched, rejected } = await restorePrebuild({
    ...req,
    startedAt: started,
    timer,
    skipUnneededCaches: req.skipUnneededCaches ?? true
  });
  const changed = marker?.dependencyFiles ? changedDependencyFiles(marker.dependencyFiles, await hashDependencyFiles(workspace)) : [];
  if (marker?.caches && changed.length > 0) {
    const restored = await restoreCachesPart(req.store, marker, workspace, timer);
    if (restored === true) log.info(`Package caches restored from ${marker.caches} (${changed.join(", ")} changed since the prebuild)`);
    else log.warning(`Package caches not restored (${restored}): the install downloads what it needs`);
  }
  const plan = planRestore(configuration.environment.lifecycle, { kind: hit, distance: chosen?.distance ?? 0, changedDependencyFiles: changed });
  const cachesRestored = existsSync(path.join(workspace, CACHES_DIR));
  const hookConfiguration = cachesRestored ? configuration : { ...configuration, settings: { ...configuration.settings, caches: false } };
  const { env, vars, caches } = hookEnvironment(hookConfiguration, workspace, req.env);
  logCaches(caches, log);
  const runs = [];
  for (const step of plan) {
    if (step.action === "skip") {
      log.info(`${step.hook}: skipped (${step.reason})`);
      continue;
    }
    if (step.note) log.info(`${step.hook}: ${step.note}`);
    const run = await runHook(step.hook, substituteCommand(step.command, vars), { cwd: workspace, env, log });
    timer.add(step.hook, run.durationMs);
    runs.push(run);
  }
  const hooks = {};
  for (const run of runs) hooks[run.hook] = run.durationMs;
  return {
    hit,
    snapshotKey: chosen?.key ?? null,
    prebuildSha: chosen?.sha ?? null,
    distance: chosen?.distance ?? null,
    restoreMs,
    durationMs: Math.round(performance.now() - started),
    plan,
    runs,
    hooks,
    marker,
    saved: hit === "none" ? null : timeSaved(marker, restoreMs, hooks),
    shallow,
    searched,
    rejected,
    timings: timer.toJSON()
  };
}

export {
  restorePrebuild,
  restoreWorkspace
};
//# sourceMappingURL=chunk-PJ4F5OAW.js.map
