import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.js';

/** Which of `files` git tracks in `workspace` (paths relative to it), or null outside a checkout. */
async function trackedFiles(workspace: string, files: readonly string[]): Promise<Set<string> | null> {
  const out = await git(workspace, ['ls-files', '-z', '--', ...files]);
  return out === null ? null : new Set(out.split('\0').filter(Boolean));
}

/**
 * Dependency manifests and lockfiles at the workspace root that installs in
 * `onCreateCommand` usually read (`npm ci`, `bundle install`, `pip install -r`, …).
 * An incremental prebuild skips `onCreateCommand` when its base already ran it; when
 * one of these files changed since, it runs it again, so a lockfile change is always
 * installed (the base's dependencies would be stale otherwise).
 */
export const DEPENDENCY_FILES = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'Gemfile.lock',
  'requirements.txt',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'go.sum',
  'Cargo.lock',
  'composer.lock',
  'mix.lock',
  'pubspec.lock',
  'packages.lock.json',
] as const;

/**
 * sha256 (hex) of each {@link DEPENDENCY_FILES} entry present at the workspace root
 * and tracked by git (a lockfile the hooks generate, in a repository that does not
 * commit one, is no change of the repository); absent files are left out. Outside a
 * git checkout every present file counts.
 */
export async function hashDependencyFiles(workspace: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const tracked = await trackedFiles(workspace, DEPENDENCY_FILES);
  for (const file of DEPENDENCY_FILES) {
    if (tracked && !tracked.has(file)) continue;
    try {
      out[file] = createHash('sha256')
        .update(await readFile(path.join(workspace, file)))
        .digest('hex');
    } catch {
      // absent
    }
  }
  return out;
}

/**
 * Whether a {@link DEPENDENCY_FILES} entry changed between two commits of the
 * checkout (`git diff --name-only`); `null` when git cannot tell (a commit missing
 * from a shallow clone, not a checkout).
 */
export async function dependencyFilesChangedSince(workspace: string, from: string, to: string): Promise<boolean | null> {
  if (from === to) return false;
  const out = await git(workspace, ['diff', '--name-only', from, to, '--', ...DEPENDENCY_FILES]);
  return out === null ? null : out.trim() !== '';
}

/** Names of the dependency files that differ between two hash maps (added, removed or changed), sorted. */
export function changedDependencyFiles(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((f) => before[f] !== after[f]).sort();
}
