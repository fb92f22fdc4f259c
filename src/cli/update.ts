import { InvalidArgumentError, type Command } from 'commander';
import type { ConfigurationView } from '../api/views.js';
import { ApiClient, globals, repoPath } from './client.js';
import { CliError, EXIT, processIo, type CliIo } from './io.js';
import { printJson, printTable } from './output.js';
import { resolveRepo } from './repo.js';
import { configurationId } from '../api/configuration-id.js';

const positive = (max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`an integer from 1 to ${max}`);
  return Number(value);
};
const bool = (value: string) => {
  if (value !== 'true' && value !== 'false') throw new InvalidArgumentError('true or false');
  return value === 'true';
};
const RESETTABLE = ['commitInterval', 'triggerFiles', 'retention'];

/**
 * `prebuilds update NAME`: sets or resets a configuration's overrides
 * (`PATCH /api/repos/{owner}/{repo}/configurations/{name}`), shown beside the file's values.
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('update')
    .description("override a configuration's commit interval, trigger files or retention (the file's values stay; --reset goes back to them)")
    .argument('<configuration>', 'configuration name')
    .option('--commit-interval <n>', 'prebuild after every N commits (1-10000)', positive(10_000))
    .option('--trigger-files <globs>', 'comma-separated globs that prebuild at once ("" for none)')
    .option('--retention <n>', 'successful prebuilds kept (1-100)', positive(100))
    .option('--paused <bool>', 'pause (true) or resume (false)', bool)
    .option('--reset <setting...>', `drop overrides: ${RESETTABLE.join(', ')}`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds update devcontainer --repo octo/app --commit-interval 5 --trigger-files "package-lock.json,.devcontainer/**"\n  $ prebuilds update devcontainer --repo octo/app --reset commitInterval\n',
    )
    .action(
      async (name: string, opts: { commitInterval?: number; triggerFiles?: string; retention?: number; paused?: boolean; reset?: string[] }, cmd: Command) => {
        const g = globals(cmd);
        const body: Record<string, unknown> = {};
        if (opts.commitInterval !== undefined) body.commitInterval = opts.commitInterval;
        if (opts.triggerFiles !== undefined)
          body.triggerFiles = opts.triggerFiles
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
        if (opts.retention !== undefined) body.retention = opts.retention;
        if (opts.paused !== undefined) body.paused = opts.paused;
        for (const r of opts.reset ?? []) {
          if (!RESETTABLE.includes(r)) throw new CliError(`--reset: "${r}" is not one of ${RESETTABLE.join(', ')}`, EXIT.usage);
          body[r] = null;
        }
        if (Object.keys(body).length === 0)
          throw new CliError('nothing to update: give --commit-interval, --trigger-files, --retention, --paused or --reset', EXIT.usage);
        const repo = resolveRepo(g.repo, io);
        const c = await new ApiClient(io, g).request<ConfigurationView>('PATCH', `${repoPath(repo)}/configurations/${configurationId(name)}`, body);
        if (g.json) return printJson(io, c);
        const show = (v: unknown) => (v === undefined || v === null ? '—' : Array.isArray(v) ? v.join(', ') || '[]' : String(v));
        io.stdout.write(`Updated ${c.name} (${c.paused ? 'paused' : 'active'})\n`);
        printTable(
          io,
          ['SETTING', 'FILE', 'OVERRIDE', 'EFFECTIVE'],
          RESETTABLE.map((k) => {
            const key = k as 'commitInterval' | 'triggerFiles' | 'retention';
            return [k, show(c.file?.[key]), show(c.overrides[key]), show(c.effective?.[key])];
          }),
        );
      },
    );
}
