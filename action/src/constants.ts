/**
 * Every input, output and environment name the action uses, in one place
 * (the actions/cache convention: no bare strings elsewhere). Input names match
 * `action/action.yml`; the runner passes them as `INPUT_<NAME>` with the name
 * upper-cased and dashes kept (`INPUT_PREBUILD-ID`).
 */

/** Names of the inputs declared in `action/action.yml`. */
export const Inputs = {
  Mode: 'mode',
  Configuration: 'configuration',
  Sha: 'sha',
  PrebuildId: 'prebuild-id',
  Base: 'base',
  Store: 'store',
  Workspace: 'workspace',
  ContainerMode: 'container-mode',
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
} as const;

/** Values of the `mode` input. Only `prebuild` is implemented (restore is planned). */
export const Modes = { Prebuild: 'prebuild' } as const;

/** Values of the `container-mode` input. */
export const ContainerModes = { Host: 'host', Container: 'container' } as const;

/** Values (and the prefix) of the `store` input. */
export const Stores = { ActionsCache: 'actions-cache', DirPrefix: 'dir:' } as const;

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
} as const;

/** Default snapshot paths when the configuration sets none (the whole workspace). */
export const DEFAULT_PATHS: readonly string[] = ['.'];
