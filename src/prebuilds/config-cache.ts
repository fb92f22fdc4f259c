import picomatch from 'picomatch';
import type { ResolveResult } from '../config/model.js';
import { carryOver, knownFilesSize, noKnownFiles, type KnownFiles } from './known-files.js';

/** Paths whose change can alter which configurations exist or their identity, besides `identityFiles`. */
const ALWAYS_WATCHED = picomatch(['.github/prebuilds.yml', '.devcontainer.json', '.devcontainer/**', '.gitpod.yml', '.gitpod.Dockerfile'], { dot: true });

/** Default bounds of a {@link ConfigurationCache}. */
export const CONFIG_CACHE_LIMITS = {
  /** Branches remembered. */
  entries: 10_000,
  /** File contents kept over all branches, UTF-16 code units (≈ 64 MB). */
  fileUnits: 32 * 1024 * 1024,
  /** File contents kept for one branch, UTF-16 code units (≈ 512 kB); a branch over it keeps none. */
  fileUnitsPerEntry: 256 * 1024,
};

interface Entry {
  sha: string;
  result: ResolveResult;
  watched: string[];
  /** The configuration files read at `sha`, for the next push to carry over what it did not change. */
  files: KnownFiles | null;
  size: number;
  /** The repository's default branch the configurations were resolved with (default `branches`). */
  defaultBranch: string;
}

/** `owner/repo` of a `owner/repo#branch` key (an owner or repository name has no `#`). */
const repoOf = (repoBranch: string) => repoBranch.slice(0, repoBranch.indexOf('#'));
const commitKey = (repo: string, sha: string, defaultBranch: string) => `${repo}@${sha}#${defaultBranch}`;

/**
 * Remembers the configurations resolved at the head of each branch, so a push whose
 * commits touch none of the files they were resolved from reuses them instead of
 * reading the configuration again through the contents API. The watched files are
 * `.github/prebuilds.yml`, `.devcontainer.json`, `.devcontainer/**`, `.gitpod.yml`, and
 * every path a configuration's identity depends on (SPEC.md rule 1), including scripts the
 * hooks name that do not exist yet, so the identity stays exact.
 * A push that does touch one is resolved again, but only the files it changed are read:
 * the files read at the previous head that the push did not add, modify or remove
 * are carried over ({@link carryOver}).
 * What a commit resolves to does not depend on the branch: a pull request, a new branch
 * or a schedule at a commit some branch's head was resolved at reuses it
 * ({@link ConfigurationCache.atCommit}).
 * In memory, bounded by branches and by the bytes of file contents kept (least recently
 * used out); a restart only costs API calls.
 */
export class ConfigurationCache {
  private readonly entries = new Map<string, Entry>();
  /** `owner/repo@sha#defaultBranch` → the `owner/repo#branch` whose remembered head it is (the latest remembered). */
  private readonly byCommit = new Map<string, string>();
  private units = 0;
  private readonly limits: typeof CONFIG_CACHE_LIMITS;

  /** @param limits bounds (default {@link CONFIG_CACHE_LIMITS}); a number is the branch limit alone */
  constructor(limits: number | Partial<typeof CONFIG_CACHE_LIMITS> = {}) {
    this.limits = { ...CONFIG_CACHE_LIMITS, ...(typeof limits === 'number' ? { entries: limits } : limits) };
  }

  /**
   * The configurations at `sha` when they are known not to have changed since `before`.
   * @param changedFiles files the pushed commits add, modify or remove; null (unknown) never reuses
   */
  reuse(repoBranch: string, before: string, sha: string, changedFiles: string[] | null): ResolveResult | null {
    const e = this.entries.get(repoBranch);
    if (!e || e.sha !== before || changedFiles === null) return null;
    const touched = changedFiles.some((f) => ALWAYS_WATCHED(f) || e.watched.some((w) => f === w || f.startsWith(`${w}/`)));
    if (touched || e.result.problems.length > 0) return null;
    this.remember(repoBranch, sha, e.result, e.files && carryOver(e.files, changedFiles), e.defaultBranch);
    return e.result;
  }

  /**
   * The configurations resolved at commit `sha` of `repo` (`owner/repo`) for some
   * branch, with the files read for them, when they had no problems nor warnings (those
   * are reported, and recorded, by each read that finds them); null when not remembered.
   */
  atCommit(repo: string, sha: string, defaultBranch: string): { result: ResolveResult; files: KnownFiles | null } | null {
    const branch = this.byCommit.get(commitKey(repo, sha, defaultBranch));
    const e = branch === undefined ? undefined : this.entries.get(branch);
    if (!e || e.sha !== sha || e.result.problems.length > 0 || e.result.warnings.length > 0) return null;
    return { result: e.result, files: e.files };
  }

  /**
   * The files read at `before` on the branch that a push changing `changedFiles` left
   * as they were (empty when `before` is not the remembered head or the files are unknown).
   */
  carried(repoBranch: string, before: string, changedFiles: string[] | null): KnownFiles {
    const e = this.entries.get(repoBranch);
    if (!e?.files || e.sha !== before || changedFiles === null) return noKnownFiles();
    return carryOver(e.files, changedFiles);
  }

  /** Whether anything was resolved for a branch (at any commit) and is still remembered. */
  has(repoBranch: string): boolean {
    return this.entries.has(repoBranch);
  }

  /** Branches remembered, and file contents kept (UTF-16 code units). */
  get size(): { entries: number; fileUnits: number } {
    return { entries: this.entries.size, fileUnits: this.units };
  }

  /**
   * Records what was resolved at the head `sha` of a branch, and the files read for it
   * (`null`: none kept; dropped too when over the per-branch bound), resolved with
   * `defaultBranch` as the repository's default branch.
   */
  remember(repoBranch: string, sha: string, result: ResolveResult, files: KnownFiles | null = null, defaultBranch = ''): void {
    this.forget(repoBranch);
    let size = files ? knownFilesSize(files) : 0;
    if (size > this.limits.fileUnitsPerEntry) [files, size] = [null, 0];
    while (this.entries.size > 0 && (this.entries.size >= this.limits.entries || this.units + size > this.limits.fileUnits)) {
      this.forget(this.entries.keys().next().value!);
    }
    const watched = [...new Set(result.configurations.flatMap((c) => c.dependsOn ?? c.identityFiles))];
    this.entries.set(repoBranch, { sha, result, watched, files, size, defaultBranch });
    this.byCommit.set(commitKey(repoOf(repoBranch), sha, defaultBranch), repoBranch);
    this.units += size;
  }

  private forget(repoBranch: string): void {
    const e = this.entries.get(repoBranch);
    if (!e) return;
    this.units -= e.size;
    this.entries.delete(repoBranch);
    const key = commitKey(repoOf(repoBranch), e.sha, e.defaultBranch);
    if (this.byCommit.get(key) === repoBranch) this.byCommit.delete(key);
  }
}
