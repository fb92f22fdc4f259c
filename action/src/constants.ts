/**
 * Every input, output and environment name the action uses, in one place
 * (the actions/cache convention: no bare strings elsewhere). Input names match
 * `action/action.yml`; the runner passes them as `INPUT_<NAME>` with the name
 * upper-cased and dashes kept (`INPUT_PREBUILD-ID`).
 */

import { DispatchInputs, RESULT_OUTPUT } from '../../src/lifecycle/contract.js';

/** Names of the inputs declared in `action/action.yml` (the dispatched ones are the app↔action contract's). */
export const Inputs = {
  Mode: 'mode',
  Configuration: DispatchInputs.Configuration,
  Sha: DispatchInputs.Sha,
  PrebuildId: DispatchInputs.PrebuildId,
  Base: DispatchInputs.Base,
  /** Prebuild mode: snapshot keys retention expired, deleted from the Actions cache. */
  Expire: DispatchInputs.Expire,
  Store: 'store',
  Workspace: 'workspace',
  ContainerMode: 'container-mode',
  /** Restore mode with the Actions cache: lists snapshots through the REST API. */
  Token: 'token',
  /** Every secret of the run as JSON (`${{ toJSON(secrets) }}`); hooks get the ones the configuration names. */
  Secrets: 'secrets',
  /** Container mode: image repository prefix the prebuilt image is pushed to / pulled from. */
  Registry: 'registry',
  /** The app's URL, where each restore and each prebuild's result is reported (needs `permissions: id-token: write`); empty: not reported. */
  AppUrl: 'app-url',
  /** The OIDC audience of the reports' token (the app's `PREBUILDS_OIDC_AUDIENCE`). */
  Audience: 'audience',
  /** Container mode: most layers an incremental image may have before the next prebuild is full. */
  MaxImageLayers: 'max-image-layers',
} as const;

/** Names of the outputs declared in `action/action.yml`. */
export const Outputs = {
  /** The key the snapshot was saved under. */
  SnapshotKey: 'snapshot-key',
  /** Size of the saved archive, bytes. */
  SnapshotSize: 'snapshot-size',
  /** Whole step, ms. */
  DurationMs: 'duration-ms',
  /** The base snapshot key that was restored, or empty for a build from scratch. */
  Base: 'base',
  /** Restore mode: `exact`, `ancestor` or `none`. */
  PrebuildHit: 'prebuild-hit',
  /** Restore mode: commit of the prebuild that was restored, empty for `none`. */
  PrebuildSha: 'prebuild-sha',
  /** Restore mode: finding and restoring the snapshot, ms (hooks not included). */
  RestoreMs: 'restore-ms',
  /** `host` or `container`: where the prebuild (or restore) ran. */
  ExecutionMode: 'execution-mode',
  /** The whole result as JSON (the app↔action contract's `RESULT_OUTPUT`): the workflow's result step carries it to the app in its name. */
  Result: RESULT_OUTPUT,
  /** Container mode: the prebuilt image, pinned by digest. */
  Image: 'image',
  /** Container mode, restore: the id of the running dev container. */
  ContainerId: 'container-id',
  /** Time breakdown of the step as JSON, ms per phase (src/lifecycle/timings.ts). */
  Timings: 'timings',
  /** Restore mode: `true` when the app recorded the report of this restore. */
  RestoreReported: 'restore-reported',
} as const;

/** Values of the `mode` input: build and save a snapshot, or restore the best one and finish the lifecycle. */
export const Modes = { Prebuild: 'prebuild', Restore: 'restore' } as const;

/** Values of the `container-mode` input (src/container/model.ts chooses between them). */
export const ContainerModes = { Auto: 'auto', Host: 'host', Container: 'container' } as const;

/** Values (and the prefix) of the `store` input. */
export const Stores = { ActionsCache: 'actions-cache', DirPrefix: 'dir:', OciPrefix: 'oci:' } as const;

/** Environment variables the runner sets that the action reads. */
export const Env = {
  Workspace: 'GITHUB_WORKSPACE',
  Sha: 'GITHUB_SHA',
  EventPath: 'GITHUB_EVENT_PATH',
  RunId: 'GITHUB_RUN_ID',
  RunAttempt: 'GITHUB_RUN_ATTEMPT',
  RunnerTemp: 'RUNNER_TEMP',
  StepSummary: 'GITHUB_STEP_SUMMARY',
  /** Cache service v2 (set by the runner when the cache service is available). */
  ResultsUrl: 'ACTIONS_RESULTS_URL',
  /** Cache service v1 (older runners, GHES). */
  CacheUrl: 'ACTIONS_CACHE_URL',
  /** REST API base URL (GHES: `https://HOST/api/v3`). */
  ApiUrl: 'GITHUB_API_URL',
  /** `owner/repo`. */
  Repository: 'GITHUB_REPOSITORY',
  /** The ref the run is for (`refs/heads/x`, `refs/pull/N/merge`): Actions cache scope. */
  Ref: 'GITHUB_REF',
  /** Base branch name of a pull_request run (its caches are visible too). */
  BaseRef: 'GITHUB_BASE_REF',
  /** Set by the runner when the job may request an OIDC token (`id-token: write`). */
  IdTokenRequestUrl: 'ACTIONS_ID_TOKEN_REQUEST_URL',
} as const;

/** Default snapshot paths when the configuration sets none (the whole workspace). */
export const DEFAULT_PATHS: readonly string[] = ['.'];
