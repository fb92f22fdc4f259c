/**
 * The `hashFiles(path, …)` expression function, as GitHub's runner defines it
 * (docs "Expressions › hashFiles"; actions/runner `src/Misc/expressionFunc/hashFiles`):
 * the patterns are @actions/glob patterns relative to the workspace (`*`, `**`, `?`,
 * `[…]`, dot files matched, a matched directory matching everything under it, `!`
 * excluding, the last pattern that matches a path deciding); files outside the
 * workspace are never matched (the walk starts there); the result is the SHA-256 (hex) of the concatenated binary
 * SHA-256 digests of every matched file, or '' when nothing matches. A first argument
 * `--follow-symbolic-links` descends into symlinked directories (files reached
 * through a symlink are hashed by their target's content either way).
 * Difference: the files are hashed in path order (the runner uses its glob's
 * traversal order, the file system's directory order).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

/** The option a first argument may carry. */
export const FOLLOW_SYMBOLIC_LINKS = '--follow-symbolic-links';

/** A compiled pattern: whether it excludes, and its matcher over workspace-relative paths. */
interface Pattern {
  exclude: boolean;
  match: (relative: string) => boolean;
}

function compile(pattern: string): Pattern | null {
  let text = pattern.trim();
  if (text === '' || text.startsWith('#')) return null;
  const exclude = text.startsWith('!');
  if (exclude) text = text.slice(1).trim();
  text = text.replace(/^\.\//, '').replace(/\/+$/, '');
  return { exclude, match: picomatch(text, { dot: true }) };
}

/** Whether the last pattern matching `relative` or one of its parent directories includes it. */
function selected(patterns: readonly Pattern[], relative: string): boolean {
  const parts = relative.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let included = false;
  for (const p of patterns) if (candidates.some((c) => p.match(c))) included = !p.exclude;
  return included;
}

/** Workspace-relative paths of the files under `workspace` (symlinked directories followed only when asked, each real directory once). */
function files(workspace: string, follow: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (relative: string): void => {
    const abs = relative ? path.join(workspace, relative) : workspace;
    const real = realpathSync(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isSymbolicLink()) {
        const target = statSync(path.join(workspace, child), { throwIfNoEntry: false });
        if (target?.isDirectory()) {
          if (follow) walk(child);
        } else if (target?.isFile()) out.push(child);
      } else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Computes `hashFiles(...args)` in `workspace`.
 * @param args the function's arguments as strings (a first `--follow-symbolic-links` is the option)
 * @returns the hex SHA-256 of the matched files' SHA-256 digests, '' when none matched
 * @throws Error when no pattern is given
 */
export function hashFiles(workspace: string, args: readonly string[]): string {
  const follow = args[0] === FOLLOW_SYMBOLIC_LINKS;
  const patterns = (follow ? args.slice(1) : args)
    .flatMap((a) => a.split('\n'))
    .map(compile)
    .filter((p): p is Pattern => p !== null);
  if (patterns.length === 0) throw new Error('hashFiles requires at least one pattern');
  const result = createHash('sha256');
  let count = 0;
  for (const relative of files(workspace, follow)) {
    if (!selected(patterns, relative)) continue;
    result.update(
      createHash('sha256')
        .update(readFileSync(path.join(workspace, relative)))
        .digest(),
    );
    count++;
  }
  return count > 0 ? result.digest('hex') : '';
}
