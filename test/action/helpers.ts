/** Shared helpers of the action tests: temp dirs and a recording log. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrebuildLog } from '../../action/src/prebuild.js';

/** A fresh temp directory; remove it with {@link cleanup}. */
export function tempDir(prefix = 'prebuilds-action-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Removes temp directories (ignores missing ones). */
export async function cleanup(dirs: string[]): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A log that records everything as text: `::group::title`, lines, output, `::endgroup::`. */
export function recordingLog(): PrebuildLog & { text(): string; warnings: string[] } {
  let text = '';
  const warnings: string[] = [];
  return {
    startGroup: (t) => (text += `::group::${t}\n`),
    endGroup: () => (text += `::endgroup::\n`),
    info: (l) => (text += `${l}\n`),
    output: (c) => (text += c.toString()),
    warning: (m) => {
      warnings.push(m);
      text += `::warning::${m}\n`;
    },
    text: () => text,
    warnings,
  };
}
