import { formatProblem } from '../config/index.js';
import type { ConfigProblem } from '../config/model.js';
import type { PrebuildResult } from '../lifecycle/result.js';
import { timingRows, type PhaseTimings } from '../lifecycle/timings.js';
import type { PrebuildRecord } from '../store/types.js';

/** Check run output (`output` of `POST /repos/{owner}/{repo}/check-runs`). Summary ≤ 65535 chars. */
export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

const MAX_SUMMARY = 65535;

/** Check run name of a configuration: `Prebuild (<configuration>)`. */
export function checkRunName(configuration: string): string {
  return `Prebuild (${configuration})`;
}

/** `1.2 MB`, `532 kB`, `812 B` (decimal units, as GitHub shows cache sizes). */
export function formatBytes(bytes: number | null): string {
  if (bytes == null) return 'unknown';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** `45s`, `3m 05s`, `1h 02m` from milliseconds. */
export function formatDuration(ms: number | null): string {
  if (ms == null) return 'unknown';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function baseLine(p: PrebuildRecord): string {
  if (p.baseKey) return `Base: incremental from \`${p.baseSha?.slice(0, 7) ?? '?'}\` (\`${p.baseKey}\`)`;
  return `Base: none, built from scratch${p.baseReason ? ` (${p.baseReason})` : ''}`;
}

function clip(text: string): string {
  return text.length <= MAX_SUMMARY ? text : `${text.slice(0, MAX_SUMMARY - 20)}\n… (truncated)`;
}

/** Output of a running prebuild: "🔄 Prebuild in progress". */
export function inProgressOutput(p: PrebuildRecord): CheckOutput {
  const run = p.workflowRunUrl ? `\n\n[Workflow run](${p.workflowRunUrl})` : '';
  return {
    title: '🔄 Prebuild in progress',
    summary: clip(`Prebuild #${p.id} of \`${p.configuration}\` at \`${p.sha.slice(0, 7)}\` (trigger: ${p.trigger}).\n\n${baseLine(p)}${run}`),
  };
}

/** A phase's duration: `850 ms`, `12.3 s`, then {@link formatDuration}'s minutes. */
function phaseDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : formatDuration(ms);
}

/**
 * The "Time breakdown" section of a ready check run: a table of the phases the action
 * reported (src/lifecycle/timings.ts) with their share of its step; empty without timings.
 * @param stepMs the action step's duration the shares are of (the result's `durationMs`)
 */
export function breakdownLines(timings: PhaseTimings | undefined, stepMs: number): string[] {
  if (!timings || Object.keys(timings).length === 0) return [];
  const rows = timingRows(timings, stepMs).map((r) => `| ${r.phase} | ${phaseDuration(r.ms)} | ${r.pct}% |`);
  return ['', `**Time breakdown** (action step: ${phaseDuration(stepMs)})`, '', '| Phase | Duration | Share |', '|---|---|---|', ...rows];
}

/**
 * Output of a successful prebuild: "🚀 Prebuild ready" with duration, size, base and run link.
 * @param result what the run reported, when the caller has it: adds its time breakdown
 *   (a result without `timings`, from an older action, renders without one)
 */
export function readyOutput(p: PrebuildRecord, result?: Pick<PrebuildResult, 'timings' | 'durationMs'> | null): CheckOutput {
  const lines = [
    `Prebuild #${p.id} of \`${p.configuration}\` at \`${p.sha.slice(0, 7)}\` is ready.`,
    '',
    `| | |`,
    `|---|---|`,
    `| Duration | ${formatDuration(p.durationMs)} |`,
    `| Snapshot size | ${formatBytes(p.snapshotBytes)} |`,
    `| Snapshot key | \`${p.snapshotKey ?? ''}\` |`,
    `| Trigger | ${p.trigger} |`,
  ];
  if (p.hooks) for (const [hook, ms] of Object.entries(p.hooks)) lines.push(`| ${hook} | ${formatDuration(ms)} |`);
  if (result) lines.push(...breakdownLines(result.timings, result.durationMs));
  lines.push('', baseLine(p));
  if (p.workflowRunUrl) lines.push('', `[Workflow run log](${p.workflowRunUrl})`);
  return { title: '🚀 Prebuild ready', summary: clip(lines.join('\n')) };
}

/** Output of a failed or timed-out prebuild, quoting the reason and the log tail. */
export function failedOutput(p: PrebuildRecord, logTail: string | null): CheckOutput {
  const title = p.state === 'timed_out' ? '⏱️ Prebuild timed out' : '❌ Prebuild failed';
  const lines = [`Prebuild #${p.id} of \`${p.configuration}\` at \`${p.sha.slice(0, 7)}\` failed after ${formatDuration(p.durationMs)}.`, ''];
  if (p.reason) lines.push('**Reason**', '', '```', p.reason, '```', '');
  if (p.workflowRunUrl) lines.push(`[Workflow run log](${p.workflowRunUrl})`, '');
  lines.push(baseLine(p));
  return { title, summary: clip(lines.join('\n')), ...(logTail ? { text: clip(`Last lines of the log:\n\n\`\`\`\n${logTail}\n\`\`\``) } : {}) };
}

/** Output of a prebuild that ended without running: superseded, cancelled, skipped. */
export function neutralOutput(title: string, summary: string): CheckOutput {
  return { title, summary: clip(summary) };
}

/**
 * Output of the "Prebuild configuration" check run: each problem, then each warning
 * (a task calling Gitpod's `gp`, an ignored or unknown key, a duplicate key), one
 * `file:line:column: message` line each. The conclusion to give it: `failure` with
 * problems, `neutral` with warnings only.
 */
export function configurationOutput(
  sha: string,
  problems: readonly ConfigProblem[],
  warnings: readonly ConfigProblem[],
): CheckOutput & { conclusion: 'failure' | 'neutral' } {
  const plural = (n: number, word: string) => `${n} configuration ${word}${n === 1 ? '' : 's'}`;
  const list = (items: readonly ConfigProblem[]) => items.map((p) => `- ${formatProblem(p)}`).join('\n');
  const parts: string[] = [];
  if (problems.length > 0) parts.push(`The prebuild configuration at \`${sha.slice(0, 7)}\` has problems:\n\n${list(problems)}`);
  if (warnings.length > 0) parts.push(`**Warnings** (the configuration is used as it is):\n\n${list(warnings)}`);
  const title = problems.length > 0 ? `❌ ${plural(problems.length, 'problem')}` : `⚠️ ${plural(warnings.length, 'warning')}`;
  return { title, summary: clip(parts.join('\n\n')), conclusion: problems.length > 0 ? 'failure' : 'neutral' };
}
