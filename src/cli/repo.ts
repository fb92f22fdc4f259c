import { execFileSync } from 'node:child_process';
import { CliError, EXIT, type CliIo } from './io.js';

const FULL_NAME = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})$/;

/**
 * `owner/repo` of a GitHub remote URL (`https://github.com/o/r.git`, `git@github.com:o/r.git`,
 * `ssh://git@host/o/r`), or null.
 */
export function repoFromRemote(url: string): { owner: string; repo: string } | null {
  const m = /[:/]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.trim());
  if (!m) return null;
  const full = FULL_NAME.exec(`${m[1]}/${m[2]}`);
  return full ? { owner: full[1]!, repo: full[2]! } : null;
}

/**
 * The repository a command works on: `--repo`, else `PREBUILDS_REPO`, else the
 * `origin` remote of the git checkout in the current directory.
 * @throws CliError (usage) when none is given or it is not `owner/repo`
 */
export function resolveRepo(option: string | undefined, io: CliIo): { owner: string; repo: string } {
  const given = option ?? io.env.PREBUILDS_REPO;
  if (given) {
    const m = FULL_NAME.exec(given);
    if (!m) throw new CliError(`--repo: "${given}" is not owner/repo`, EXIT.usage);
    return { owner: m[1]!, repo: m[2]! };
  }
  try {
    const remote = execFileSync('git', ['config', '--get', 'remote.origin.url'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const found = repoFromRemote(remote);
    if (found) return found;
  } catch {
    // not a checkout, or no origin: fall through
  }
  throw new CliError('which repository? give --repo owner/repo (or set PREBUILDS_REPO, or run inside a clone)', EXIT.usage);
}
