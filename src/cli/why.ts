import type { Command } from 'commander';
import type { DecisionView } from '../api/views.js';
import { ApiClient, globals, repoPath } from './client.js';
import { processIo, type CliIo } from './io.js';
import { orDash, printJson, printTable, when } from './output.js';
import { resolveRepo } from './repo.js';

/** `prebuilds why SHA`: every decision recorded for a commit (`GET /api/repos/{owner}/{repo}/decisions/{sha}`). */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('why')
    .description('explain why each configuration did or did not prebuild a commit (started, queued, superseded, skipped: …)')
    .argument('<sha>', 'the commit, 7-40 hex digits')
    .addHelpText('after', '\nExample:\n  $ prebuilds why 1a2b3c4 --repo octo/app\n')
    .action(async (sha: string, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const repo = resolveRepo(g.repo, io);
      const r = await new ApiClient(io, g).request<{ decisions: DecisionView[] }>('GET', `${repoPath(repo)}/decisions/${encodeURIComponent(sha)}`);
      if (g.json) return printJson(io, r);
      printTable(
        io,
        ['AT', 'EVENT', 'CONFIGURATION', 'DECISION', 'PREBUILD', 'REASON'],
        r.decisions.map((d) => [when(d.at), d.event, d.configuration, d.decision, orDash(d.prebuildId, (n) => `#${n}`), d.reason]),
        `no decision recorded for ${sha}: the app never saw an event for this commit`,
      );
    });
}
