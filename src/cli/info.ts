import type { Command } from 'commander';
import type { ConfigurationView, PrebuildView } from '../api/views.js';
import { ApiClient, globals, repoPath } from './client.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { duration, orDash, printFields, printJson, printTable, size, when } from './output.js';
import { resolveRepo } from './repo.js';
import { configurationId } from '../api/configuration-id.js';

/** The fields of one prebuild, for people. */
export function prebuildFields(p: PrebuildView): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['Prebuild', `#${p.id}`],
    ['Repository', p.repository],
    ['Configuration', p.configuration],
    ['Status', p.status],
    ['Reason', orDash(p.reason)],
    ['Branch', p.branch],
    ['Commit', p.sha],
    ['Pull request', orDash(p.pullRequest, (n) => `#${n}`)],
    ['Trigger', p.trigger],
    ['Created', when(p.timings.createdAt)],
    ['Started', when(p.timings.startedAt)],
    ['Ended', when(p.timings.endedAt)],
    ['Queued for', duration(p.timings.queuedMs)],
    ['Duration', duration(p.timings.durationMs)],
  ];
  for (const [hook, ms] of Object.entries(p.timings.hooks ?? {})) fields.push([`  ${hook}`, duration(ms)]);
  fields.push(
    ['Snapshot', p.snapshot.key ? `${p.snapshot.key} (${size(p.snapshot.bytes)})` : '—'],
    ['Base', p.base.key ? `${p.base.sha?.slice(0, 7) ?? '?'} (${p.base.key})` : `none${p.base.reason ? ` (${p.base.reason})` : ''}`],
    ['Check run', orDash(p.checkRun?.url)],
    ['Log', orDash(p.log.url)],
  );
  return fields;
}

function showConfiguration(io: CliIo, c: ConfigurationView): void {
  printFields(io, [
    ['Configuration', c.name],
    ['Repository', c.repository],
    ['State', c.paused ? 'paused' : 'active'],
    ['File', orDash(c.file?.environmentFile)],
    ['Branches', orDash(c.file?.branches.join(', '))],
    ['Trigger', orDash(c.file?.trigger)],
    ['Last prebuild', c.lastPrebuild ? `#${c.lastPrebuild.id} ${c.lastPrebuild.status} at ${c.lastPrebuild.sha.slice(0, 7)}` : '—'],
    ['Last success', c.lastSuccess ? `#${c.lastSuccess.id} at ${c.lastSuccess.sha.slice(0, 7)} (${size(c.lastSuccess.snapshot.bytes)})` : '—'],
  ]);
  io.stdout.write('\n');
  const show = (v: unknown) => (v === undefined || v === null ? '—' : Array.isArray(v) ? v.join(', ') || '[]' : String(v));
  printTable(
    io,
    ['SETTING', 'FILE', 'OVERRIDE', 'EFFECTIVE'],
    (['commitInterval', 'triggerFiles', 'retention'] as const).map((k) => [k, show(c.file?.[k]), show(c.overrides[k]), show(c.effective?.[k])]),
  );
}

/**
 * `prebuilds info ID` (`GET /api/prebuilds/{id}`) or `prebuilds info --configuration NAME`
 * (`GET /api/repos/{owner}/{repo}/configurations/{name}`: file values beside overrides).
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('info')
    .description('show one prebuild (timings, size, base, trigger, check run and log links), or one configuration')
    .argument('[id]', 'prebuild id')
    .option('-c, --configuration <name>', 'show this configuration of --repo instead of a prebuild')
    .addHelpText('after', '\nExamples:\n  $ prebuilds info 42\n  $ prebuilds info --repo octo/app --configuration devcontainer\n')
    .action(async (id: string | undefined, opts: { configuration?: string }, cmd: Command) => {
      const g = globals(cmd);
      if (opts.configuration) {
        const repo = resolveRepo(g.repo, io);
        const c = await new ApiClient(io, g).request<ConfigurationView>('GET', `${repoPath(repo)}/configurations/${configurationId(opts.configuration)}`);
        return g.json ? printJson(io, c) : showConfiguration(io, c);
      }
      if (!id) throw new CliError('give a prebuild id, or --configuration NAME', EXIT.usage);
      const p = await new ApiClient(io, g).request<PrebuildView>('GET', `/api/prebuilds/${encodeURIComponent(id)}`);
      return g.json ? printJson(io, p) : printFields(io, prebuildFields(p));
    });
}
