/**
 * `prebuilds restore --store dir:PATH|oci:REGISTRY/NAME [--configuration NAME] [--sha SHA] [WORKSPACE]`:
 * makes a local checkout ready from the best prebuild in a directory store or a
 * registry (credentials from `docker login`, or GITHUB_TOKEN for ghcr.io), with the
 * same code and semantics as the action's `mode: restore` (src/lifecycle/restore.ts):
 * the exact commit, else the nearest ancestor within ancestorDepth with the same
 * configuration identity; then updateContentCommand (ancestor) and postCreateCommand;
 * without a prebuild, the full lifecycle. The hooks' output goes to stderr; the
 * outcome is printed as JSON on stdout (the action's outputs and more).
 */
import type { Command } from 'commander';
import { restoreWorkspace, type RestoreOutcome } from '../lifecycle/restore.js';
import { textLog } from '../lifecycle/run-hooks.js';
import { processIo, type CliIo } from './io.js';
import { localCheckout } from './checkout.js';
import { printJson } from './output.js';

/** The JSON `prebuilds restore` prints: the action's outputs (`prebuildHit`, `prebuildSha`, `restoreMs`) and the details. Durations ms. */
export interface RestoreReport {
  prebuildHit: RestoreOutcome['hit'];
  prebuildSha: string | null;
  snapshotKey: string | null;
  /** Commits between the prebuild and the checkout (0: exact), `null` for none. */
  distance: number | null;
  restoreMs: number;
  durationMs: number;
  /** Duration of each hook that ran. */
  hooks: Record<string, number>;
  skipped: Array<{ hook: string; reason: string }>;
  saved: RestoreOutcome['saved'];
  shallow: boolean;
  searched: number;
  rejected: RestoreOutcome['rejected'];
}

/** The printed form of a restore outcome. */
export function restoreReport(o: RestoreOutcome): RestoreReport {
  return {
    prebuildHit: o.hit,
    prebuildSha: o.prebuildSha,
    snapshotKey: o.snapshotKey,
    distance: o.distance,
    restoreMs: o.restoreMs,
    durationMs: o.durationMs,
    hooks: o.hooks,
    skipped: o.plan.flatMap((s) => (s.action === 'skip' ? [{ hook: s.hook, reason: s.reason }] : [])),
    saved: o.saved,
    shallow: o.shallow,
    searched: o.searched,
    rejected: o.rejected,
  };
}

/**
 * Adds the `restore` sub-command to `program` (commander v14).
 * @returns the new sub-command
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('restore')
    .description(
      'make a local checkout ready from the best prebuild in a directory store or registry (exact commit, else the nearest ancestor), then run the remaining lifecycle hooks; prints JSON',
    )
    .argument('[workspace]', 'the checkout (default: the current directory)', '.')
    .requiredOption('--store <store>', 'the snapshot store the action wrote to: dir:<path> or oci:REGISTRY/NAME')
    .option('-c, --configuration <name>', 'the configuration (default: the first one)')
    .option('--sha <sha>', "the commit (default: the checkout's HEAD)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds restore --store dir:/srv/prebuilds\n  $ prebuilds restore --store dir:../store -c web ./app\n  $ prebuilds restore --store oci:ghcr.io/octo/app/prebuilds\n',
    )
    .action(async (workspaceArg: string, opts: { store: string; configuration?: string; sha?: string }) => {
      const { workspace, sha, configuration, store } = await localCheckout(workspaceArg, opts, io);
      const log = textLog((t) => io.stderr.write(typeof t === 'string' ? t : t.toString('utf8')));
      const outcome = await restoreWorkspace({
        workspace,
        configuration,
        sha,
        store,
        catalog: store,
        log,
        env: { ...process.env, ...io.env },
      });
      printJson(io, restoreReport(outcome));
    });
}
