/**
 * `prebuilds simulate [FILE] [--duration S] [--git DIR [--config FILE]]`: replays a
 * timeline (JSON Lines, see src/simulate/README.md) or a repository's first-parent
 * history through the real trigger and scheduler code and prints what would run, as
 * one JSON object on stdout. Bad input: the message on stderr, exit code 1.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { parseTimeline, simulate, timelineFromGit, type SimEvent } from '../simulate/index.js';
import { processIo, type CliIo } from './io.js';

/** Where the command reads and writes (the CLI's own, see {@link CliIo}); tests pass their own. */
export type SimulateIo = Pick<CliIo, 'stdout' | 'stderr' | 'readFile' | 'setExitCode'>;

function positive(name: string, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(`${name} must be a ${integer ? 'whole ' : ''}number > 0`);
    return n;
  };
}

/** Options of the `simulate` sub-command as commander parses them. */
interface SimulateFlags {
  duration: number;
  git?: string;
  config?: string;
  branch?: string;
  maxCommits?: number;
  database?: string;
  compact?: boolean;
}

/**
 * Adds the `simulate` sub-command to `program` (commander v14).
 * @returns the new sub-command
 */
export function register(program: Command, io: SimulateIo = processIo()): Command {
  return program
    .command('simulate')
    .description(
      'replay a timeline of pushes (JSON Lines) or a repository history through the real trigger and scheduler code; print what would run and the Actions minutes (JSON)',
    )
    .argument('[file]', 'timeline, one JSON event per line (`-` for standard input); with --git, extra events merged into the history')
    .option('--duration <seconds>', 'simulated seconds a run takes when no `complete` event ends it', positive('--duration', false), 600)
    .option('--git <dir>', "derive the pushes from the repository's first-parent history (one push per commit)")
    .option('--config <file>', 'with --git: a .github/prebuilds.yml used at every commit instead of the repository’s own')
    .option('--branch <name>', 'with --git: the branch to replay (default: the checked-out branch); without: the default branch', undefined)
    .option('--max-commits <n>', 'with --git: only the newest N commits', positive('--max-commits', true))
    .option('--database <file>', 'keep the simulated store in this SQLite file (default: a temporary file)')
    .option('--compact', 'print the JSON on one line')
    .action(async (file: string | undefined, opts: SimulateFlags) => {
      try {
        if (!file && !opts.git) throw new Error('give a timeline FILE, or --git DIR');
        if (opts.config && !opts.git) throw new Error('--config needs --git DIR');
        const events: SimEvent[] = [];
        if (opts.git) {
          const prebuildsYml = opts.config ? await io.readFile(opts.config) : undefined;
          events.push(...(await timelineFromGit({ dir: opts.git, prebuildsYml, branch: opts.branch, maxCommits: opts.maxCommits })));
        }
        if (file) events.push(...parseTimeline(await io.readFile(file)));
        const report = await simulate(events, {
          durationSeconds: opts.duration,
          defaultBranch: opts.branch ?? 'main',
          ...(opts.database ? { databasePath: opts.database } : {}),
        });
        io.stdout.write(`${JSON.stringify(report, null, opts.compact ? undefined : 2)}\n`);
      } catch (error) {
        io.stderr.write(`prebuilds simulate: ${error instanceof Error ? error.message : String(error)}\n`);
        io.setExitCode(1);
      }
    });
}
