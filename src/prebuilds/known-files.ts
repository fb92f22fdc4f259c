import type { FileSource } from '../config/model.js';

/**
 * What a configuration read saw of a repository at one commit: file contents by
 * `mode:path` (`s:` strict read, `l:` lenient; `null` = no such file) and directory
 * listings by path (`null` = no such directory). Reads the source refused
 * (`UnreadableFileError`) and failed requests are not kept.
 */
export interface KnownFiles {
  reads: Map<string, string | null>;
  lists: Map<string, string[] | null>;
}

/** An empty {@link KnownFiles}. */
export const noKnownFiles = (): KnownFiles => ({ reads: new Map(), lists: new Map() });

/** Size of what a {@link KnownFiles} keeps in memory, in UTF-16 code units (≈ bytes / 2). */
export function knownFilesSize(files: KnownFiles): number {
  let n = 0;
  for (const [k, v] of files.reads) n += k.length + (v?.length ?? 0);
  for (const [k, v] of files.lists) n += k.length + (v ?? []).reduce((s, name) => s + name.length, 0);
  return n;
}

const pathOf = (key: string) => key.slice(2);

/**
 * The part of `files` (seen at a push's `before`) still true at its `after`, given every
 * path the pushed commits add, modify or remove: a file read is carried when neither
 * it nor a parent directory of it changed (a directory replaced by a symlink or a
 * submodule changes its own path); a directory listing is carried when nothing under it
 * (nor the directory path itself) changed.
 */
export function carryOver(files: KnownFiles, changedFiles: string[]): KnownFiles {
  const changed = new Set(changedFiles);
  const ancestorChanged = (path: string) => {
    for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) if (changed.has(path.slice(0, i))) return true;
    return false;
  };
  const out = noKnownFiles();
  for (const [key, value] of files.reads) {
    const path = pathOf(key);
    if (!changed.has(path) && !ancestorChanged(path)) out.reads.set(key, value);
  }
  for (const [dir, names] of files.lists) {
    if (changed.has(dir) || ancestorChanged(dir) || changedFiles.some((f) => f.startsWith(`${dir}/`))) continue;
    out.lists.set(dir, names);
  }
  return out;
}

/**
 * A {@link FileSource} that answers from `known` (files unchanged since they were
 * read) and asks `inner` for the rest, recording every answer in `seen` so the next
 * push of the branch can carry it over. Errors of `inner` propagate and are not recorded.
 */
export function recordingSource(inner: FileSource, known: KnownFiles, seen: KnownFiles): FileSource {
  return {
    async read(path, options) {
      const key = `${options?.strict ? 's' : 'l'}:${path}`;
      const value = known.reads.has(key) ? known.reads.get(key)! : await inner.read(path, options);
      seen.reads.set(key, value);
      // A missing file is missing whichever way it is read.
      if (value === null) seen.reads.set(`${options?.strict ? 'l' : 's'}:${path}`, null);
      return value;
    },
    async list(dir) {
      const names = known.lists.has(dir) ? known.lists.get(dir)! : await inner.list(dir);
      seen.lists.set(dir, names);
      return names;
    },
  };
}
