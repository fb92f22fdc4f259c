/** The job summary of a prebuild (Markdown through `core.summary`). */
import * as core from '@actions/core';
import type { PlannedHook } from '../../src/lifecycle/plan.js';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { timingRows, type PhaseTimings } from '../../src/lifecycle/timings.js';
import { Env } from './constants.js';

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** `512 B`, `1.5 KiB`, `20.0 MiB`, `1.20 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Escapes text for the summary's HTML. */
function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Rows of the time breakdown table (phase, duration, share of the step), header first; none without timings. */
export function timingTable(timings: PhaseTimings | undefined, totalMs: number): Array<Array<string | { data: string; header: true }>> {
  if (!timings || Object.keys(timings).length === 0) return [];
  return [
    [
      { data: 'Phase', header: true },
      { data: 'Duration', header: true },
      { data: 'Share', header: true },
    ],
    ...timingRows(timings, totalMs).map((r) => [esc(r.phase), formatDuration(r.ms), `${r.pct}%`]),
  ];
}

/** Rows of the hooks table: hook, what happened, duration. */
export function hookRows(plan: PlannedHook[], result: PrebuildResult): string[][] {
  return plan.map((step) =>
    step.action === 'skip' ? [step.hook, esc(`skipped: ${step.reason}`), ''] : [step.hook, 'ran', formatDuration(result.hooks[step.hook] ?? 0)],
  );
}

/**
 * Writes the job summary: hooks with durations, mode (and image), snapshot key and size, base, total.
 * Does nothing outside a runner (no `GITHUB_STEP_SUMMARY`).
 */
export async function writeSummary(
  plan: PlannedHook[],
  result: PrebuildResult,
  env: NodeJS.ProcessEnv = process.env,
  mode: { mode: 'host' | 'container'; reason: string } = { mode: 'host', reason: '' },
): Promise<void> {
  if (!env[Env.StepSummary]) return;
  const breakdown = timingTable(result.timings, result.durationMs);
  core.summary
    .addHeading(`🚀 Prebuild ready: ${esc(result.configuration)}`, 2)
    .addTable([
      [
        { data: 'Hook', header: true },
        { data: 'Result', header: true },
        { data: 'Duration', header: true },
      ],
      ...hookRows(plan, result),
    ])
    .addList([
      `Mode: <b>${mode.mode}</b>${mode.reason ? ` (${esc(mode.reason)})` : ''}`,
      ...(result.image ? [`Image: <code>${esc(result.image)}</code>`] : []),
      `Snapshot: <code>${result.snapshotKey}</code> (${formatBytes(result.snapshotBytes)})`,
      `Base: ${result.base ? `<code>${result.base}</code>` : 'none (built from scratch)'}`,
      `Commit: <code>${result.sha}</code>`,
      `Total: ${formatDuration(result.durationMs)}`,
    ]);
  if (breakdown.length > 0) core.summary.addHeading('Time breakdown', 3).addTable(breakdown);
  await core.summary.write();
}
