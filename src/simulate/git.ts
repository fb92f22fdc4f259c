/**
 * `prebuilds simulate --git DIR [--config FILE]`: a timeline from a real repository's
 * first-parent history, one push per commit, identities computed by the
 * configuration module at each commit (read straight from the object database with
 * one `git cat-file --batch` process, no checkout).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promisify } from 'node:util';
import { formatProblem, parsePrebuildsYml, PathOutsideRepositoryError, PREBUILDS_YML, resolveConfigurations } from '../config/index.js';
import type { FileSource, PrebuildSettings } from '../config/model.js';
import { normalizeRepoPath } from '../config/values.js';
import type { ConfigEvent, PushEvent, SimEvent } from './timeline.js';

const run = promisify(execFile);

/** Options of {@link timelineFromGit}. */
export interface GitTimelineOptions {
  /** Folder of the repository (a work tree or a bare repository). */
  dir: string;
  /** Content of a `.github/prebuilds.yml` used at every commit instead of the repository's own. */
  prebuildsYml?: string;
  /** Branch whose history is replayed; default the checked-out branch (`main` when HEAD is detached). */
  branch?: string;
  /** Only the newest N commits. Default: all. */
  maxCommits?: number;
}

/** One object read from `git cat-file --batch`, or null for a missing one. */
type GitObject = { type: string; oid: string; content: Buffer } | null;

/** A long-running `git cat-file --batch`: one request at a time, answers in order. */
class CatFile {
  private readonly proc: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (o: GitObject) => void; reject: (e: Error) => void }> = [];
  private failure: Error | null = null;

  constructor(dir: string) {
    this.proc = spawn('git', ['-C', dir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const w of this.waiting.splice(0)) w.reject(error);
    };
    this.proc.on('error', fail);
    this.proc.on('exit', (code) => fail(new Error(`git cat-file exited with ${code}`)));
  }

  get(spec: string): Promise<GitObject> {
    if (this.failure) return Promise.reject(this.failure);
    if (spec.includes('\n')) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(`${spec}\n`);
    });
  }

  close(): void {
    this.proc.removeAllListeners('exit');
    this.proc.stdin.end();
  }

  private drain(): void {
    for (;;) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0 || this.waiting.length === 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
      if (!m) {
        this.buffer = this.buffer.subarray(nl + 1); // `<spec> missing` / `ambiguous`
        this.waiting.shift()!.resolve(null);
        continue;
      }
      const size = Number(m[3]);
      if (this.buffer.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.waiting.shift()!.resolve({ oid: m[1]!, type: m[2]!, content });
    }
  }
}

/** Entry names of a binary tree object (`<mode> <name>\0<raw oid>` …). */
function treeNames(tree: Buffer, oidBytes: number): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < tree.length) {
    const space = tree.indexOf(32, i);
    const nul = tree.indexOf(0, space);
    if (space < 0 || nul < 0) break;
    names.push(tree.subarray(space + 1, nul).toString('utf8'));
    i = nul + 1 + oidBytes;
  }
  return names.sort();
}

/**
 * A {@link FileSource} over one commit of a repository, read through `cat`.
 * `overrides` replace files (e.g. `.github/prebuilds.yml` by the `--config` file).
 */
function commitFileSource(cat: CatFile, commit: string, overrides: Map<string, string>): FileSource {
  const check = (requested: string): string => {
    const n = normalizeRepoPath(requested);
    if (n === null) throw new PathOutsideRepositoryError(requested);
    return n;
  };
  return {
    async read(requested) {
      const p = check(requested);
      if (overrides.has(p)) return overrides.get(p)!;
      const o = await cat.get(`${commit}:${p}`);
      return o && o.type === 'blob' ? o.content.toString('utf8') : null;
    },
    async list(requested) {
      const p = check(requested);
      const o = await cat.get(p === '.' ? `${commit}^{tree}` : `${commit}:${p}`);
      return o && o.type === 'tree' ? treeNames(o.content, o.oid.length / 2) : null;
    },
  };
}

/** A commit of the first-parent history: sha, committer time (epoch s), files changed against its first parent. */
export interface HistoryCommit {
  sha: string;
  time: number;
  files: string[];
}

/**
 * The first-parent history of a branch, oldest first
 * (`git log --first-parent --reverse --name-only --diff-merges=first-parent`).
 * @throws Error with git's message when DIR is not a repository or the branch does not exist
 */
export async function firstParentHistory(dir: string, branch: string, maxCommits?: number): Promise<HistoryCommit[]> {
  const args = ['-C', dir, 'log', '--first-parent', '--diff-merges=first-parent', '--name-only', '-z', '--format=%x1e%H %ct'];
  if (maxCommits) args.push(`--max-count=${maxCommits}`);
  args.push(branch, '--');
  const { stdout } = await run('git', args, { maxBuffer: 1 << 30, encoding: 'utf8' });
  const commits = stdout
    .split('\x1e')
    .filter((r) => r.trim() !== '')
    .map((record) => {
      // `<sha> <time>\0\n<file>\0<file>\0` (-z: NUL after the format line and after each name)
      const [head = '', ...rest] = record.split('\0');
      const [sha = '', time = '0'] = head.trim().split(' ');
      const files = rest.map((f) => f.replace(/^\n/, '')).filter((f) => f !== '');
      return { sha, time: Number(time), files };
    });
  return commits.reverse(); // --reverse with --max-count would keep the oldest N; we want the newest N
}

/** The branch checked out in DIR, or `main` when HEAD is detached. */
async function currentBranch(dir: string): Promise<string> {
  try {
    return (await run('git', ['-C', dir, 'symbolic-ref', '--quiet', '--short', 'HEAD'])).stdout.trim() || 'main';
  } catch {
    return 'main';
  }
}

function configEvent(s: PrebuildSettings): ConfigEvent {
  const { name, branches, commitInterval, triggerFiles, trigger, environmentFile } = s;
  return { type: 'config', at: 0, configuration: { name, branches, commitInterval, triggerFiles, trigger, environmentFile } };
}

/**
 * Builds a timeline from a repository: `config` events for the configurations (from
 * `prebuildsYml`, else the repository's own `.github/prebuilds.yml` or default at the
 * newest commit), then one push per first-parent commit at its committer time (seconds
 * since the first one; never earlier than the previous push), with the identity of
 * every configuration that resolves at that commit.
 * @throws Error when git fails or `prebuildsYml` has problems (each as `file:line:column: message`)
 */
export async function timelineFromGit(options: GitTimelineOptions): Promise<SimEvent[]> {
  const branch = options.branch ?? (await currentBranch(options.dir));
  const history = await firstParentHistory(options.dir, branch, options.maxCommits);
  if (history.length === 0) throw new Error(`no commits on ${branch} in ${options.dir}`);
  const overrides = new Map<string, string>();
  if (options.prebuildsYml !== undefined) {
    const parsed = parsePrebuildsYml(options.prebuildsYml, branch);
    if (parsed.problems.length > 0) throw new Error(`the --config file has problems:\n${parsed.problems.map(formatProblem).join('\n')}`);
    overrides.set(PREBUILDS_YML, options.prebuildsYml);
  }
  const cat = new CatFile(options.dir);
  try {
    const resolveAt = (sha: string) => resolveConfigurations(commitFileSource(cat, sha, overrides), { defaultBranch: branch });
    const newest = await resolveAt(history[history.length - 1]!.sha);
    const settings =
      options.prebuildsYml !== undefined ? parsePrebuildsYml(options.prebuildsYml, branch).settings : newest.configurations.map((c) => c.settings);
    const events: SimEvent[] = settings.map(configEvent);
    const start = history[0]!.time;
    let at = 0;
    for (const commit of history) {
      at = Math.max(at, commit.time - start);
      const resolved = await resolveAt(commit.sha);
      const identity = Object.fromEntries(resolved.configurations.map((c) => [c.settings.name, c.identity]));
      const push: PushEvent = { type: 'push', at, branch, sha: commit.sha, files: commit.files, commits: 1, identity };
      events.push(push);
    }
    return events;
  } finally {
    cat.close();
  }
}
