import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);

// src/lifecycle/result.ts
var RESULT_ANNOTATION_TITLE = "prebuild-result";
function encodeResult(result) {
  return JSON.stringify(result);
}

// src/lifecycle/contract.ts
var RESULT_OUTPUT = "result";
var DispatchInputs = {
  Configuration: "configuration",
  Sha: "sha",
  Base: "base",
  PrebuildId: "prebuild-id",
  /** The configuration's `timeoutMinutes`: the job's `timeout-minutes` (empty: 60). */
  TimeoutMinutes: "timeout-minutes",
  /**
   * Snapshot keys (space-separated, see {@link encodeExpiredKeys}) whose prebuilds retention
   * expired when the app dispatched this run (SPEC.md rule 7): the action deletes them from
   * the Actions cache with the job's token, so the app makes no request for them.
   */
  Expire: "expire"
};
var JOB_INPUTS = [DispatchInputs.TimeoutMinutes];
var OPTIONAL_INPUTS = [DispatchInputs.TimeoutMinutes, DispatchInputs.Expire];
function decodeExpiredKeys(value) {
  return value.split(/\s+/).filter(Boolean);
}

// action/src/constants.ts
var Inputs = {
  Mode: "mode",
  Configuration: DispatchInputs.Configuration,
  Sha: DispatchInputs.Sha,
  PrebuildId: DispatchInputs.PrebuildId,
  Base: DispatchInputs.Base,
  /** Prebuild mode: snapshot keys retention expired, deleted from the Actions cache. */
  Expire: DispatchInputs.Expire,
  Store: "store",
  Workspace: "workspace",
  ContainerMode: "container-mode",
  /** Restore mode with the Actions cache: lists snapshots through the REST API. */
  Token: "token",
  /** Every secret of the run as JSON (`${{ toJSON(secrets) }}`); hooks get the ones the configuration names. */
  Secrets: "secrets",
  /** Container mode: image repository prefix the prebuilt image is pushed to / pulled from. */
  Registry: "registry",
  /** The app's URL, where each restore and each prebuild's result is reported (needs `permissions: id-token: write`); empty: not reported. */
  AppUrl: "app-url",
  /** The OIDC audience of the reports' token (the app's `PREBUILDS_OIDC_AUDIENCE`). */
  Audience: "audience",
  /** Container mode: most layers an incremental image may have before the next prebuild is full. */
  MaxImageLayers: "max-image-layers"
};
var Outputs = {
  /** The key the snapshot was saved under. */
  SnapshotKey: "snapshot-key",
  /** Size of the saved archive, bytes. */
  SnapshotSize: "snapshot-size",
  /** Whole step, ms. */
  DurationMs: "duration-ms",
  /** The base snapshot key that was restored, or empty for a build from scratch. */
  Base: "base",
  /** Restore mode: `exact`, `ancestor` or `none`. */
  PrebuildHit: "prebuild-hit",
  /** Restore mode: commit of the prebuild that was restored, empty for `none`. */
  PrebuildSha: "prebuild-sha",
  /** Restore mode: finding and restoring the snapshot, ms (hooks not included). */
  RestoreMs: "restore-ms",
  /** `host` or `container`: where the prebuild (or restore) ran. */
  ExecutionMode: "execution-mode",
  /** The whole result as JSON (the app↔action contract's `RESULT_OUTPUT`): the workflow's result step carries it to the app in its name. */
  Result: RESULT_OUTPUT,
  /** Container mode: the prebuilt image, pinned by digest. */
  Image: "image",
  /** Container mode, restore: the id of the running dev container. */
  ContainerId: "container-id",
  /** Time breakdown of the step as JSON, ms per phase (src/lifecycle/timings.ts). */
  Timings: "timings",
  /** Restore mode: `true` when the app recorded the report of this restore. */
  RestoreReported: "restore-reported"
};
var Modes = { Prebuild: "prebuild", Restore: "restore" };
var ContainerModes = { Auto: "auto", Host: "host", Container: "container" };
var Stores = { ActionsCache: "actions-cache", DirPrefix: "dir:", OciPrefix: "oci:" };
var Env = {
  Workspace: "GITHUB_WORKSPACE",
  Sha: "GITHUB_SHA",
  EventPath: "GITHUB_EVENT_PATH",
  RunId: "GITHUB_RUN_ID",
  RunAttempt: "GITHUB_RUN_ATTEMPT",
  RunnerTemp: "RUNNER_TEMP",
  StepSummary: "GITHUB_STEP_SUMMARY",
  /** Cache service v2 (set by the runner when the cache service is available). */
  ResultsUrl: "ACTIONS_RESULTS_URL",
  /** Cache service v1 (older runners, GHES). */
  CacheUrl: "ACTIONS_CACHE_URL",
  /** REST API base URL (GHES: `https://HOST/api/v3`). */
  ApiUrl: "GITHUB_API_URL",
  /** `owner/repo`. */
  Repository: "GITHUB_REPOSITORY",
  /** The ref the run is for (`refs/heads/x`, `refs/pull/N/merge`): Actions cache scope. */
  Ref: "GITHUB_REF",
  /** Base branch name of a pull_request run (its caches are visible too). */
  BaseRef: "GITHUB_BASE_REF",
  /** Set by the runner when the job may request an OIDC token (`id-token: write`). */
  IdTokenRequestUrl: "ACTIONS_ID_TOKEN_REQUEST_URL"
};

export {
  RESULT_ANNOTATION_TITLE,
  encodeResult,
  decodeExpiredKeys,
  Inputs,
  Outputs,
  Modes,
  ContainerModes,
  Stores,
  Env
};
//# sourceMappingURL=chunk-GMZZ543P.js.map
