/**
 * GitHub App endpoints (app JWT): an installation's access token
 * (`POST /app/installations/{installation_id}/access_tokens`) and the
 * installation covering a repository (`GET /repos/{owner}/{repo}/installation`).
 */
import { APP_PERMISSIONS, installationObject, iso } from '../payloads/common.js';
import { json, notFound, type Route } from '../router.js';
import type { StandInState } from '../state.js';
import { repoOf } from './repos.js';

/** The installations the stand-in knows: the app's default one and each repository's. */
function installations(state: StandInState): Map<number, string> {
  const out = new Map<number, string>([[state.app.installationId, state.ownerLogin]]);
  for (const r of state.repos.values()) out.set(r.installationId, r.owner);
  return out;
}

/** The app routes. */
export function appRoutes(state: StandInState): Route[] {
  return [
    {
      method: 'POST',
      template: '/app/installations/{installation_id}/access_tokens',
      auth: 'app',
      handle: (req) => {
        if (!installations(state).has(Number(req.params.installation_id))) return notFound();
        const { token, expiresAt } = state.issueToken();
        return json(201, { token, expires_at: iso(expiresAt), permissions: { ...APP_PERMISSIONS }, repository_selection: 'selected' });
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/installation',
      auth: 'app',
      handle: (req) => {
        const repo = repoOf(state, req);
        return repo ? json(200, installationObject(state, repo.installationId, repo.owner, iso(new Date('2024-01-01T00:00:00Z')))) : notFound();
      },
    },
  ];
}
