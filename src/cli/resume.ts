import type { Command } from 'commander';
import { processIo, type CliIo } from './io.js';
import { setPaused } from './pause.js';

/** `prebuilds resume NAME`: un-pauses a configuration and starts the prebuild that waited. */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('resume')
    .description('resume a paused configuration; the prebuild that waited starts')
    .argument('<configuration>', 'configuration name')
    .addHelpText('after', '\nExample:\n  $ prebuilds resume devcontainer --repo octo/app\n')
    .action((name: string, _opts: unknown, cmd: Command) => setPaused(io, cmd, name, 'resume'));
}
