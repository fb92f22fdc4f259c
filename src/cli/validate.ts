/**
 * `prebuilds validate [PATH] [--configuration NAME] [--keep]` (Gitpod's
 * `gp validate --prebuild`): runs a configuration's prebuild commands twice in a
 * temporary copy of the checkout (src/lifecycle/validate.ts) and exits 1, naming
 * the command, when the second run fails or changes tracked files: prebuild commands
 * are re-run on top of a previous prebuild (SPEC.md rule 5), so they must be
 * reentrant. The commands' output goes to stderr; the report to stdout (`--json`:
 * as JSON).
 */
import type { Command } from 'commander';
import { validateCheckout, type ValidateOutcome } from '../lifecycle/validate.js';
import { textLog } from '../lifecycle/run-hooks.js';
import { globals } from './client.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { printJson } from './output.js';

/** `850 ms`, `12.3 s`. */
function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The text report: what ran in each run with timings, then the verdict. */
export function validateText(o: ValidateOutcome): string {
  const lines = [`configuration: ${o.configuration}`];
  for (const step of o.plan) if (step.action === 'skip') lines.push(`  ${step.hook}: not run (${step.reason})`);
  o.runs.forEach((run, i) => {
    lines.push(`run ${i + 1}: ${formatDuration(run.durationMs)}`);
    for (const h of run.hooks) lines.push(`  ${h.hook}: ${formatDuration(h.durationMs)}`);
  });
  if (o.failure) lines.push(`run ${o.failure.run}: FAILED in ${o.failure.hook}`);
  if (o.changedByFirstRun.length > 0) lines.push(`tracked files changed by the first run (allowed): ${o.changedByFirstRun.join(', ')}`);
  lines.push(`${o.ok ? 'ok' : 'FAILED'}: ${o.message}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Adds the `validate` sub-command to `program` (commander v14).
 * @returns the new sub-command
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('validate')
    .description(
      "run a configuration's prebuild commands twice in a temporary copy of a checkout; fail when the second run fails or changes tracked files (reentrancy)",
    )
    .argument('[path]', 'the checkout (default: the current directory)', '.')
    .option('-c, --configuration <name>', 'the configuration (default: the first one)')
    .option('--keep', 'keep the temporary copy (its path is printed)')
    .addHelpText('after', '\nExamples:\n  $ prebuilds validate\n  $ prebuilds validate ./app -c web --json\n')
    .action(async (target: string, opts: { configuration?: string; keep?: boolean }, cmd: Command) => {
      const log = textLog((t) => io.stderr.write(typeof t === 'string' ? t : t.toString('utf8')));
      let outcome: ValidateOutcome;
      try {
        outcome = await validateCheckout({
          source: target,
          configuration: opts.configuration ?? '',
          log,
          env: { ...process.env, ...io.env },
          keep: opts.keep ?? false,
        });
      } catch (err) {
        if ((err as Error).name === 'ConfigurationError') throw new CliError((err as Error).message, EXIT.notFound);
        throw err;
      }
      if (globals(cmd).json) printJson(io, outcome);
      else io.stdout.write(validateText(outcome));
      if (!outcome.ok) io.setExitCode(EXIT.failure);
    });
}
