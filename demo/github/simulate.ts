/**
 * Events a person causes on GitHub, simulated from the bare repositories: a
 * `push` (after the caller has `git push`ed), pull requests (same repository or
 * a fork) and "Re-run" on a check run. Each builds its payload from git and
 * sends it through the webhook sender.
 */
import { repoHtmlUrl } from './payloads/common.js';
import { checkRunRerequestedPayload, pullRequestPayload, pushCommit, pushPayload, type PullRequestFacts } from './payloads/webhooks.js';
import type { StandInState } from './state.js';
import type { RepoRecord } from './types.js';
import type { Delivery, WebhookSender } from './webhooks.js';

/** The null sha GitHub uses for "no commit" (`before` of a new ref, `after` of a deleted one). */
export const ZERO_SHA = '0'.repeat(40);

/** A push to describe: the branch (or a tag), and optionally the head before it (default: the head seen at the previous simulated push). */
export interface PushOptions {
  branch: string;
  /** The push is of the tag named `branch` (`refs/tags/…`), not of a branch. */
  tag?: boolean;
  before?: string;
}

/**
 * The `push` payload for `branch` as it is now in the repository. Lists at most
 * the 20 most recent pushed commits, oldest first, each with its
 * added/removed/modified files; remembers the head for the next push.
 */
export async function buildPush(state: StandInState, repo: RepoRecord, o: PushOptions) {
  const heads = await repo.content.listBranches();
  const fullRef = `refs/${o.tag ? 'tags' : 'heads'}/${o.branch}`;
  const known = o.tag ? fullRef : o.branch;
  const after = o.tag ? await repo.content.resolveCommit(fullRef) : (heads.get(o.branch) ?? null);
  const before = o.before ?? repo.knownHeads.get(known) ?? ZERO_SHA;
  const created = before === ZERO_SHA && after !== null;
  const deleted = after === null;
  if (deleted && before === ZERO_SHA) throw new Error(`branch ${o.branch} does not exist in ${repo.owner}/${repo.name} and was never pushed`);
  const forced = !created && !deleted && !(await repo.content.isAncestor(before, after));
  let commits: ReturnType<typeof pushCommit>[] = [];
  let headCommit: ReturnType<typeof pushCommit> | null = null;
  if (after) {
    const exclude = created ? [...heads].filter(([b]) => b !== o.branch).map(([, sha]) => sha) : [before];
    const pushed = await repo.content.logCommits(after, {
      exclude: (await Promise.all(exclude.map((e) => repo.content.resolveCommit(e)))).filter((e): e is string => !!e),
      reverse: true,
    });
    const toPayload = async (sha: string) => {
      const c = (await repo.content.readCommit(sha))!;
      const files = await repo.content.changedFiles(sha);
      const by = (s: string) => files.filter((f) => f.status === s).map((f) => f.filename);
      return pushCommit(state, repo, c, { added: by('added'), removed: by('removed'), modified: by('modified') });
    };
    commits = await Promise.all(pushed.slice(-20).map((c) => toPayload(c.sha)));
    headCommit = commits.find((c) => c.id === after) ?? (await toPayload(after));
  }
  const html = repoHtmlUrl(state, repo);
  const afterSha = after ?? ZERO_SHA;
  const compare = created ? `${html}/compare/${encodeURIComponent(o.branch)}` : `${html}/compare/${before.slice(0, 12)}...${afterSha.slice(0, 12)}`;
  if (after) repo.knownHeads.set(known, after);
  else repo.knownHeads.delete(known);
  repo.pushedAt = new Date();
  return pushPayload(state, repo, {
    ref: fullRef,
    before,
    after: afterSha,
    created,
    deleted,
    forced,
    baseRef: null,
    compare,
    commits,
    headCommit,
    sizeKiB: await repo.content.sizeKiB(),
  });
}

/** Sends the `push` webhook built by {@link buildPush}. */
export async function simulatePush(state: StandInState, sender: WebhookSender, repo: RepoRecord, o: PushOptions): Promise<Delivery> {
  return sender.send('push', await buildPush(state, repo, o));
}

/** A pull request to open, update or close. */
export interface PullRequestOptions {
  action: 'opened' | 'synchronize' | 'closed' | 'reopened';
  /** Default: the next number for a new pull request; required for other actions. */
  number?: number;
  /** Head branch (in the bare repository; for a fork, push the fork's branch there under any name). */
  head: string;
  /** Base branch, default the repository's default branch. */
  base?: string;
  /** Owner of the fork the pull request comes from (`null`/absent: same repository). */
  fork?: string | null;
  title?: string;
  merged?: boolean;
  /** `synchronize`: the previous head sha (default: the head recorded for this pull request). */
  before?: string;
}

/**
 * Sends a `pull_request` webhook built by {@link buildPullRequest}.
 * @returns the delivery and the pull request number
 */
export async function simulatePullRequest(
  state: StandInState,
  sender: WebhookSender,
  repo: RepoRecord,
  prs: Map<string, PullRequestFacts>,
  o: PullRequestOptions,
): Promise<{ delivery: Delivery; number: number }> {
  const { payload, number } = await buildPullRequest(state, repo, prs, o);
  return { delivery: await sender.send('pull_request', payload), number };
}

/**
 * The `pull_request` payload of an action on a pull request (remembered for the
 * next action); the head sha is also written to `refs/pull/<number>/head`, as GitHub does.
 */
export async function buildPullRequest(state: StandInState, repo: RepoRecord, prs: Map<string, PullRequestFacts>, o: PullRequestOptions) {
  const existingNumbers = [...prs.keys()].filter((k) => k.startsWith(`${repo.id}#`)).map((k) => Number(k.split('#')[1]));
  const number = o.number ?? Math.max(0, ...existingNumbers, ...state.issues.filter((i) => i.repoId === repo.id).map((i) => i.number)) + 1;
  const key = `${repo.id}#${number}`;
  const prev = prs.get(key);
  if (!prev && o.action !== 'opened') throw new Error(`pull request #${number} was never opened`);
  const headSha = await repo.content.resolveCommit(`refs/heads/${o.head}`);
  const baseRef = o.base ?? prev?.baseRef ?? repo.defaultBranch;
  const baseSha = await repo.content.resolveCommit(`refs/heads/${baseRef}`);
  if (!headSha || !baseSha) throw new Error(`unknown branch ${headSha ? baseRef : o.head}`);
  await repo.content.updateRef(`refs/pull/${number}/head`, headSha);
  const mb = (await repo.content.mergeBase(baseSha, headSha)) ?? baseSha;
  const files = await repo.content.changedFiles(headSha, mb);
  const now = new Date();
  const facts: PullRequestFacts = {
    number,
    title: o.title ?? prev?.title ?? `Update ${o.head}`,
    state: o.action === 'closed' ? 'closed' : 'open',
    merged: o.action === 'closed' ? (o.merged ?? false) : false,
    headRef: o.head,
    headSha,
    baseRef,
    baseSha,
    forkOwner: o.fork ?? prev?.forkOwner ?? null,
    author: o.fork ?? prev?.author ?? state.senderLogin,
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    commits: await repo.content.countCommits(baseSha, headSha),
    changedFiles: files.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
  };
  prs.set(key, facts);
  const sync = o.action === 'synchronize' ? { before: o.before ?? prev?.headSha ?? headSha, after: headSha } : undefined;
  return { payload: pullRequestPayload(state, repo, o.action, facts, await repo.content.sizeKiB(), sync), number };
}

/** Sends `check_run.rerequested` for one of the app's check runs (a user clicked "Re-run"). */
export async function simulateRerequest(state: StandInState, sender: WebhookSender, repo: RepoRecord, checkRunId: number): Promise<Delivery> {
  const c = state.checkRuns.get(checkRunId);
  if (!c || c.repoId !== repo.id) throw new Error(`no check run ${checkRunId} in ${repo.owner}/${repo.name}`);
  if (c.owner.kind !== 'app') throw new Error(`check run ${checkRunId} belongs to GitHub Actions, not the app`);
  const heads = await repo.content.listBranches();
  const branch = [...heads].find(([, sha]) => sha === c.headSha)?.[0] ?? null;
  return sender.send('check_run', checkRunRerequestedPayload(state, repo, c, branch, await repo.content.sizeKiB()));
}
