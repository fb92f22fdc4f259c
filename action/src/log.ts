/** The prebuild's log on @actions/core: groups, lines, raw process output, warnings. */
import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import type { PrebuildLog } from './prebuild.js';

/**
 * A {@link PrebuildLog} writing workflow commands to stdout. Process output is
 * written as it comes, between `::stop-commands::<token>` and `::<token>::`, so a
 * hook's output can never issue workflow commands (mask values, stop our own, forge
 * the `prebuild-result` notice); a line break is added before a command when the
 * output did not end with one (a workflow command must start a line).
 */
export function coreLog(write: (text: string | Buffer) => void = (t) => process.stdout.write(t), token: string = randomUUID()): PrebuildLog {
  let atLineStart = true;
  let stopped = false;
  const newline = (): void => {
    if (!atLineStart) write('\n');
    atLineStart = true;
    if (stopped) {
      write(`::${token}::\n`);
      stopped = false;
    }
  };
  return {
    startGroup(title) {
      newline();
      core.startGroup(title);
    },
    endGroup() {
      newline();
      core.endGroup();
    },
    info(line) {
      newline();
      core.info(line);
    },
    warning(message) {
      newline();
      core.warning(message);
    },
    output(chunk) {
      if (chunk.length === 0) return;
      if (!stopped) {
        write(`::stop-commands::${token}\n`);
        stopped = true;
      }
      write(chunk);
      const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
      atLineStart = last === 10;
    },
  };
}
