import fs from 'node:fs/promises';

/** Exit codes of `prebuilds` (documented in `--help`). */
export const EXIT = {
  ok: 0,
  /** The command failed: the app refused (409), GitHub failed (502), the app is unreachable … */
  failure: 1,
  /** Bad usage: unknown command or option, bad argument, or a 400 naming the bad field. */
  usage: 2,
  /** No token, a wrong or revoked token (401), or a token without that installation in scope (403). */
  auth: 3,
  /** The prebuild, configuration, repository, branch or commit does not exist (404). */
  notFound: 4,
} as const;

/** An error that ends the command with a message on stderr and an exit code from {@link EXIT}. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  /** Reads a file, or standard input for `-` (used by `simulate`). */
  readFile(path: string): Promise<string>;
  /** Called by commands that set an exit code without throwing (`inspect`, `simulate`). */
  setExitCode(code: number): void;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The real process: its streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readFile: (path) => (path === '-' ? readStdin() : fs.readFile(path, 'utf8')),
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
