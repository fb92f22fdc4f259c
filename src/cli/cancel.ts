import type { Command } from 'commander';
import type { PrebuildView } from '../api/views.js';
import { ApiClient, globals } from './client.js';
import { processIo, type CliIo } from './io.js';
import { printJson } from './output.js';

/** `prebuilds cancel ID`: cancels a waiting or running prebuild (`POST /api/prebuilds/{id}/cancel`). */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('cancel')
    .description('cancel a waiting or running prebuild (its workflow run is cancelled too)')
    .argument('<id>', 'prebuild id')
    .addHelpText('after', '\nExample:\n  $ prebuilds cancel 42\n')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const p = await new ApiClient(io, g).request<PrebuildView>('POST', `/api/prebuilds/${encodeURIComponent(id)}/cancel`);
      if (g.json) return printJson(io, p);
      io.stdout.write(`Cancelled prebuild #${p.id} (${p.configuration} at ${p.sha.slice(0, 7)})\n`);
    });
}
