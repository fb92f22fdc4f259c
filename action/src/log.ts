/** The prebuild's log on @actions/core: groups, lines, raw process output, warnings. */
import * as core from '@actions/core';
import type { PrebuildLog } from './prebuild.js';

/**
 * A {@link PrebuildLog} writing workflow commands to stdout. Process output is
 * written as it comes; a line break is added before `::endgroup::` when the output
 * did not end with one (a workflow command must start a line).
 */
export function coreLog(write: (text: string | Buffer) => void = (t) => process.stdout.write(t)): PrebuildLog {
  let atLineStart = true;
  const newline = (): void => {
    if (!atLineStart) write('\n');
    atLineStart = true;
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
      write(chunk);
      const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
      atLineStart = last === 10;
    },
  };
}
