import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { register as cancel } from './cancel.js';
import { DEFAULT_URL } from './client.js';
import { register as del } from './delete.js';
import { register as info } from './info.js';
import { register as inspect } from './inspect.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { register as list } from './list.js';
import { register as logs } from './logs.js';
import { register as pause } from './pause.js';
import { register as report } from './report.js';
import { register as rerun } from './rerun.js';
import { register as restore } from './restore.js';
import { register as resume } from './resume.js';
import { register as simulate } from './simulate.js';
import { register as token } from './token.js';
import { register as trigger } from './trigger.js';
import { register as up } from './up.js';
import { register as update } from './update.js';
import { register as validate } from './validate.js';
import { register as why } from './why.js';

const HELP_FOOTER = `
Environment:
  PREBUILDS_URL    the app's address (default ${DEFAULT_URL}); --url wins
  PREBUILDS_TOKEN  an API token (prebuilds token create); sent as a bearer token, never printed
  PREBUILDS_REPO   owner/repo when --repo is not given (else the origin remote of the current clone)
  DATABASE_URL     the app's PostgreSQL database (postgres://…), for the token commands
  DATABASE_PATH    the app's SQLite file, for the token commands (when DATABASE_URL is not set)

Exit codes:
  0  ok
  1  failure (the app refused or GitHub failed, or the app is unreachable)
  2  usage (unknown command or option, bad argument; a 400 naming the field)
  3  authentication (no token, wrong or revoked token: 401; not in the token's scope: 403)
  4  not found (prebuild, configuration, repository, branch or commit: 404)

Examples:
  $ export PREBUILDS_URL=https://prebuilds.example.com PREBUILDS_TOKEN=pbt_…
  $ prebuilds list --repo octo/app
  $ prebuilds why 1a2b3c4 --repo octo/app
  $ prebuilds rerun 42 --json
`;

/** The `prebuilds` program with every command, writing to `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('prebuilds')
    .description('Manage Prebuilds for GitHub: configurations, prebuilds, logs, decisions, tokens')
    .option('--url <url>', `the app's address (default: $PREBUILDS_URL, else ${DEFAULT_URL})`)
    .option('-r, --repo <owner/repo>', 'the repository (default: $PREBUILDS_REPO, else the origin remote of the current clone)')
    .option('--json', 'print JSON for scripts instead of tables')
    .addHelpText('after', HELP_FOOTER)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const register of [list, info, update, del, cancel, rerun, trigger, pause, resume, why, logs, report, token]) register(program, io);
  inspect(program, io);
  simulate(program, io);
  restore(program, io);
  up(program, io);
  validate(program, io);
  for (const cmd of program.commands) cmd.addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 usage, 3 authentication, 4 not found (prebuilds --help).');
  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the program name).
 * @returns the exit code (see the help's "Exit codes")
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const tracked: CliIo = { ...io, setExitCode: (c) => (code = c) };
  const program = buildProgram(tracked);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`prebuilds: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`prebuilds: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

/** True when this module is the process's entry (`node lib/src/cli/main.js`, or `bin/prebuilds`). */
function isEntry(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    const real = fs.realpathSync(entry);
    return real === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/**
 * Runs the CLI as a process: `argv` (default the process's arguments), the exit code set
 * on the process, a closed pipe (`prebuilds list | head`) ending the output quietly.
 * `bin/prebuilds` calls it.
 */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = await main(argv);
}

if (isEntry()) await run();
