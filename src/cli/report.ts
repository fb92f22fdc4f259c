import type { Command } from 'commander';
import type { ValueReport } from '../api/report.js';
import { ApiClient, globals, repoPath } from './client.js';
import { processIo, type CliIo } from './io.js';
import { duration, printJson, printTable, size } from './output.js';
import { resolveRepo } from './repo.js';

/** Restores by hit kind: `exact/ancestor/miss`. */
const hits = (r: ValueReport['totals']['restores']) => `${r.exact}/${r.ancestor}/${r.miss}`;

/** `prebuilds report`: the value report of a repository (`GET /api/repos/{owner}/{repo}/report?period=`). */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('report')
    .description(
      'what prebuilds cost and saved: runs, Actions minutes, runs avoided by collapsing, success rate, sizes, storage held, restores by hit kind and the hours they saved',
    )
    .option('-p, --period <period>', 'how far back: 7d, 30d, 12h …', '7d')
    .addHelpText('after', '\nExample:\n  $ prebuilds report --repo octo/app --period 30d\n')
    .action(async (opts: { period: string }, cmd: Command) => {
      const g = globals(cmd);
      const repo = resolveRepo(g.repo, io);
      const r = await new ApiClient(io, g).request<ValueReport>('GET', `${repoPath(repo)}/report?period=${encodeURIComponent(opts.period)}`);
      if (g.json) return printJson(io, r);
      io.stdout.write(`${r.repository}, last ${r.period} (${r.since.slice(0, 10)} → ${r.until.slice(0, 10)})\n`);
      printTable(
        io,
        ['CONFIGURATION', 'RUNS', 'MINUTES', 'AVOIDED', 'SAVED MIN', 'SUCCESS', 'MEDIAN', 'MEDIAN SIZE', 'STORAGE', 'RESTORES E/A/M', 'HOURS SAVED'],
        [
          ...r.configurations.map((c) => [
            c.configuration,
            String(c.runs),
            String(c.minutesSpent),
            String(c.runsAvoided),
            String(c.minutesSaved),
            c.successRate === null ? '—' : `${Math.round(c.successRate * 100)}%`,
            duration(c.medianDurationMs),
            size(c.medianSnapshotBytes),
            size(c.storageBytes),
            hits(c.restores),
            String(c.hoursSaved),
          ]),
          [
            'total',
            String(r.totals.runs),
            String(r.totals.minutesSpent),
            String(r.totals.runsAvoided),
            String(r.totals.minutesSaved),
            '',
            '',
            '',
            size(r.totals.storageBytes),
            hits(r.totals.restores),
            String(r.totals.hoursSaved),
          ],
        ],
      );
      const t = r.totals;
      io.stdout.write(
        `Restores: ${t.restores.exact} exact, ${t.restores.ancestor} ancestor, ${t.restores.miss} miss; ` +
          `${t.hoursSaved} hours saved for ${t.minutesSpent} minutes of prebuilds\n`,
      );
    });
}
