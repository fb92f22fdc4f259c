/**
 * The one internal model every configuration format is mapped onto
 * (devcontainer.json, .gitpod.yml) plus the prebuild settings of
 * `.github/prebuilds.yml` (SPEC.md "Configuration"). Pure types: imported by the
 * app, the action and the CLI alike.
 */
import type { CachesSetting } from './caches.js';

/** The lifecycle hooks of the Dev Container specification, in the order they run. */
export const LIFECYCLE_HOOKS = [
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;

/** One of {@link LIFECYCLE_HOOKS}. */
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];

/**
 * A single command: the string form (run through `/bin/sh -c`, or `bash -c` when
 * `shell` is `bash`, as Gitpod runs its tasks) or the array form (exec, no shell).
 */
export type SingleCommand =
  { kind: 'shell'; command: string; env?: Record<string, string>; shell?: 'bash' } | { kind: 'exec'; argv: string[]; env?: Record<string, string> };

/**
 * A lifecycle command in its normalised form. The object form of the spec becomes
 * `parallel`: named commands run concurrently, the hook fails with the first failure.
 * Empty strings, arrays and objects are dropped by the parsers (the spec skips them).
 */
export type LifecycleCommand = SingleCommand | { kind: 'parallel'; commands: Record<string, SingleCommand> };

/** Which file format an environment came from. */
export type EnvironmentFormat = 'devcontainer' | 'gitpod';

/**
 * A dev environment as the product resolved it, whatever its format.
 * For `.gitpod.yml`, each task's `before` + `init` become `updateContentCommand`
 * (so a full prebuild and an incremental one both re-run them, as Gitpod does) and
 * `before` + `command` become `postStartCommand`.
 */
export interface Environment {
  format: EnvironmentFormat;
  /** Repository-relative path of the file, e.g. `.devcontainer/devcontainer.json`. */
  file: string;
  /** Normalised lifecycle commands; a hook that is absent or empty is not a key. */
  lifecycle: Partial<Record<LifecycleHook, LifecycleCommand>>;
  /** `waitFor` (devcontainer), default `updateContentCommand`. */
  waitFor: LifecycleHook;
  /** Container image, if any (`image`, Gitpod `image` string). */
  image?: string;
  /** Dockerfile build, paths repository-relative (`build`, legacy `dockerFile`, Gitpod `image.file`). */
  build?: { dockerfile: string; context: string; args: Record<string, string> };
  /** Compose files, repository-relative. */
  dockerComposeFiles: string[];
  /** Feature ids (OCI refs or local `./` paths made repository-relative) with their options. */
  features: Record<string, unknown>;
  /**
   * Repository-relative folders of the local features (`./x` in the file), sorted;
   * absent when there are none. Their files go into the identity.
   */
  localFeatures?: string[];
  containerEnv: Record<string, string>;
  remoteEnv: Record<string, string>;
  /** The parsed document (comments and formatting gone), used for the identity. */
  parsed: unknown;
}

/** Codespaces' three triggers (SPEC.md table, `trigger`). */
export type TriggerMode = 'every-push' | 'configuration-change' | 'schedule';

/** One entry of `.github/prebuilds.yml` with every default applied (SPEC.md table). */
export interface PrebuildSettings {
  name: string;
  /** Path of the environment file; exactly one format. */
  environmentFile: string;
  environmentFormat: EnvironmentFormat;
  /** Branch globs (picomatch); default: the repository's default branch. */
  branches: string[];
  trigger: TriggerMode;
  /** Cron expression, if any. */
  schedule?: string;
  pullRequests: 'same-repository' | 'off';
  commitInterval: number;
  triggerFiles: string[];
  incremental: boolean;
  ancestorDepth: number;
  retention: number;
  timeoutMinutes: number;
  /** What the snapshot holds, workspace-relative; default `['.']`. */
  paths: string[];
  notify: string[];
  /** Workflow file name the app dispatches, default `prebuild.yml`. */
  workflow: string;
  /**
   * Names of repository / organisation secrets the lifecycle commands get as
   * environment variables (never for forks); default none. Not part of the identity:
   * they decide what the commands may read, and a snapshot holding a value is refused.
   */
  secrets: string[];
  /**
   * Package-manager caches the snapshot keeps (src/lifecycle/caches.ts): `true`
   * detects them from the lockfiles present, `false` none, a list exactly those.
   * Absent (settings stored before the setting existed): `true`. Not part of the
   * identity: it decides where caches are written, not what the environment is.
   */
  caches?: CachesSetting;
}

/** A configuration ready to prebuild: settings, environment and identity. */
export interface ResolvedConfiguration {
  settings: PrebuildSettings;
  environment: Environment;
  /** SPEC.md rule 1: hex sha256 of everything that shapes the environment. */
  identity: string;
  /** Repository-relative files whose content went into the identity, sorted. */
  identityFiles: string[];
  /** Every path the identity depends on, missing referenced scripts included (what a push must not touch for a resolved configuration to be reused). */
  dependsOn?: string[];
}

/**
 * A configuration mistake a person can act on: file, 1-based line and column,
 * reason and (when known) the offending key path like `prebuilds[0].retention`.
 */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  message: string;
  keyPath?: string;
}

/**
 * Read access to one repository tree at one commit. The app implements it with
 * the contents API at the pushed sha; the action and the CLI with the local
 * checkout. Paths are repository-relative with `/` separators.
 */
export interface FileSource {
  /**
   * File content as UTF-8, or `null` when there is no such file (or it is a directory).
   * Implementations over real trees (the checkout, the contents API) throw
   * `UnreadableFileError` (read-limits.ts) for a path that leaves the repository, a
   * file that is not a regular file, one over the size cap and, with
   * `options.strict`, one that is not valid UTF-8.
   */
  read(path: string, options?: ReadOptions): Promise<string | null>;
  /** Names (not paths) of the entries of a directory, or `null` when it does not exist. */
  list(dir: string): Promise<string[] | null>;
}

/** Options of {@link FileSource.read}. */
export interface ReadOptions {
  /** The file is parsed (a configuration file): invalid UTF-8 is an error with its position, not U+FFFD. */
  strict?: boolean;
}

/** What {@link resolveConfigurations} returns: what resolved, and every problem found. */
export interface ResolveResult {
  /** Where the prebuild settings came from: the file, or `default` (SPEC.md "No file"). */
  source: '.github/prebuilds.yml' | 'default';
  configurations: ResolvedConfiguration[];
  problems: ConfigProblem[];
  /**
   * Things that do not stop a configuration but that a person should know, with
   * their position: duplicate JSON keys, ignored keys, unknown Gitpod keys, a task
   * that calls Gitpod's `gp`.
   */
  warnings: ConfigProblem[];
}
