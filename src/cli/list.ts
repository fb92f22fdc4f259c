import type { Command } from 'commander';
import type { PrebuildPage } from '../api/queries.js';
import type { ConfigurationView, PrebuildView } from '../api/views.js';
import { ApiClient, globals, repoPath } from './client.js';
import { processIo, type CliIo } from './io.js';
import { duration, printJson, printTable, size, when } from './output.js';
import { resolveRepo } from './repo.js';

/** One line of the configurations table: status of the newest prebuild. */
function configurationRow(c: ConfigurationView): string[] {
  const p = c.lastPrebuild;
  const over = Object.entries(c.overrides).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`);
  return [
    c.name,
    c.paused ? 'paused' : 'active',
    p ? `#${p.id} ${p.status}` : '—',
    p?.branch ?? '—',
    p ? p.sha.slice(0, 7) : '—',
    when(p?.timings.endedAt ?? p?.timings.createdAt),
    c.lastSuccess ? `#${c.lastSuccess.id} ${size(c.lastSuccess.snapshot.bytes)}` : '—',
    String(c.effective?.commitInterval ?? '—'),
    String(c.effective?.retention ?? '—'),
    over.join(' ') || '—',
  ];
}

/** One line of the prebuilds table. */
export function prebuildRow(p: PrebuildView): string[] {
  return [
    String(p.id),
    p.configuration,
    p.status,
    p.branch,
    p.sha.slice(0, 7),
    p.trigger,
    when(p.timings.createdAt),
    duration(p.timings.durationMs),
    size(p.snapshot.bytes),
  ];
}

/** Header of {@link prebuildRow}. */
export const PREBUILD_HEADERS = ['ID', 'CONFIGURATION', 'STATUS', 'BRANCH', 'SHA', 'TRIGGER', 'CREATED', 'DURATION', 'SIZE'];

/**
 * `prebuilds list`: the repository's configurations with their last prebuild
 * (`GET /api/repos/{owner}/{repo}/configurations`), or with `--prebuilds` the
 * prebuild history (`GET /api/prebuilds`, filters and cursor pagination).
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('list')
    .description("list a repository's prebuild configurations with their last prebuild, or (--prebuilds) its prebuilds")
    .option('--prebuilds', 'list prebuilds, newest first, instead of configurations')
    .option('-c, --configuration <name>', 'with --prebuilds: only this configuration')
    .option('-b, --branch <branch>', 'with --prebuilds: only this branch')
    .option('-s, --status <states>', 'with --prebuilds: only these states, comma-separated (waiting,running,success,failure,…)')
    .option('--limit <n>', 'with --prebuilds: page size, 1-100', '30')
    .option('--cursor <id>', 'with --prebuilds: the next page, as printed after the previous one')
    .addHelpText(
      'after',
      '\nExamples:\n  $ prebuilds list --repo octo/app\n  $ prebuilds list --repo octo/app --prebuilds --status failure --limit 10 --json\n',
    )
    .action(async (opts: { prebuilds?: boolean; configuration?: string; branch?: string; status?: string; limit: string; cursor?: string }, cmd: Command) => {
      const g = globals(cmd);
      const repo = resolveRepo(g.repo, io);
      const client = new ApiClient(io, g);
      if (!opts.prebuilds) {
        const configurations = await client.request<ConfigurationView[]>('GET', `${repoPath(repo)}/configurations`);
        if (g.json) return printJson(io, configurations);
        return printTable(
          io,
          ['CONFIGURATION', 'STATE', 'LAST PREBUILD', 'BRANCH', 'SHA', 'WHEN', 'READY', 'INTERVAL', 'RETENTION', 'OVERRIDES'],
          configurations.map(configurationRow),
          'no configuration known yet: push to a configured branch, or `prebuilds trigger`',
        );
      }
      const q = new URLSearchParams({ repository: `${repo.owner}/${repo.repo}`, limit: opts.limit });
      if (opts.configuration) q.set('configuration', opts.configuration);
      if (opts.branch) q.set('branch', opts.branch);
      if (opts.status) q.set('status', opts.status);
      if (opts.cursor) q.set('cursor', opts.cursor);
      const page = await client.request<PrebuildPage>('GET', `/api/prebuilds?${q}`);
      if (g.json) return printJson(io, page);
      printTable(io, PREBUILD_HEADERS, page.prebuilds.map(prebuildRow), 'no prebuilds');
      if (page.nextCursor !== null) io.stderr.write(`more: add --cursor ${page.nextCursor}\n`);
    });
}
