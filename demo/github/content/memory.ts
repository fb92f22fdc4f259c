/**
 * {@link RepoContent} kept in memory: commits are whole file trees (path → text)
 * with parents, refs are a map. Shas of blobs are git's (`sha1("blob <len>\0…")`);
 * commit shas are given by the caller or derived from the commit's content.
 * For tests and the benchmark, where a real git repository would be slow and
 * nothing runs a workflow against it.
 */
import { createHash } from 'node:crypto';
import type { FileChange, GitCommit, PathContent, RepoContent, TreeEntry } from './types.js';

/** One commit to add with {@link MemoryRepoContent.commit}. */
export interface MemoryCommit {
  /** The full tree: path → content. */
  files: Record<string, string>;
  /** Default: derived from the tree, parents and message. Must be 40 hex digits. */
  sha?: string;
  /** Default: the head of `branch` (none for the first commit). */
  parents?: string[];
  /** Moves this branch to the new commit; default `main`, `null` for none. */
  branch?: string | null;
  message?: string;
  /** Default: now. */
  date?: Date;
}

interface Stored {
  commit: GitCommit;
  files: Map<string, Buffer>;
  order: number;
}

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');
/** Blob shas by buffer: a file a commit leaves unchanged keeps its buffer (see `MemoryRepoContent.blob`), so its sha is computed once. */
const blobShas = new WeakMap<Buffer, string>();
const blobSha = (b: Buffer) => {
  let sha = blobShas.get(b);
  if (sha === undefined) {
    sha = createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
    blobShas.set(b, sha);
  }
  return sha;
};
const lines = (b: Buffer | undefined) => (b === undefined || b.length === 0 ? [] : b.toString('utf8').replace(/\n$/, '').split('\n'));

/** A repository whose history lives in this process. */
export class MemoryRepoContent implements RepoContent {
  private readonly commits = new Map<string, Stored>();
  private readonly refs = new Map<string, string>();
  /** Bytes of every file of every commit (what {@link sizeKiB} reports), kept as commits are added. */
  private bytes = 0;
  /** The last content committed at each path, and its buffer (shared by the commits that keep it). */
  private readonly lastBlobs = new Map<string, { text: string; buffer: Buffer }>();

  /** The buffer of `text` at `path`: the previous commit's when the file did not change. */
  private blob(path: string, text: string): Buffer {
    const last = this.lastBlobs.get(path);
    if (last && last.text === text) return last.buffer;
    const buffer = Buffer.from(text);
    this.lastBlobs.set(path, { text, buffer });
    return buffer;
  }

  /**
   * Adds a commit and (by default) moves `main` to it.
   * @returns its sha
   * @throws Error when a parent is unknown or `sha` is not 40 hex digits
   */
  commit(c: MemoryCommit): string {
    const branch = c.branch === undefined ? 'main' : c.branch;
    const head = branch ? this.refs.get(`refs/heads/${branch}`) : undefined;
    const parents = c.parents ?? (head ? [head] : []);
    for (const p of parents) if (!this.commits.has(p)) throw new Error(`unknown parent commit ${p}`);
    const files = new Map<string, Buffer>();
    for (const [p, t] of Object.entries(c.files)) {
      const path = p.replace(/^\/+/, '');
      files.set(path, this.blob(path, t));
    }
    const tree = sha1(
      [...files]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([p, b]) => `${p}\0${blobSha(b)}`)
        .join('\n'),
    );
    const message = c.message ?? 'Update';
    const date = (c.date ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sha = c.sha ?? sha1(`tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join('')}${date}\n${this.commits.size}\n${message}`);
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`a commit sha is 40 hex digits, not ${JSON.stringify(sha)}`);
    const person = { name: 'Dev Demo', email: 'dev-demo@users.noreply.github.com', date };
    const replaced = this.commits.get(sha);
    if (replaced) for (const b of replaced.files.values()) this.bytes -= b.length;
    for (const b of files.values()) this.bytes += b.length;
    this.commits.set(sha, { commit: { sha, tree, parents, author: person, committer: person, message }, files, order: this.commits.size });
    if (branch) this.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  /** Points a branch at a commit (or deletes it with `null`). */
  setBranch(branch: string, sha: string | null): void {
    if (sha === null) this.refs.delete(`refs/heads/${branch}`);
    else this.refs.set(`refs/heads/${branch}`, sha);
  }

  async resolveCommit(ref: string): Promise<string | null> {
    if (this.commits.has(ref)) return ref;
    for (const full of [ref, `refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = this.refs.get(full);
      if (sha) return sha;
    }
    if (/^[0-9a-f]{4,39}$/.test(ref)) {
      const hits = [...this.commits.keys()].filter((s) => s.startsWith(ref));
      if (hits.length === 1) return hits[0]!;
    }
    return null;
  }

  async resolveBranchOrTag(ref: string): Promise<{ ref: string; sha: string } | null> {
    for (const full of ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`]) {
      const sha = this.refs.get(full);
      if (sha && (full.startsWith('refs/heads/') || full.startsWith('refs/tags/'))) return { ref: full, sha };
    }
    return null;
  }

  async readCommit(ref: string): Promise<GitCommit | null> {
    const sha = await this.resolveCommit(ref);
    return sha ? this.commits.get(sha)!.commit : null;
  }

  async logCommits(sha: string, options: { exclude?: string[]; reverse?: boolean; path?: string } = {}): Promise<GitCommit[]> {
    let list = this.walk(sha, options.exclude ?? []);
    if (options.path) list = list.filter((c) => this.diff(c.commit.sha).some((f) => f.filename === options.path || f.filename.startsWith(`${options.path}/`)));
    const commits = list.map((c) => c.commit);
    return options.reverse ? commits.reverse() : commits;
  }

  async countCommits(base: string | null, head: string): Promise<number> {
    return (await this.logCommits(head, { exclude: base ? [base] : [] })).length;
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const target = this.commits.get(ancestor);
    const start = this.start(descendant);
    if (!target || !start) return false;
    // A commit is added after its parents (`order`): below the ancestor's order, no path leads to it.
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length) {
      const s = stack.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      for (const p of this.commits.get(s)!.commit.parents) if (this.commits.get(p)!.order >= target.order) stack.push(p);
    }
    return false;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const fromA = this.reachable(a);
    const common = [...this.reachable(b)].filter((s) => fromA.has(s)).map((s) => this.commits.get(s)!);
    common.sort((x, y) => y.order - x.order);
    return common[0]?.commit.sha ?? null;
  }

  async changedFiles(head: string, base?: string): Promise<FileChange[]> {
    return this.diff(head, base);
  }

  async readPath(sha: string, path: string): Promise<PathContent> {
    const c = this.commits.get(sha);
    if (!c) return null;
    const clean = path.replace(/^\/+|\/+$/g, '');
    const file = c.files.get(clean);
    if (file) return { kind: 'file', sha: blobSha(file), content: file, mode: '100644' };
    const prefix = clean ? `${clean}/` : '';
    const entries = new Map<string, TreeEntry>();
    for (const [p, b] of c.files) {
      if (!p.startsWith(prefix)) continue;
      const [name, ...rest] = p.slice(prefix.length).split('/');
      if (rest.length === 0) entries.set(name!, { name: name!, type: 'blob', mode: '100644', sha: blobSha(b), size: b.length });
      else if (!entries.has(name!)) entries.set(name!, { name: name!, type: 'tree', mode: '040000', sha: sha1(`${sha}:${prefix}${name}`), size: 0 });
    }
    return entries.size ? { kind: 'dir', entries: [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) } : null;
  }

  async listBranches(): Promise<Map<string, string>> {
    return new Map([...this.refs].filter(([r]) => r.startsWith('refs/heads/')).map(([r, s]) => [r.slice('refs/heads/'.length), s]));
  }

  async updateRef(ref: string, sha: string): Promise<void> {
    this.refs.set(ref, sha);
  }

  async sizeKiB(): Promise<number> {
    return Math.ceil(this.bytes / 1024);
  }

  /** The commit `ref` names (a sha, a full ref or a branch), or `undefined`. */
  private start(ref: string): string | undefined {
    return this.commits.has(ref) ? ref : (this.refs.get(ref) ?? this.refs.get(`refs/heads/${ref}`));
  }

  /** Shas reachable from `ref` (itself included); empty for an unknown ref. */
  private reachable(ref: string): Set<string> {
    const seen = new Set<string>();
    const start = this.start(ref);
    const stack = start ? [start] : [];
    while (stack.length) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...this.commits.get(s)!.commit.parents);
    }
    return seen;
  }

  /**
   * Commits reachable from `ref` and from none of `exclude` (`git rev-list ref ^e…`),
   * newest first. Walks in descending `order` (a commit is added after its parents, so
   * a commit's flags are final when it is taken) and stops when only excluded commits
   * are left: a push of one commit reads two, not the whole history.
   */
  private walk(ref: string, exclude: string[]): Stored[] {
    const HEAD = 1;
    const EXCLUDED = 2;
    const pending = new Map<string, number>();
    const add = (sha: string | undefined, flag: number) => {
      if (sha) pending.set(sha, (pending.get(sha) ?? 0) | flag);
    };
    add(this.start(ref), HEAD);
    for (const e of exclude) add(this.start(e), EXCLUDED);
    const out: Stored[] = [];
    // Pending commits only the head reaches: while there are any, the walk goes on.
    let wanted = [...pending.values()].filter((f) => f === HEAD).length;
    while (wanted > 0) {
      let top: Stored | undefined;
      for (const sha of pending.keys()) {
        const c = this.commits.get(sha)!;
        if (!top || c.order > top.order) top = c;
      }
      const flags = pending.get(top!.commit.sha)!;
      pending.delete(top!.commit.sha);
      if (flags === HEAD) {
        wanted--;
        out.push(top!);
      }
      for (const p of top!.commit.parents) {
        const before = pending.get(p);
        const after = (before ?? 0) | flags;
        if (before === HEAD && after !== HEAD) wanted--;
        if (after === HEAD && before !== HEAD) wanted++;
        pending.set(p, after);
      }
    }
    return out;
  }

  /** Files changed by `head` against `base` (default: its first parent; all files for a root commit). */
  private diff(head: string, base?: string): FileChange[] {
    const h = this.commits.get(head)?.files ?? new Map<string, Buffer>();
    const b = this.commits.get(base ?? this.commits.get(head)?.commit.parents[0] ?? '')?.files ?? new Map<string, Buffer>();
    const out: FileChange[] = [];
    for (const name of [...new Set([...b.keys(), ...h.keys()])].sort()) {
      const before = b.get(name);
      const after = h.get(name);
      if (before && after && before.equals(after)) continue;
      const old = new Set(lines(before));
      const now = new Set(lines(after));
      out.push({
        filename: name,
        status: !before ? 'added' : !after ? 'removed' : 'modified',
        additions: lines(after).filter((l) => !old.has(l)).length,
        deletions: lines(before).filter((l) => !now.has(l)).length,
      });
    }
    return out;
  }
}
