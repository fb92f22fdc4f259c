/** The job summary of restore mode (Markdown/HTML through `core.summary`). */
import * as core from '@actions/core';
import type { RestoreOutcome } from '../../src/lifecycle/restore.js';
import type { UpOutcome } from '../../src/container/up.js';
import { Env } from './constants.js';
import { formatDuration, timingTable } from './summary.js';

/** Escapes text for the summary's HTML. */
function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The heading of the summary for a hit: what the workspace started from. */
export function restoreHeading(configuration: string, outcome: Pick<RestoreOutcome, 'hit' | 'distance'>): string {
  if (outcome.hit === 'exact') return `⚡ Workspace ready from a prebuild: ${esc(configuration)} (exact)`;
  if (outcome.hit === 'ancestor') {
    const n = outcome.distance ?? 0;
    return `⚡ Workspace ready from a prebuild: ${esc(configuration)} (ancestor, ${n} commit${n === 1 ? '' : 's'} behind)`;
  }
  return `🐢 No prebuild for ${esc(configuration)}: full lifecycle`;
}

/**
 * The summary's bullet points (HTML): hit, prebuild used, restore time, time saved
 * against the hook durations recorded when the prebuild was built, shallow clone,
 * discarded snapshots.
 */
export function restoreLines(sha: string, outcome: RestoreOutcome): string[] {
  const lines = [`Prebuild hit: <b>${outcome.hit}</b>`];
  if (outcome.snapshotKey) {
    const built = outcome.marker?.updatedAt ? `, built ${esc(outcome.marker.updatedAt)}` : '';
    lines.push(`Prebuild used: <code>${esc(outcome.snapshotKey)}</code> (commit <code>${esc(outcome.prebuildSha ?? '')}</code>${built})`);
  } else {
    lines.push(`Prebuild used: none among the ${outcome.searched} commit${outcome.searched === 1 ? '' : 's'} searched`);
  }
  lines.push(`Commit: <code>${esc(sha)}</code>`);
  lines.push(`Restore time: ${formatDuration(outcome.restoreMs)}`);
  if (outcome.saved) {
    const { prebuiltMs, spentMs, savedMs } = outcome.saved;
    lines.push(
      `Time saved: ${savedMs >= 0 ? '' : '−'}${formatDuration(Math.abs(savedMs))} ` +
        `(the prebuild's onCreateCommand + updateContentCommand took ${formatDuration(prebuiltMs)} when it was built; ` +
        `this restore spent ${formatDuration(spentMs)} instead)`,
    );
  } else if (outcome.hit !== 'none') {
    lines.push('Time saved: unknown (the prebuild recorded no hook durations)');
  }
  lines.push(`Total: ${formatDuration(outcome.durationMs)}`);
  if (outcome.shallow) {
    lines.push(
      `Shallow checkout: ${outcome.searched} commit${outcome.searched === 1 ? '' : 's'} searched; use <code>fetch-depth: 0</code> in actions/checkout for ancestor hits`,
    );
  }
  for (const r of outcome.rejected) lines.push(`Discarded <code>${esc(r.key)}</code>: ${esc(r.reason)}`);
  return lines;
}

/** Writes the restore summary. Does nothing outside a runner (no `GITHUB_STEP_SUMMARY`). */
export async function writeRestoreSummary(configuration: string, sha: string, outcome: RestoreOutcome, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env[Env.StepSummary]) return;
  core.summary
    .addHeading(restoreHeading(configuration, outcome), 2)
    .addTable([
      [
        { data: 'Hook', header: true },
        { data: 'Result', header: true },
        { data: 'Duration', header: true },
      ],
      ...outcome.plan.map((step) =>
        step.action === 'skip' ? [step.hook, esc(`skipped: ${step.reason}`), ''] : [step.hook, 'ran', formatDuration(outcome.hooks[step.hook] ?? 0)],
      ),
    ])
    .addList(restoreLines(sha, outcome));
  const breakdown = timingTable(outcome.timings, outcome.durationMs);
  if (breakdown.length > 0) core.summary.addHeading('Time breakdown', 3).addTable(breakdown);
  await core.summary.write();
}

/** Writes the summary of a container-mode restore: hit, image, container, hooks, time against the cold path. */
export async function writeContainerRestoreSummary(
  configuration: string,
  sha: string,
  outcome: UpOutcome,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  if (!env[Env.StepSummary]) return;
  const lines = [
    'Mode: <b>container</b>',
    `Prebuild hit: <b>${outcome.hit}</b>${outcome.snapshotKey ? ` (<code>${esc(outcome.snapshotKey)}</code>)` : ''}`,
    `Image: ${outcome.image ? `<code>${esc(outcome.image)}</code> (pulled in ${formatDuration(outcome.pullMs)})` : 'none: built the cold way'}`,
    `Container: <code>${esc(outcome.containerId.slice(0, 12))}</code> at <code>${esc(outcome.remoteWorkspaceFolder)}</code>${outcome.composeProject ? ` (compose project <code>${esc(outcome.composeProject)}</code>)` : ''}`,
    `Commit: <code>${esc(sha)}</code>`,
    `Ready in: ${formatDuration(outcome.durationMs)}${outcome.coldMs ? ` (the cold path took ${formatDuration(outcome.coldMs)} for the build, onCreateCommand and updateContentCommand alone)` : ''}`,
  ];
  await core.summary
    .addHeading(restoreHeading(configuration, outcome), 2)
    .addTable([
      [
        { data: 'Hook', header: true },
        { data: 'Result', header: true },
        { data: 'Duration', header: true },
      ],
      ...outcome.hooks.map((h) => (h.action === 'skip' ? [h.hook, esc(`skipped: ${h.reason}`), ''] : [h.hook, 'ran', formatDuration(h.durationMs)])),
    ])
    .addList(lines)
    .write();
}
