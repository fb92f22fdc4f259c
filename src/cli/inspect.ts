/**
 * `prebuilds inspect PATH`: prints a configuration as the app resolves it
 * (src/config/inspect.ts) as JSON on stdout; problems go to stderr, one per line
 * (`file:line:column: message (at keyPath)`), and the exit code is 1; warnings go to
 * stderr as `file:line:column: warning: message (at keyPath)` and leave the exit code alone.
 */
import type { Command } from 'commander';
import { formatProblem } from '../config/index.js';
import { inspectPath } from '../config/inspect.js';

/** Where the command writes; tests pass their own. */
export interface InspectIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Called with 1 when the report has problems; default sets `process.exitCode`. */
  setExitCode(code: number): void;
}

const processIo: InspectIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * Adds the `inspect` sub-command to `program` (commander v14).
 * @returns the new sub-command
 */
export function register(program: Command, io: InspectIo = processIo): Command {
  return program
    .command('inspect')
    .description(
      'print the prebuild configurations of a repository folder, or of one devcontainer.json / .gitpod.yml / prebuilds.yml, as the app resolves them (JSON)',
    )
    .argument('<path>', 'a repository folder or a single configuration file')
    .option('--default-branch <name>', 'the default branch (default: origin HEAD of the clone, else main)')
    .action(async (target: string, opts: { defaultBranch?: string }) => {
      const report = await inspectPath(target, opts.defaultBranch ? { defaultBranch: opts.defaultBranch } : {});
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      for (const w of report.warnings) io.stderr.write(`${formatProblem({ ...w, message: `warning: ${w.message}` })}\n`);
      if (report.problems.length > 0) {
        for (const p of report.problems) io.stderr.write(`${formatProblem(p)}\n`);
        io.setExitCode(1);
      }
    });
}
