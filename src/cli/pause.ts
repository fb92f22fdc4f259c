import type { Command } from 'commander';
import type { ConfigurationView } from '../api/views.js';
import { ApiClient, globals, repoPath } from './client.js';
import { processIo, type CliIo } from './io.js';
import { printJson } from './output.js';
import { resolveRepo } from './repo.js';
import { configurationId } from '../api/configuration-id.js';

/** Shared by `pause` and `resume`: `POST /api/repos/{owner}/{repo}/configurations/{name}/{pause|resume}`. */
export async function setPaused(io: CliIo, cmd: Command, name: string, action: 'pause' | 'resume'): Promise<void> {
  const g = globals(cmd);
  const repo = resolveRepo(g.repo, io);
  const c = await new ApiClient(io, g).request<ConfigurationView>('POST', `${repoPath(repo)}/configurations/${configurationId(name)}/${action}`);
  if (g.json) return printJson(io, c);
  io.stdout.write(c.paused ? `Paused ${c.name}: pushes wait until it is resumed\n` : `Resumed ${c.name}\n`);
}

/** `prebuilds pause NAME`: new prebuilds of the configuration wait until it is resumed. */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('pause')
    .description('pause a configuration: pushes are still recorded, the newest waits until it is resumed')
    .argument('<configuration>', 'configuration name')
    .addHelpText('after', '\nExample:\n  $ prebuilds pause devcontainer --repo octo/app\n')
    .action((name: string, _opts: unknown, cmd: Command) => setPaused(io, cmd, name, 'pause'));
}
