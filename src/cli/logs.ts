import type { Command } from 'commander';
import type { PrebuildLog } from '../api/queries.js';
import { ApiClient, globals } from './client.js';
import { processIo, type CliIo } from './io.js';
import { printJson } from './output.js';

/**
 * `prebuilds logs ID`: the job log of a prebuild's workflow run, fetched by the app
 * (`GET /api/prebuilds/{id}/logs` → GitHub's `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs`).
 */
export function register(program: Command, io: CliIo = processIo()): Command {
  return program
    .command('logs')
    .description("print the log of a prebuild's workflow job (the failed job, else the first)")
    .argument('<id>', 'prebuild id')
    .option('--tail <n>', 'only the last N lines')
    .addHelpText('after', '\nExamples:\n  $ prebuilds logs 42\n  $ prebuilds logs 42 --tail 50\n')
    .action(async (id: string, opts: { tail?: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await new ApiClient(io, g).request<PrebuildLog>('GET', `/api/prebuilds/${encodeURIComponent(id)}/logs`);
      if (g.json) return printJson(io, r);
      const lines = r.log.replace(/\n$/, '').split('\n');
      const n = opts.tail && /^\d+$/.test(opts.tail) ? Number(opts.tail) : lines.length;
      io.stderr.write(`# prebuild #${r.id}, job ${r.jobName} (${r.jobId})${r.workflowRunUrl ? `: ${r.workflowRunUrl}` : ''}\n`);
      io.stdout.write(`${lines.slice(-n).join('\n')}\n`);
    });
}
