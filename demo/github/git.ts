/**
 * The `git` CLI over a bare repository: everything the stand-in says about
 * contents and commits comes from here. Arguments are passed as arrays (no
 * shell); refs starting with `-` are refused.
 */
import { execFile } from 'node:child_process';

/** A failed git command, with its stderr. */
export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(`git ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
  }
}

/**
 * Runs `git <args>` in `cwd`.
 * @returns stdout (UTF-8 string, or a Buffer when `binary`)
 * @throws GitError on a non-zero exit
 */
export function git(cwd: string, args: string[], binary?: false): Promise<string>;
export function git(cwd: string, args: string[], binary: true): Promise<Buffer>;
export function git(cwd: string, args: string[], binary = false): Promise<string | Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, encoding: binary ? 'buffer' : 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (err, stdout, stderr) => {
        if (err) reject(new GitError(args, String(stderr), typeof err.code === 'number' ? err.code : null));
        else resolve(stdout);
      },
    );
  });
}

function safeRef(ref: string): boolean {
  return ref.length > 0 && !ref.startsWith('-') && !/[\s\0]/.test(ref);
}

/** A commit as `git show` reports it. Dates are ISO 8601 strings with the committer's offset. */
export interface GitCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
}

/** Resolves a branch, tag, `refs/...` name or (abbreviated) sha to a commit sha; `null` when unknown. */
export async function resolveCommit(bare: string, ref: string): Promise<string | null> {
  if (!safeRef(ref)) return null;
  try {
    return (await git(bare, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Resolves a branch or tag name (what `workflow_dispatch` accepts; not a sha).
 * @returns `{ref: 'refs/heads/x' | 'refs/tags/x', sha}` or `null`
 */
export async function resolveBranchOrTag(bare: string, ref: string): Promise<{ ref: string; sha: string } | null> {
  if (!safeRef(ref)) return null;
  const candidates = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const full of candidates) {
    if (!full.startsWith('refs/heads/') && !full.startsWith('refs/tags/')) continue;
    const sha = await resolveCommit(bare, full);
    if (sha) return { ref: full, sha };
  }
  return null;
}

const FORMAT = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x1f') + '%x1e';

function parseCommits(out: string): GitCommit[] {
  return out
    .split('\x1e')
    .map((s) => s.replace(/^\n/, ''))
    .filter((s) => s.length > 0)
    .map((rec) => {
      const [sha, tree, parents, an, ae, ad, cn, ce, cd, message] = rec.split('\x1f') as string[];
      return {
        sha: sha!,
        tree: tree!,
        parents: parents ? parents.split(' ').filter(Boolean) : [],
        author: { name: an!, email: ae!, date: ad! },
        committer: { name: cn!, email: ce!, date: cd! },
        message: (message ?? '').replace(/\n+$/, ''),
      };
    });
}

/** One commit, or `null` when `ref` does not name a commit. */
export async function readCommit(bare: string, ref: string): Promise<GitCommit | null> {
  const sha = await resolveCommit(bare, ref);
  if (!sha) return null;
  return parseCommits(await git(bare, ['show', '-s', `--format=${FORMAT}`, sha]))[0] ?? null;
}

/**
 * Commits reachable from `sha`, newest first (`git log` order), optionally
 * excluding those reachable from `exclude`.
 */
export async function logCommits(
  bare: string,
  sha: string,
  options: { max?: number; skip?: number; exclude?: string[]; reverse?: boolean; path?: string } = {},
): Promise<GitCommit[]> {
  const args = ['log', `--format=${FORMAT}`];
  if (options.max !== undefined) args.push(`--max-count=${options.max}`);
  if (options.skip) args.push(`--skip=${options.skip}`);
  if (options.reverse) args.push('--reverse');
  args.push(sha, ...(options.exclude ?? []).map((e) => `^${e}`));
  if (options.path) args.push('--', options.path);
  return parseCommits(await git(bare, args));
}

/** Number of commits in `head` not in `base` (`git rev-list --count base..head`). */
export async function countCommits(bare: string, base: string | null, head: string): Promise<number> {
  const args = ['rev-list', '--count', head];
  if (base) args.push(`^${base}`);
  return Number((await git(bare, args)).trim());
}

/** Whether `ancestor` is an ancestor of (or equal to) `descendant`. */
export async function isAncestor(bare: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await git(bare, ['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch {
    return false;
  }
}

/** The best common ancestor, or `null` for unrelated histories. */
export async function mergeBase(bare: string, a: string, b: string): Promise<string | null> {
  try {
    return (await git(bare, ['merge-base', a, b])).trim() || null;
  } catch {
    return null;
  }
}

/** A file changed between two trees; `status` as GitHub names it. */
export interface FileChange {
  filename: string;
  status: 'added' | 'removed' | 'modified';
  additions: number;
  deletions: number;
}

/**
 * Files changed by one commit against its first parent (all files for a root
 * commit), or between `base` and `head` when `base` is given. No rename detection.
 */
export async function changedFiles(bare: string, head: string, base?: string): Promise<FileChange[]> {
  const common = ['-r', '--no-renames', '--no-commit-id'];
  const range = base ? [base, head] : ['--root', '-m', '--first-parent', head];
  const statusOut = await git(bare, ['diff-tree', ...common, '--name-status', ...range]);
  const numOut = await git(bare, ['diff-tree', ...common, '--numstat', ...range]);
  const nums = new Map<string, [number, number]>();
  for (const line of numOut.split('\n')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
    if (m) nums.set(m[3]!, [m[1] === '-' ? 0 : Number(m[1]), m[2] === '-' ? 0 : Number(m[2])]);
  }
  const seen = new Set<string>();
  const files: FileChange[] = [];
  for (const line of statusOut.split('\n')) {
    const m = /^([AMDT])\t(.+)$/.exec(line);
    if (!m || seen.has(m[2]!)) continue;
    seen.add(m[2]!);
    const [additions, deletions] = nums.get(m[2]!) ?? [0, 0];
    files.push({ filename: m[2]!, status: m[1] === 'A' ? 'added' : m[1] === 'D' ? 'removed' : 'modified', additions, deletions });
  }
  return files;
}

/** An entry of a tree (`git ls-tree -l`). */
export interface TreeEntry {
  name: string;
  type: 'blob' | 'tree' | 'commit';
  mode: string;
  sha: string;
  size: number;
}

/**
 * What is at `path` in commit `sha`: a file (bytes and blob sha), a directory
 * (entries), or `null` when nothing is there.
 */
export async function readPath(
  bare: string,
  sha: string,
  path: string,
): Promise<{ kind: 'file'; sha: string; content: Buffer; mode: string } | { kind: 'dir'; entries: TreeEntry[] } | null> {
  const clean = path.replace(/^\/+|\/+$/g, '');
  if (clean.split('/').some((seg) => seg === '..')) return null;
  const spec = `${sha}:${clean}`;
  let type: string;
  try {
    type = (await git(bare, ['cat-file', '-t', spec])).trim();
  } catch {
    return null;
  }
  if (type === 'tree') {
    const out = await git(bare, ['ls-tree', '-l', '-z', spec]);
    const entries = out
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const [meta, name] = line.split('\t') as [string, string];
        const [mode, t, objSha, size] = meta.split(/\s+/) as [string, string, string, string];
        return { name, type: t as TreeEntry['type'], mode, sha: objSha, size: size === '-' ? 0 : Number(size) };
      });
    return { kind: 'dir', entries };
  }
  if (type !== 'blob') return null;
  const blobSha = (await git(bare, ['rev-parse', spec])).trim();
  const content = await git(bare, ['cat-file', 'blob', spec], true);
  const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
  const base = clean.slice(clean.lastIndexOf('/') + 1);
  const listing = await git(bare, ['ls-tree', `${sha}:${parent}`, '--', base]).catch(() => '100644');
  return { kind: 'file', sha: blobSha, content, mode: listing.split(/\s+/)[0] ?? '100644' };
}

/** Branch names → head shas (`refs/heads/*`). */
export async function listBranches(bare: string): Promise<Map<string, string>> {
  const out = await git(bare, ['for-each-ref', '--format=%(refname:strip=2) %(objectname)', 'refs/heads']);
  const map = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [name, sha] = line.split(' ');
    if (name && sha) map.set(name, sha);
  }
  return map;
}

/** Points `ref` (full name, e.g. `refs/pull/1/head`) at `sha`. */
export async function updateRef(bare: string, ref: string, sha: string): Promise<void> {
  await git(bare, ['update-ref', ref, sha]);
}

/** Total size of the repository's objects, KiB (GitHub's `size`). */
export async function repoSizeKiB(bare: string): Promise<number> {
  const out = await git(bare, ['count-objects', '-v']);
  const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return get('size') + get('size-pack');
}
