import type { Logger } from 'pino';
import { closeIssue, commentOnIssue, openIssue, openIssuesWithLabel } from '../github/issues.js';
import type { Octokit, RepoParams } from '../github/octokit.js';
import type { PrebuildRecord } from '../store/types.js';
import { branchMatches } from '../triggers/push.js';

/**
 * Failure notifications (the `notify` key of `.github/prebuilds.yml`): when a
 * configuration's prebuild fails on one of its branches, one issue is opened
 * mentioning the `notify` users and teams, or the open one gets a comment; when a
 * prebuild of that configuration succeeds again, the issue is closed with a comment.
 * Never more than one open issue per configuration: it is found by its label and a
 * hidden marker in its body. Pull request prebuilds never notify.
 */

/** Label of the issues this module opens. */
export const FAILURE_LABEL = 'prebuild-failure';

/** The hidden marker naming the configuration in an issue body. */
export function issueMarker(configuration: string): string {
  return `<!-- prebuilds:config=${encodeURIComponent(configuration)} -->`;
}

const MENTION = /^@?[A-Za-z0-9][A-Za-z0-9-]*(?:\/[A-Za-z0-9._-]+)?$/;

/** `@user` and `@org/team` mentions of the valid `notify` entries. */
export function mentions(notify: string[]): string[] {
  return notify.filter((n) => MENTION.test(n)).map((n) => (n.startsWith('@') ? n : `@${n}`));
}

/** A fenced code block that the text cannot close early. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}\n${text.slice(0, 4000)}\n${fence}`;
}

function failureText(p: PrebuildRecord): string {
  return [
    `| | |`,
    `|---|---|`,
    `| Commit | ${p.sha} |`,
    `| Branch | \`${p.branch}\` |`,
    `| Prebuild | #${p.id} (${p.state === 'timed_out' ? 'timed out' : 'failed'}, trigger: ${p.trigger}) |`,
    `| Log | ${p.workflowRunUrl ? `[workflow run](${p.workflowRunUrl})` : 'no workflow run'} |`,
    '',
    '**Failing command**',
    '',
    fenced(p.reason ?? 'no reason reported'),
  ].join('\n');
}

/** Title and body of a new failure issue. */
export function failureIssue(p: PrebuildRecord, notify: string[]): { title: string; body: string; labels: string[] } {
  const body = [
    issueMarker(p.configuration),
    `The prebuild of configuration **\`${p.configuration}\`** is failing on \`${p.branch}\`.`,
    '',
    failureText(p),
    '',
    `cc ${mentions(notify).join(' ')}`,
    '',
    `_Opened by Prebuilds for GitHub. Each new failure adds a comment; the issue is closed when a prebuild of \`${p.configuration}\` succeeds again._`,
  ].join('\n');
  return { title: `Prebuild failing: ${p.configuration} on ${p.branch}`, body, labels: [FAILURE_LABEL] };
}

/** What {@link notifyOutcome} did. */
export type NotifyResult = 'opened' | 'commented' | 'closed' | null;

/**
 * Opens, updates or closes the failure issue of a finished prebuild's configuration.
 * Does nothing when `notify` is empty, for pull request prebuilds, for a branch the
 * configuration does not cover, and for outcomes other than success, failure and
 * timed out. GitHub failures are logged, never thrown: a notification never fails
 * the run's bookkeeping.
 * Endpoints: `GET /repos/{owner}/{repo}/issues`, `POST /repos/{owner}/{repo}/issues`,
 * `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`, `PATCH /repos/{owner}/{repo}/issues/{issue_number}`.
 */
export async function notifyOutcome(octokit: Octokit, repo: RepoParams, p: PrebuildRecord, log?: Logger): Promise<NotifyResult> {
  const notify = p.settings?.notify ?? [];
  if (notify.length === 0 || mentions(notify).length === 0) return null;
  if (p.prNumber !== null || !branchMatches(p.settings!, p.branch)) return null;
  const failed = p.state === 'failure' || p.state === 'timed_out';
  if (!failed && p.state !== 'success') return null;
  try {
    const marker = issueMarker(p.configuration);
    const open = (await openIssuesWithLabel(octokit, repo, FAILURE_LABEL)).filter((i) => i.body.includes(marker));
    const existing = open.length ? open.reduce((a, b) => (a.number < b.number ? a : b)) : null;
    if (failed) {
      if (existing) {
        await commentOnIssue(octokit, repo, existing.number, `Still failing at ${p.sha}.\n\n${failureText(p)}`);
        return 'commented';
      }
      await openIssue(octokit, repo, failureIssue(p, notify));
      return 'opened';
    }
    if (!existing) return null;
    for (const issue of open) {
      await commentOnIssue(
        octokit,
        repo,
        issue.number,
        `🚀 Fixed: prebuild #${p.id} of \`${p.configuration}\` succeeded at ${p.sha}${p.workflowRunUrl ? ` ([workflow run](${p.workflowRunUrl}))` : ''}.`,
      );
      await closeIssue(octokit, repo, issue.number);
    }
    return 'closed';
  } catch (error) {
    log?.warn({ err: error, prebuild: p.id, configuration: p.configuration }, 'could not update the prebuild failure issue');
    return null;
  }
}
