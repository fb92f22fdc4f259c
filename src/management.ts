import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Probot } from 'probot';
import { apiHandler } from './api/index.js';
import type { ManagementDeps } from './api/deps.js';
import { ActionsTokenVerifier, type ActionsTokenOptions } from './api/oidc.js';
import type { Octokit } from './github/octokit.js';
import { repositoryInstallationId } from './github/repos.js';
import type { Runtime } from './runtime.js';
import { pageHandler } from './web/index.js';
import { defaultRestoreReportOptions } from './env.js';

/**
 * The collaborators of the management API and the Prebuilds page, from the
 * running app: its store, scheduler and Octokits, the repository queues of the
 * delivery processor, and the app-authenticated lookup of a repository's installation.
 */
export function managementDeps(app: Probot, runtime: Runtime, restoreReports: ActionsTokenOptions = defaultRestoreReportOptions()): ManagementDeps {
  return {
    actionsTokens: new ActionsTokenVerifier(restoreReports),
    app: runtime.deps,
    findInstallation: async (repo) => repositoryInstallationId((await app.auth()) as unknown as Octokit, repo),
    exclusive: (key, fn) => runtime.processor.exclusive(key, fn),
  };
}

/**
 * One Probot 14 server handler for `/api/…` (JSON API) and `/prebuilds/…` (the page);
 * returns false for every other path.
 */
export function managementHandler(
  app: Probot,
  runtime: Runtime,
  restoreReports?: ActionsTokenOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const m = managementDeps(app, runtime, restoreReports);
  const api = apiHandler(m);
  const page = pageHandler(m);
  return async (req, res) => (await api(req, res)) || (await page(req, res));
}
