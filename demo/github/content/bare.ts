/** {@link RepoContent} over a bare git repository on disk (the `git` CLI, see ../git.ts). */
import * as g from '../git.js';
import type { GitCommit, PathContent, RepoContent } from './types.js';

/** A bare repository's content; `dir` is what `git push` targets. */
export class BareRepoContent implements RepoContent {
  constructor(readonly dir: string) {}

  resolveCommit = (ref: string) => g.resolveCommit(this.dir, ref);
  resolveBranchOrTag = (ref: string) => g.resolveBranchOrTag(this.dir, ref);
  readCommit = (ref: string) => g.readCommit(this.dir, ref);
  logCommits = (sha: string, options?: { exclude?: string[]; reverse?: boolean; path?: string }): Promise<GitCommit[]> => g.logCommits(this.dir, sha, options);
  countCommits = (base: string | null, head: string) => g.countCommits(this.dir, base, head);
  isAncestor = (ancestor: string, descendant: string) => g.isAncestor(this.dir, ancestor, descendant);
  mergeBase = (a: string, b: string) => g.mergeBase(this.dir, a, b);
  changedFiles = (head: string, base?: string) => g.changedFiles(this.dir, head, base);
  readPath = (sha: string, path: string): Promise<PathContent> => g.readPath(this.dir, sha, path);
  listBranches = () => g.listBranches(this.dir);
  updateRef = (ref: string, sha: string) => g.updateRef(this.dir, ref, sha);
  sizeKiB = () => g.repoSizeKiB(this.dir);
}
