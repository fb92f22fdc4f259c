/**
 * What the stand-in knows of a repository's history and files, whatever holds
 * them: a bare git repository on disk ({@link BareRepoContent}, the demo and the
 * end-to-end tests) or commits kept in memory ({@link MemoryRepoContent}, app
 * tests and the benchmark). Every REST route and simulated event reads through it.
 */
import type { FileChange, GitCommit, TreeEntry } from '../git.js';

export type { FileChange, GitCommit, TreeEntry };

/** What is at a path of a commit: a file, a directory, or nothing (`null`). */
export type PathContent = { kind: 'file'; sha: string; content: Buffer; mode: string } | { kind: 'dir'; entries: TreeEntry[] } | null;

/** A repository's commits, refs and files (the `git` operations the stand-in needs). */
export interface RepoContent {
  /** Resolves a branch, tag, `refs/...` name or (abbreviated) sha to a commit sha; `null` when unknown. */
  resolveCommit(ref: string): Promise<string | null>;
  /** A branch or tag name (what `workflow_dispatch` accepts) as `{ref: 'refs/heads/x', sha}`, or `null`. */
  resolveBranchOrTag(ref: string): Promise<{ ref: string; sha: string } | null>;
  /** One commit, or `null` when `ref` names none. */
  readCommit(ref: string): Promise<GitCommit | null>;
  /** Commits reachable from `sha`, newest first, without those reachable from `exclude`; `path`: only commits changing it. */
  logCommits(sha: string, options?: { exclude?: string[]; reverse?: boolean; path?: string }): Promise<GitCommit[]>;
  /** Commits in `head` not in `base` (`git rev-list --count base..head`). */
  countCommits(base: string | null, head: string): Promise<number>;
  /** Whether `ancestor` is an ancestor of (or equal to) `descendant`. */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** The best common ancestor, or `null` for unrelated histories. */
  mergeBase(a: string, b: string): Promise<string | null>;
  /** Files one commit changed against its first parent, or between `base` and `head`. */
  changedFiles(head: string, base?: string): Promise<FileChange[]>;
  /** What is at `path` in commit `sha`. */
  readPath(sha: string, path: string): Promise<PathContent>;
  /** Branch names → head shas. */
  listBranches(): Promise<Map<string, string>>;
  /** Points a full ref name (`refs/pull/1/head`) at `sha`. */
  updateRef(ref: string, sha: string): Promise<void>;
  /** Size of the repository, KiB (GitHub's `size`). */
  sizeKiB(): Promise<number>;
}
