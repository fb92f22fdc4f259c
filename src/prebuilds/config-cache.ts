import picomatch from 'picomatch';
import type { ResolveResult } from '../config/model.js';

/** Paths whose change can alter which configurations exist or their identity, besides `identityFiles`. */
const ALWAYS_WATCHED = picomatch(['.github/prebuilds.yml', '.devcontainer.json', '.devcontainer/**', '.gitpod.yml', '.gitpod.Dockerfile'], { dot: true });

interface Entry {
  sha: string;
  result: ResolveResult;
  watched: string[];
}

/**
 * Remembers the configurations resolved at the head of each branch, so a push whose
 * commits touch none of the files they were resolved from reuses them instead of
 * reading the configuration again through the contents API. The watched files are
 * `.github/prebuilds.yml`, `.devcontainer.json`, `.devcontainer/**`, `.gitpod.yml`, and
 * every path a configuration's identity depends on (SPEC.md rule 1), including scripts the
 * hooks name that do not exist yet, so the identity stays exact.
 * In memory, bounded (least recently used out); a restart only costs API calls.
 */
export class ConfigurationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limit = 10_000) {}

  /**
   * The configurations at `sha` when they are known not to have changed since `before`.
   * @param changedFiles files the pushed commits add, modify or remove; null (unknown) never reuses
   */
  reuse(repoBranch: string, before: string, sha: string, changedFiles: string[] | null): ResolveResult | null {
    const e = this.entries.get(repoBranch);
    if (!e || e.sha !== before || changedFiles === null) return null;
    const touched = changedFiles.some((f) => ALWAYS_WATCHED(f) || e.watched.some((w) => f === w || f.startsWith(`${w}/`)));
    if (touched || e.result.problems.length > 0) return null;
    this.remember(repoBranch, sha, e.result);
    return e.result;
  }

  /** Whether anything was resolved for a branch (at any commit) and is still remembered. */
  has(repoBranch: string): boolean {
    return this.entries.has(repoBranch);
  }

  /** Records what was resolved at the head `sha` of a branch. */
  remember(repoBranch: string, sha: string, result: ResolveResult): void {
    this.entries.delete(repoBranch);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(repoBranch, { sha, result, watched: [...new Set(result.configurations.flatMap((c) => c.dependsOn ?? c.identityFiles))] });
  }
}
