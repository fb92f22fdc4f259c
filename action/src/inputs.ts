/**
 * The action's inputs, read and validated once. Defaults that depend on the run
 * (sha, prebuild id, workspace) are computed here so that the action also works
 * when started outside a workflow with only a few `INPUT_*` variables.
 */
import { DEFAULT_RESTORE_AUDIENCE } from '../../src/api/restore-report.js';
import path from 'node:path';
import { ContainerModes, Env, Inputs, Modes } from './constants.js';
import { git, headSha } from '../../src/lifecycle/git.js';
import { parseMaxImageLayers } from '../../src/container/model.js';
import { decodeExpiredKeys } from '../../src/lifecycle/contract.js';

/** Validated inputs. */
export interface ActionInputs {
  mode: (typeof Modes)[keyof typeof Modes];
  /** Configuration name; empty: the first one. */
  configuration: string;
  /** Full commit sha being prebuilt. */
  sha: string;
  prebuildId: string;
  /** Base snapshot key, or `null`. */
  base: string | null;
  /** Snapshot keys retention expired (the `expire` input), to delete from the Actions cache; may be empty. */
  expire: string[];
  /** The raw `store` input (parsed by `parseStoreSpec`). */
  store: string;
  /** Absolute workspace path. */
  workspace: string;
  containerMode: (typeof ContainerModes)[keyof typeof ContainerModes];
  /** Token for the REST API (restore mode lists Actions cache entries); may be empty. */
  token: string;
  /** The raw `secrets` input (JSON of every secret of the run, parsed by secrets.ts); may be empty. */
  secrets: string;
  /** Container mode: image repository prefix (`ghcr.io/OWNER/REPO/prebuilds`); may be empty. */
  registry: string;
  /** The app's URL to report the restore, or the prebuild's result, to; empty: not reported. */
  appUrl: string;
  /** The OIDC audience of the reports' token. */
  audience: string;
  /** Container mode: the layer-count limit of incremental images (src/container/model.ts layerLimitReason). */
  maxImageLayers: number;
}

/** Reads one input by name (`core.getInput` in the action). */
export type GetInput = (name: string) => string;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`Invalid "${name}" input "${value}": expected one of ${allowed.join(', ')}`);
}

/**
 * Reads and validates every input.
 * - `workspace`: default `GITHUB_WORKSPACE`, else the working directory;
 * - `sha`: default the checkout's `HEAD`, else `GITHUB_SHA`; an abbreviated sha is resolved to the full one;
 * - `prebuild-id`: default `<GITHUB_RUN_ID>-<GITHUB_RUN_ATTEMPT>`, else `local-<epoch ms>`.
 * @throws Error naming the input when a value is invalid or no sha can be found
 */
export async function readInputs(getInput: GetInput, env: NodeJS.ProcessEnv): Promise<ActionInputs> {
  const mode = oneOf(Inputs.Mode, getInput(Inputs.Mode), [Modes.Prebuild, Modes.Restore], Modes.Prebuild);
  const containerMode = oneOf(
    Inputs.ContainerMode,
    getInput(Inputs.ContainerMode),
    [ContainerModes.Auto, ContainerModes.Host, ContainerModes.Container],
    ContainerModes.Auto,
  );
  const workspace = path.resolve(getInput(Inputs.Workspace) || env[Env.Workspace] || process.cwd());
  let sha = getInput(Inputs.Sha) || (await headSha(workspace)) || env[Env.Sha] || '';
  if (!/^[0-9a-f]{7,64}$/.test(sha)) {
    throw new Error(sha ? `Invalid "${Inputs.Sha}" input "${sha}": expected a commit sha` : `No commit sha: set the "${Inputs.Sha}" input`);
  }
  if (sha.length !== 40 && sha.length !== 64) {
    // Keys and ancestor lookups use full shas: resolve an abbreviated one in the checkout.
    const full = (await git(workspace, ['rev-parse', '--verify', '--quiet', `${sha}^{commit}`]))?.trim();
    if (!full) throw new Error(`Invalid "${Inputs.Sha}" input "${sha}": an abbreviated sha must name a commit of the checkout`);
    sha = full;
  }
  const runId = env[Env.RunId];
  const prebuildId = getInput(Inputs.PrebuildId) || (runId ? `${runId}-${env[Env.RunAttempt] || '1'}` : `local-${Date.now()}`);
  if (!/^[A-Za-z0-9_-]+$/.test(prebuildId)) {
    throw new Error(`Invalid "${Inputs.PrebuildId}" input "${prebuildId}": use letters, digits, "-" and "_"`);
  }
  return {
    mode,
    configuration: getInput(Inputs.Configuration),
    sha,
    prebuildId,
    base: getInput(Inputs.Base) || null,
    expire: decodeExpiredKeys(getInput(Inputs.Expire)),
    store: getInput(Inputs.Store),
    workspace,
    containerMode,
    token: getInput(Inputs.Token),
    secrets: getInput(Inputs.Secrets),
    registry: getInput(Inputs.Registry).trim(),
    appUrl: getInput(Inputs.AppUrl).trim(),
    audience: getInput(Inputs.Audience).trim() || DEFAULT_RESTORE_AUDIENCE,
    maxImageLayers: parseMaxImageLayers(getInput(Inputs.MaxImageLayers)),
  };
}
