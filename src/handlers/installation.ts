import { isStatus } from '../github/octokit.js';
import { requestFor } from '../scheduler/scheduler.js';
import { branchMatches } from '../triggers/push.js';
import { loadConfigurations } from './configurations.js';
import type { AppDeps, HandlerInput } from './types.js';

/**
 * `installation` `created`: repositories that opted in with `.github/prebuilds.yml`
 * get their first prebuilds at once, for the default branch's head (Codespaces runs
 * the prebuild workflow when a configuration is saved; Daytona when a prebuild is
 * added), instead of waiting for the next push. Repositories without the file wait for
 * their first push, so installing on many repositories dispatches nothing unasked.
 * Calls per repository: `GET /repos/{owner}/{repo}`, `GET …/branches/{branch}`, the
 * configuration reads, then the dispatches.
 */
export async function handleInstallation(deps: AppDeps, input: HandlerInput<'installation'>): Promise<void> {
  const { payload, octokit, deliveryId } = input;
  if (payload.action !== 'created') return;
  for (const r of payload.repositories ?? []) {
    const [owner, name] = r.full_name.split('/') as [string, string];
    const repo = { owner, repo: name };
    let defaultBranch: string;
    let sha: string;
    try {
      defaultBranch = (await octokit.request('GET /repos/{owner}/{repo}', repo)).data.default_branch;
      sha = (await octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repo, branch: defaultBranch })).data.commit.sha;
    } catch (error) {
      if (isStatus(error, 404) || isStatus(error, 409)) continue; // gone, or empty (no commits yet)
      throw error;
    }
    const decide = (configuration: string, decision: string, reason: string, prebuildId: number | null = null) =>
      deps.store.recordDecision({ deliveryId, ...repo, sha, event: 'installation', configuration, decision, reason, prebuildId });
    const resolved = await loadConfigurations(deps, octokit, repo, sha, defaultBranch, { deliveryId, event: 'installation' });
    if (resolved.source !== '.github/prebuilds.yml') {
      await decide('*', 'skipped', 'installed: no .github/prebuilds.yml, so the first push prebuilds');
      continue;
    }
    for (const c of resolved.configurations.filter((x) => branchMatches(x.settings, defaultBranch))) {
      const outcome = await deps.scheduler.request(
        requestFor(c, { ...repo, installationId: payload.installation.id, branch: defaultBranch, sha, prNumber: null, trigger: 'manual', deliveryId }),
      );
      // The lane starts here: the next push counts from this prebuild.
      await deps.store.setLane(repo, c.settings.name, defaultBranch, { commitsSinceTrigger: 0, lastIdentity: c.identity, lastSeq: input.seq, lastRun: true });
      await decide(c.settings.name, outcome.decision, `installed: first prebuild of the default branch; ${outcome.reason}`, outcome.prebuild.id);
    }
  }
}
