import { branchHead } from '../github/repos.js';
import { readConfigurations } from '../prebuilds/configurations.js';
import { decision, decisionLog } from '../prebuilds/decisions.js';
import { offerOf, requestPrebuilds } from '../prebuilds/request.js';
import { installationRule } from '../prebuilds/rules.js';
import type { AppDeps, HandlerInput } from './types.js';

/**
 * `installation` `created` and `installation_repositories` `added`: repositories that
 * opted in with `.github/prebuilds.yml` get their first prebuilds at once, for the
 * default branch's head (Codespaces runs the prebuild workflow when a configuration is
 * saved; Daytona when a prebuild is added), and their schedules are registered.
 * Repositories without the file wait for their first push, so installing on many
 * repositories dispatches nothing unasked. Calls per repository:
 * `GET /repos/{owner}/{repo}`, `GET …/branches/{branch}`, the configuration reads, then
 * the dispatches.
 */
export async function handleInstallation(deps: AppDeps, input: HandlerInput<'installation'> | HandlerInput<'installation_repositories'>): Promise<void> {
  const { payload, octokit, deliveryId } = input;
  const repositories = 'repositories_added' in payload ? payload.repositories_added : payload.repositories;
  if (payload.action !== ('repositories_added' in payload ? 'added' : 'created')) return;
  for (const r of repositories ?? []) {
    const [owner, name] = r.full_name.split('/') as [string, string];
    const repo = { owner, repo: name };
    const head = await branchHead(octokit, repo);
    if (!head) continue; // gone, or empty (no commits yet)
    const decisions = decisionLog(deps.store, { deliveryId, ...repo, sha: head.sha, event: 'installation' });
    const resolved = await readConfigurations(deps, octokit, repo, head.sha, head.defaultBranch, { deliveryId, event: 'installation' });
    if (resolved.source !== '.github/prebuilds.yml') {
      await decisions.record(decision.installedWithoutFile());
      continue;
    }
    await requestPrebuilds(deps, {
      event: 'installation',
      deliveryId,
      repo,
      installationId: payload.installation.id,
      sha: head.sha,
      branch: head.defaultBranch,
      prNumber: null,
      trigger: 'manual',
      offers: resolved.configurations.map(offerOf),
      rule: installationRule(head.defaultBranch, input.seq),
      registerSchedules: true,
    });
  }
}
