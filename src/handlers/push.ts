import { compareCommits, type PushedChanges } from '../github/commits.js';
import { readConfigurations } from '../prebuilds/configurations.js';
import { decision, decisionLog } from '../prebuilds/decisions.js';
import { endBranch } from '../prebuilds/ended.js';
import { offerOf, requestPrebuilds } from '../prebuilds/request.js';
import { pushRule } from '../prebuilds/rules.js';
import type { AppDeps, HandlerInput } from './types.js';

const ZERO_SHA = /^0+$/;

/** Files added, modified or removed by the pushed commits, and how many commits. */
async function pushedChanges(input: HandlerInput<'push'>): Promise<PushedChanges> {
  const { payload, octokit } = input;
  // GitHub lists at most 20 commits in a push payload; for more, ask compare once.
  if (payload.commits.length >= 20 && !ZERO_SHA.test(payload.before)) {
    return compareCommits(octokit, { owner: payload.repository.owner.login, repo: payload.repository.name }, payload.before, payload.after);
  }
  const files = new Set<string>();
  for (const c of payload.commits) for (const f of [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]) files.add(f);
  return { count: payload.commits.length, files: [...files] };
}

/**
 * `push`: tags start nothing; a deleted branch cancels its prebuilds (SPEC.md rule 11);
 * otherwise the configurations at the pushed commit go through the push rule (rule 4)
 * to {@link requestPrebuilds}.
 */
export async function handlePush(deps: AppDeps, input: HandlerInput<'push'>): Promise<void> {
  const { payload, deliveryId } = input;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const decisions = decisionLog(deps.store, { deliveryId, ...repo, sha: payload.after, event: 'push' });

  if (payload.ref.startsWith('refs/tags/')) return decisions.record(decision.tag());
  if (!payload.ref.startsWith('refs/heads/')) return decisions.record(decision.notABranch(payload.ref));
  const branch = payload.ref.slice('refs/heads/'.length);
  if (payload.deleted) {
    await deps.store.forgetBranch(repo, branch);
    return endBranch(deps, { deliveryId, ...repo, sha: payload.before, event: 'push' }, branch);
  }
  const installationId = payload.installation?.id;
  if (!installationId) return decisions.record(decision.noInstallation());

  deps.pushHistory?.recordPush(repo, { before: payload.before, after: payload.after, forced: payload.forced, commits: payload.commits.map((c) => c.id) });
  const changes = await pushedChanges(input);
  // A force push or rebase can drop commits the payload does not list: read the configuration again.
  const trustFiles = !payload.forced && payload.commits.length > 0 ? changes.files : null;
  const resolved = await readConfigurations(deps, input.octokit, repo, payload.after, payload.repository.default_branch, {
    deliveryId,
    event: 'push',
    reuse: { branch, before: payload.before, changedFiles: trustFiles },
  });
  if (resolved.configurations.length === 0 && resolved.problems.length === 0) return decisions.record(decision.noConfiguration());
  await requestPrebuilds(deps, {
    event: 'push',
    deliveryId,
    repo,
    installationId,
    sha: payload.after,
    branch,
    prNumber: null,
    trigger: 'push',
    offers: resolved.configurations.map(offerOf),
    rule: pushRule(deps.store, {
      repo,
      branch,
      seq: input.seq,
      commitCount: changes.count,
      changedFiles: changes.files,
      deliveryId,
      sha: payload.after,
    }),
    registerSchedules: true,
  });
}
