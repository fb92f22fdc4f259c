/**
 * Creating the stand-in's repositories: backed by a bare git repository (what
 * `git push` targets; the local runner can run workflows on it) or kept in
 * memory (commits added with `MemoryRepoContent.commit`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BareRepoContent } from './content/bare.js';
import { MemoryRepoContent } from './content/memory.js';
import type { RepoContent } from './content/types.js';
import { git } from './git.js';
import type { StandInState } from './state.js';
import type { RepoRecord } from './types.js';

/** Options of a new repository. */
export interface NewRepo {
  /** Default: the stand-in's owner. */
  owner?: string;
  /** The installation covering it; default the app's installation. */
  installationId?: number;
  defaultBranch?: string;
  /** Actions configuration variables (`vars.X`). */
  variables?: Record<string, string>;
  secrets?: Record<string, string>;
  private?: boolean;
}

function record(state: StandInState, name: string, o: NewRepo, content: RepoContent, bareDir: string | null): RepoRecord {
  const now = new Date();
  const owner = o.owner ?? state.ownerLogin;
  const rec: RepoRecord = {
    id: state.nextId('repo'),
    owner,
    name,
    installationId: o.installationId ?? state.app.installationId,
    content,
    bareDir,
    defaultBranch: o.defaultBranch ?? 'main',
    private: o.private ?? true,
    createdAt: now,
    pushedAt: now,
    variables: { ...o.variables },
    secrets: { ...o.secrets },
    knownHeads: new Map(),
    workflowIds: new Map(),
  };
  state.repos.set(`${owner}/${name}`.toLowerCase(), rec);
  return rec;
}

/** Creates an empty repository backed by a bare git repository under `workRoot`; `remote` is the path to `git push` to. */
export async function createGitRepo(state: StandInState, workRoot: string, name: string, o: NewRepo = {}): Promise<RepoRecord & { remote: string }> {
  const bareDir = join(workRoot, 'repos', o.owner ?? state.ownerLogin, `${name}.git`);
  await mkdir(bareDir, { recursive: true });
  await git(bareDir, ['init', '--bare', '-q', `--initial-branch=${o.defaultBranch ?? 'main'}`]);
  await git(bareDir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  await git(bareDir, ['config', 'uploadpack.allowFilter', 'true']);
  return Object.assign(record(state, name, o, new BareRepoContent(bareDir), bareDir), { remote: bareDir });
}

/** Creates an empty repository kept in memory; add commits with `content.commit(…)`. */
export function createMemoryRepo(state: StandInState, name: string, o: NewRepo = {}): RepoRecord & { content: MemoryRepoContent } {
  return record(state, name, o, new MemoryRepoContent(), null) as RepoRecord & { content: MemoryRepoContent };
}
