import type { Command } from 'commander';
import type { StartedPrebuild } from '../api/commands.js';
import { ApiClient, globals, repoPath } from './client.js';
import { processIo, type CliIo } from './io.js';
import { printJson, printTable } from './output.js';
import { resolveRepo } from './repo.js';

/**
 * `prebuilds trigger`: a manual prebuild of a branch's head or a commit, of every
 * configuration at that commit or one (`POST /api/repos/{owner}/{repo}/prebuilds`).
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('trigger')
    .description("start a manual prebuild of a branch (its head) or a commit; default: the default branch's head")
    .option('-b, --branch <branch>', 'the branch (also the queue the prebuild waits in)')
    .option('--sha <sha>', 'the commit (7-40 hex digits); without --branch it is queued on the default branch')
    .option('-c, --configuration <name>', 'only this configuration')
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds trigger --repo octo/app --branch main\n  $ prebuilds trigger --repo octo/app --sha 1a2b3c4 --configuration devcontainer --json\n',
    )
    .action(async (opts: { branch?: string; sha?: string; configuration?: string }, cmd: Command) => {
      const g = globals(cmd);
      const repo = resolveRepo(g.repo, io);
      const body: Record<string, string> = {};
      if (opts.branch) body.branch = opts.branch;
      if (opts.sha) body.sha = opts.sha;
      if (opts.configuration) body.configuration = opts.configuration;
      const r = await new ApiClient(io, g).request<{ prebuilds: StartedPrebuild[] }>('POST', `${repoPath(repo)}/prebuilds`, body);
      if (g.json) return printJson(io, r);
      printTable(
        io,
        ['ID', 'CONFIGURATION', 'BRANCH', 'SHA', 'DECISION', 'REASON'],
        r.prebuilds.map((s) => [String(s.prebuild.id), s.prebuild.configuration, s.prebuild.branch, s.prebuild.sha.slice(0, 7), s.decision, s.reason]),
      );
    });
}
