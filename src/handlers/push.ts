import { laneOf, requestFor } from '../scheduler/scheduler.js';
import { branchMatches, decidePush } from '../triggers/push.js';
import { loadConfigurations } from './configurations.js';
import { applyOverrides } from '../store/overrides.js';
import type { AppDeps, HandlerInput } from './types.js';

const ZERO_SHA = /^0+$/;

/** Files added, modified or removed by the pushed commits, and how many commits. */
async function pushedChanges(input: HandlerInput<'push'>): Promise<{ count: number; files: string[] | null }> {
  const { payload, octokit } = input;
  const files = new Set<string>();
  for (const c of payload.commits) for (const f of [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]) files.add(f);
  // GitHub lists at most 20 commits in a push payload; for more, ask compare once.
  if (payload.commits.length >= 20 && !ZERO_SHA.test(payload.before)) {
    const compare = await octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      basehead: `${payload.before}...${payload.after}`,
      per_page: 1,
    });
    // compare lists at most 300 files: more may have changed, so the list is unknown then.
    const files = compare.data.files && compare.data.files.length < 300 ? compare.data.files.map((f) => f.filename) : null;
    return { count: compare.data.total_commits, files };
  }
  return { count: payload.commits.length, files: [...files] };
}

/**
 * `push`: tags start nothing; a deleted branch cancels its prebuilds; otherwise each
 * configuration decides through the triggers (SPEC.md rule 4) and the scheduler
 * starts or queues a prebuild. Every (push, configuration) decision is recorded.
 */
export async function handlePush(deps: AppDeps, input: HandlerInput<'push'>): Promise<void> {
  const { payload, deliveryId } = input;
  const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
  const decide = (configuration: string, decision: string, reason: string, prebuildId: number | null = null) =>
    deps.store.recordDecision({ deliveryId, ...repo, sha: payload.after, event: 'push', configuration, decision, reason, prebuildId });

  if (payload.ref.startsWith('refs/tags/')) return decide('*', 'skipped', 'tag: tag pushes start no prebuild');
  if (!payload.ref.startsWith('refs/heads/')) return decide('*', 'skipped', `ref ${payload.ref} is not a branch`);
  const branch = payload.ref.slice('refs/heads/'.length);
  if (payload.deleted) {
    await deps.store.forgetBranch(repo, branch);
    return cancelBranch(deps, repo, branch, payload.before, deliveryId);
  }

  const installationId = payload.installation?.id;
  if (!installationId) return decide('*', 'skipped', 'no installation in the payload');
  const defaultBranch = payload.repository.default_branch;
  const changes = await pushedChanges(input);
  const cacheKey = `${payload.repository.full_name}#${branch}`;
  // A force push or rebase can drop commits the payload does not list: read the configuration again.
  const trustFiles = !payload.forced && payload.commits.length > 0 ? changes.files : null;
  let resolved = deps.configCache.reuse(cacheKey, payload.before, payload.after, trustFiles);
  if (!resolved) {
    resolved = await loadConfigurations(deps, input.octokit, repo, payload.after, defaultBranch, { deliveryId, event: 'push' });
    deps.configCache.remember(cacheKey, payload.after, resolved);
  }
  if (resolved.configurations.length === 0 && resolved.problems.length === 0) {
    return decide('*', 'skipped', 'no configuration: no .github/prebuilds.yml and no .devcontainer/devcontainer.json');
  }
  for (const resolvedConfig of resolved.configurations) {
    const name = resolvedConfig.settings.name;
    // Overrides stored through the API/CLI (`prebuilds update`) win over the file's values.
    const c = { ...resolvedConfig, settings: applyOverrides(resolvedConfig.settings, await deps.store.getOverrides(repo, name)) };
    const scheduled = c.settings.schedule && branchMatches(c.settings, branch) ? { cron: c.settings.schedule, installationId } : null;
    await deps.store.setSchedule(repo, name, branch, scheduled);
    const lane = await deps.store.getLane(repo, name, branch);
    if (input.seq > 0 && (lane.lastSeq ?? 0) > input.seq) {
      // A retried push that a newer push of the branch overtook: the newer one is what counts.
      await decide(name, 'skipped', 'superseded: a newer push of this branch was handled first');
      continue;
    }
    // The same push again (a retry after a crash): replay its decision, never count its commits twice.
    const replay = input.seq > 0 && lane.lastSeq === input.seq;
    const d = replay
      ? { run: !!lane.lastRun, reason: 'retry of this push', lane }
      : decidePush(c.settings, lane, { branch, commitCount: changes.count, changedFiles: changes.files, identity: c.identity });
    if (!replay) await deps.store.setLane(repo, name, branch, { ...d.lane, lastSeq: input.seq, lastRun: d.run });
    if (!d.run) {
      await decide(name, 'skipped', d.reason);
      continue;
    }
    const existing = await deps.store.listPrebuilds({ ...repo, configuration: name, sha: payload.after, states: ['waiting', 'dispatched', 'running', 'success'], limit: 1 });
    if (existing[0] && existing[0].identity === c.identity && existing[0].deliveryId !== deliveryId) {
      await decide(name, 'skipped', `already prebuilt: prebuild #${existing[0].id} (${existing[0].state})`, existing[0].id);
      continue;
    }
    const outcome = await deps.scheduler.request(requestFor(c, { ...repo, installationId, branch, sha: payload.after, prNumber: null, trigger: 'push', deliveryId }));
    await decide(name, outcome.decision, `${d.reason}; ${outcome.reason}`, outcome.prebuild.id);
  }
}

/** Cancels every waiting and running prebuild of a deleted branch (SPEC.md rule 11). */
async function cancelBranch(deps: AppDeps, repo: { owner: string; repo: string }, branch: string, sha: string, deliveryId: string): Promise<void> {
  const open = await deps.store.listPrebuilds({ ...repo, branch, states: ['waiting', 'dispatched', 'running'] });
  const lanes = new Map(open.map((p) => [p.configuration, laneOf(p)]));
  for (const lane of lanes.values()) {
    for (const p of await deps.scheduler.cancel(lane, `branch ${branch} was deleted`)) {
      await deps.store.recordDecision({
        deliveryId,
        ...repo,
        sha: p.sha,
        event: 'push',
        configuration: p.configuration,
        decision: 'cancelled',
        reason: `branch ${branch} was deleted`,
        prebuildId: p.id,
      });
    }
  }
  if (lanes.size === 0) {
    await deps.store.recordDecision({ deliveryId, ...repo, sha, event: 'push', configuration: '*', decision: 'skipped', reason: `branch ${branch} deleted; nothing to cancel`, prebuildId: null });
  }
}
