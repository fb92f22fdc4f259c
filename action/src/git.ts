/** The few git queries the action needs, on the system `git`. */
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
