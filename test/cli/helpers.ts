/** Runs one `prebuilds` sub-command in-process with a recording io (the commands' real code, real processes). */
import { Command } from 'commander';
import type { CliIo } from '../../src/cli/io.js';

/** What a command wrote and the exit code it set (0 unless set). */
export interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number;
  error: Error | null;
}

/**
 * Builds a program with the global `--json` option, registers one command with a
 * recording io, and runs `argv` (the arguments after the program name).
 */
export async function runCli(register: (program: Command, io: CliIo) => Command, argv: string[]): Promise<CliRun> {
  const out: CliRun = { stdout: '', stderr: '', exitCode: 0, error: null };
  const io: CliIo = {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
    env: {},
    readFile: () => Promise.reject(new Error('not used')),
    setExitCode: (c) => (out.exitCode = c),
  };
  const program = new Command('prebuilds').option('--json').exitOverride();
  register(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    out.error = err as Error;
  }
  return out;
}
