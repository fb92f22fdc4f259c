/** The few git queries the action and the CLI need, on the system `git` (Node-only). */
import { execFile } from 'node:child_process';
import { realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs git in `cwd`.
 * @returns stdout, or `null` when git fails (not a repository, no git, …)
 */
export async function git(cwd: string, args: string[]): Promise<string | null> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 512 * 1024 * 1024, encoding: 'utf8' });
    return stdout;
  } catch {
    return null;
  }
}

/** The commit checked out in `cwd`, or `null` outside a repository. */
export async function headSha(cwd: string): Promise<string | null> {
  return (await git(cwd, ['rev-parse', 'HEAD']))?.trim() || null;
}

/** Whether `cwd` is the top level of a git work tree (not merely inside one). */
export async function isWorkTreeRoot(cwd: string): Promise<boolean> {
  const top = (await git(cwd, ['rev-parse', '--show-toplevel']))?.trim();
  if (!top) return false;
  return (await realpath(top)) === (await realpath(cwd));
}

/** Repository-relative paths git tracks in `cwd` (`git ls-files -z`), or `null` outside a repository. */
export async function trackedFiles(cwd: string): Promise<string[] | null> {
  const out = await git(cwd, ['ls-files', '-z']);
  return out === null ? null : out.split('\0').filter((p) => p !== '');
}

/** Whether the repository in `cwd` is a shallow clone (`actions/checkout`'s default `fetch-depth: 1`). */
export async function isShallow(cwd: string): Promise<boolean> {
  return (await git(cwd, ['rev-parse', '--is-shallow-repository']))?.trim() === 'true';
}

/**
 * Up to `count` commits reachable from `rev`, newest first, `rev` itself first
 * (`git rev-list --max-count=<count> <rev>`). In a shallow clone the list stops at
 * the shallow boundary.
 * @returns full shas; empty when git fails (no repository, unknown revision)
 */
export async function ancestors(cwd: string, rev: string, count: number): Promise<string[]> {
  const out = await git(cwd, ['rev-list', `--max-count=${Math.max(1, Math.floor(count))}`, rev, '--']);
  return out ? out.split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l)) : [];
}
