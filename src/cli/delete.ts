import type { Command } from 'commander';
import type { DeletedConfiguration } from '../api/commands.js';
import type { PrebuildView } from '../api/views.js';
import { ApiClient, globals, repoPath } from './client.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { printJson } from './output.js';
import { resolveRepo } from './repo.js';
import { configurationId } from '../api/configuration-id.js';
import { snapshotStoreOf } from './checkout.js';

/**
 * `prebuilds delete ID` deletes one prebuild's snapshot (`DELETE /api/prebuilds/{id}`);
 * `prebuilds delete --configuration NAME` deletes a configuration's overrides and
 * snapshots (`DELETE /api/repos/{owner}/{repo}/configurations/{name}`). Both need `--yes`.
 * The app deletes the Actions cache entries and the files of the directory stores it
 * reaches; `--store dir:PATH|oci:REGISTRY/NAME` also deletes the snapshot from a store
 * only this machine reaches (a self-hosted runner's disk, a registry the app has no
 * credentials for), once the app has accepted the deletion.
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('delete')
    .description("delete a prebuild's snapshot, or a configuration's overrides and snapshots (the configuration file stays)")
    .argument('[id]', 'prebuild id')
    .option('-c, --configuration <name>', 'delete this configuration of --repo instead of one prebuild')
    .option('--store <store>', 'also delete the snapshot from this store only this machine reaches: dir:<path> or oci:REGISTRY/NAME')
    .option('-y, --yes', 'really delete (required)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds delete 42 --yes\n  $ prebuilds delete 42 --store dir:/srv/prebuilds --yes\n  $ prebuilds delete --repo octo/app --configuration devcontainer --yes\n',
    )
    .action(async (id: string | undefined, opts: { configuration?: string; store?: string; yes?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (!opts.configuration && !id) throw new CliError('give a prebuild id, or --configuration NAME', EXIT.usage);
      if (!opts.yes) throw new CliError('deleting snapshots cannot be undone: add --yes', EXIT.usage);
      const store = opts.store === undefined ? null : snapshotStoreOf(opts.store, process.cwd(), { ...process.env, ...io.env });
      const client = new ApiClient(io, g);
      /** Deletes `keys` from `--store`; returns how many it held. */
      const deleteFiles = async (keys: string[]): Promise<number> => {
        let held = 0;
        for (const key of store ? keys : []) if (await store!.delete(key)) held++;
        return held;
      };
      const filesNote = (n: number) => (store ? `; ${n} snapshot(s) deleted from the ${store.description}` : '');
      if (opts.configuration) {
        const repo = resolveRepo(g.repo, io);
        const d = await client.request<DeletedConfiguration>('DELETE', `${repoPath(repo)}/configurations/${configurationId(opts.configuration)}`);
        const files = await deleteFiles(d.snapshotsDeleted);
        if (g.json) return printJson(io, store ? { ...d, filesDeleted: files } : d);
        io.stdout.write(
          `Deleted ${d.configuration}: ${d.overridesDeleted ? 'overrides, ' : ''}${d.snapshotsDeleted.length} snapshot(s)` +
            `${d.snapshotsKept.length ? `; kept ${d.snapshotsKept.length} in use as a base` : ''}${filesNote(files)}\n`,
        );
        return;
      }
      const p = await client.request<PrebuildView>('DELETE', `/api/prebuilds/${encodeURIComponent(id!)}`);
      const files = await deleteFiles(p.snapshot.key ? [p.snapshot.key] : []);
      if (g.json) return printJson(io, store ? { ...p, filesDeleted: files } : p);
      io.stdout.write(`Deleted the snapshot of prebuild #${p.id} (${p.configuration} at ${p.sha.slice(0, 7)}): now ${p.status}${filesNote(files)}\n`);
    });
}
