/**
 * `prebuilds up [WORKSPACE] --store dir:PATH [--registry REGISTRY] [-c NAME] [--sha SHA]`:
 * a running dev container for a local checkout from the best container-mode prebuild
 * (src/container/up.ts, the same code as the action's restore mode in container mode):
 * restores the workspace, pulls the prebuilt image, starts the container through
 * @devcontainers/cli and runs only postCreate/postStart/postAttach (plus
 * updateContent for an ancestor). The commands' output goes to stderr; the outcome
 * (container id, image, durations, and the cold path it avoided) is printed as JSON
 * on stdout. Needs Docker and, for the registry, `docker login` when it is private.
 */
import type { Command } from 'commander';
import { textLog } from '../lifecycle/run-hooks.js';
import { containerUnsupported } from '../container/model.js';
import { dockerUnavailable, resolveDevcontainerCli } from '../container/tools.js';
import { upFromPrebuild } from '../container/up.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { localCheckout } from './checkout.js';
import { printJson } from './output.js';

/**
 * Adds the `up` sub-command to `program` (commander v14).
 * @returns the new sub-command
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('up')
    .description('start a ready dev container for a local checkout from the best container prebuild (image + workspace snapshot); prints JSON')
    .argument('[workspace]', 'the checkout (default: the current directory)', '.')
    .requiredOption('--store <store>', 'the workspace snapshot store: dir:<path> or oci:<registry>/<name> (what the action wrote with `store:`)')
    .option('--registry <registry>', 'pull the image from this registry instead of the one the prebuild pushed to (a mirror)')
    .option('-c, --configuration <name>', 'the configuration (default: the first one)')
    .option('--sha <sha>', "the commit (default: the checkout's HEAD)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds up --store dir:/srv/prebuilds\n  $ prebuilds up --store dir:../store --registry 127.0.0.1:5055/prebuilds ./app\n',
    )
    .action(async (workspaceArg: string, opts: { store: string; registry?: string; configuration?: string; sha?: string }) => {
      const env = { ...process.env, ...io.env };
      const dockerCheck = dockerUnavailable(env); // never rejects; overlaps reading the checkout
      const { workspace, sha, configuration, store } = await localCheckout(workspaceArg, opts, io);
      const unsupported = containerUnsupported(configuration);
      if (unsupported) throw new CliError(`prebuilds up needs a dev container: ${unsupported} (use prebuilds restore)`, EXIT.usage);
      const docker = await dockerCheck;
      if (docker) throw new CliError(`prebuilds up needs Docker: ${docker}`, EXIT.failure);
      const log = textLog((t) => io.stderr.write(typeof t === 'string' ? t : t.toString('utf8')));
      const outcome = await upFromPrebuild({
        workspace,
        configuration,
        sha,
        store,
        catalog: store,
        log,
        env,
        cli: await resolveDevcontainerCli(env, log),
        registry: opts.registry,
      });
      printJson(io, outcome);
    });
}
