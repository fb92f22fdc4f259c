import type { Command } from 'commander';
import type { StartedPrebuild } from '../api/commands.js';
import { ApiClient, globals } from './client.js';
import { processIo, type CliIo } from './io.js';
import { printJson } from './output.js';

/** `prebuilds rerun ID`: a manual prebuild of the same configuration and commit (`POST /api/prebuilds/{id}/rerun`). */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('rerun')
    .description('start a manual prebuild of the same configuration and commit as a prebuild')
    .argument('<id>', 'prebuild id')
    .addHelpText('after', '\nExample:\n  $ prebuilds rerun 42\n')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await new ApiClient(io, g).request<StartedPrebuild>('POST', `/api/prebuilds/${encodeURIComponent(id)}/rerun`);
      if (g.json) return printJson(io, r);
      io.stdout.write(`Prebuild #${r.prebuild.id} ${r.decision} (${r.prebuild.configuration} at ${r.prebuild.sha.slice(0, 7)}): ${r.reason}\n`);
    });
}
