import path from 'node:path';
import type { ResolvedConfiguration } from '../config/model.js';
import { defaultBranch, loadConfiguration } from '../lifecycle/configuration.js';
import { headSha } from '../lifecycle/git.js';
import { DirStore } from '../lifecycle/snapshot/dir-store.js';
import { OciStore } from '../lifecycle/snapshot/oci-store.js';
import { registryCredentials } from '../lifecycle/snapshot/oci/credentials.js';
import { parseRepositoryRef } from '../lifecycle/snapshot/oci/registry-client.js';
import type { SnapshotCatalog, SnapshotStore } from '../lifecycle/snapshot/store.js';
import { CliError, EXIT, type CliIo } from './io.js';

/**
 * Parses `--store`: `dir:<path>` or `oci:REGISTRY/NAME` (the Actions cache is only
 * reachable from a workflow run).
 * @param env where registry credentials come from (docker config, GITHUB_TOKEN)
 * @throws CliError (usage) for anything else
 */
export function snapshotStoreOf(spec: string, cwd: string, env: NodeJS.ProcessEnv = process.env): SnapshotStore & SnapshotCatalog {
  const value = spec.trim();
  const dir = /^dir:(.+)$/.exec(value);
  if (dir) return new DirStore(path.resolve(cwd, dir[1]!.trim()));
  if (value.startsWith('oci:')) {
    try {
      const ref = parseRepositoryRef(value.slice(4).trim());
      return new OciStore(ref, registryCredentials(ref.registry, env));
    } catch (err) {
      throw new CliError(`--store ${value}: ${(err as Error).message}`, EXIT.usage);
    }
  }
  throw new CliError(`--store must be dir:<path> or oci:REGISTRY/NAME (the Actions cache is only reachable from a workflow run), got "${spec}"`, EXIT.usage);
}

/** A local checkout made ready from a prebuild: where it is, its commit, configuration and the store to read. */
export interface LocalCheckout {
  /** Absolute path of the checkout. */
  workspace: string;
  /** The commit to restore for (`--sha`, else the checkout's HEAD). */
  sha: string;
  configuration: ResolvedConfiguration;
  store: SnapshotStore & SnapshotCatalog;
}

/**
 * What `prebuilds restore` and `prebuilds up` both start from: the `--store` (dir: or
 * oci:), the checkout's commit, and its configuration (`--configuration`, else the first).
 * @throws CliError (usage) for a bad store or a checkout without a commit; (not found) when no configuration resolves
 */
export async function localCheckout(workspaceArg: string, opts: { store: string; configuration?: string; sha?: string }, io: CliIo): Promise<LocalCheckout> {
  const workspace = path.resolve(workspaceArg);
  const store = snapshotStoreOf(opts.store, process.cwd(), { ...process.env, ...io.env });
  const sha = opts.sha ?? (await headSha(workspace));
  if (!sha || !/^[0-9a-f]{7,64}$/.test(sha)) throw new CliError(`${workspace} is not a git checkout with a commit: pass --sha`, EXIT.usage);
  try {
    const loaded = await loadConfiguration(workspace, opts.configuration ?? '', await defaultBranch(workspace, undefined));
    return { workspace, sha, configuration: loaded.configuration, store };
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.notFound);
  }
}
