import type { IncomingMessage } from 'node:http';
import type { Principal } from './auth.js';
import { cancelPrebuild, deleteConfiguration, deletePrebuild, pauseConfiguration, rerunPrebuild, triggerPrebuilds, updateConfiguration } from './commands.js';
import type { ManagementDeps } from './deps.js';
import { readJson } from './http.js';
import { getConfiguration, getPrebuild, listConfigurations, listDecisions, listPrebuilds, prebuildLog, valueReport } from './queries.js';
import type { Route } from './router.js';
import {
  onlyKeys,
  onlyParams,
  parseBranch,
  parseConfiguration,
  parseConfigurationSegment,
  parseConfigurationUpdate,
  parseFullName,
  parseId,
  parseLimit,
  parsePeriod,
  parseRepo,
  parseSha,
  parseStates,
} from './validate.js';

/** What an API route handler gets: the request, its query, the caller and the app. */
export interface ApiContext {
  req: IncomingMessage;
  query: URLSearchParams;
  principal: Principal;
  m: ManagementDeps;
}

/** A route's answer: the status (default 200) and the JSON body. */
export interface ApiReply {
  status: number;
  body: unknown;
}

const ok = (body: unknown, status = 200): ApiReply => ({ status, body });
const repoOf = (p: Record<string, string>) => parseRepo(p.owner!, p.repo!);
const R = '/api/repos/{owner}/{repo}';
const C = `${R}/configurations/{name}`;

/**
 * Every route of the management API (JSON in, JSON out). Documented in
 * docs/api.md; errors are `{ "error": "...", "field"?: "..." }` with 400 (bad input,
 * naming the field), 401 (no or bad token), 404 (also for what the token is not
 * scoped to: it cannot tell which repositories have the app), 405, 409 (state conflict), 413, 415, 502 (GitHub refused).
 */
export const API_ROUTES: Route<ApiContext>[] = [
  {
    method: 'GET',
    template: '/api/prebuilds',
    async handle({ m, principal, query }) {
      onlyParams(query, ['repository', 'configuration', 'branch', 'status', 'cursor', 'limit']);
      const get = (k: string) => query.get(k);
      return ok(
        await listPrebuilds(m, principal, {
          repo: get('repository') !== null ? parseFullName(get('repository')!) : undefined,
          configuration: get('configuration') !== null ? parseConfiguration(get('configuration')) : undefined,
          branch: get('branch') !== null ? parseBranch(get('branch')) : undefined,
          states: get('status') !== null ? parseStates(get('status')!) : undefined,
          cursor: get('cursor') !== null ? parseId(get('cursor'), 'cursor') : undefined,
          limit: parseLimit(get('limit')),
        }),
      );
    },
  },
  {
    method: 'GET',
    template: '/api/prebuilds/{id}',
    handle: async ({ m, principal, query }, p) => (onlyParams(query, []), ok(await getPrebuild(m, principal, parseId(p.id)))),
  },
  { method: 'DELETE', template: '/api/prebuilds/{id}', handle: async ({ m, principal }, p) => ok(await deletePrebuild(m, principal, parseId(p.id))) },
  { method: 'GET', template: '/api/prebuilds/{id}/logs', handle: async ({ m, principal }, p) => ok(await prebuildLog(m, principal, parseId(p.id))) },
  { method: 'POST', template: '/api/prebuilds/{id}/rerun', handle: async ({ m, principal }, p) => ok(await rerunPrebuild(m, principal, parseId(p.id)), 202) },
  { method: 'POST', template: '/api/prebuilds/{id}/cancel', handle: async ({ m, principal }, p) => ok(await cancelPrebuild(m, principal, parseId(p.id))) },
  { method: 'GET', template: `${R}/configurations`, handle: async ({ m, principal }, p) => ok(await listConfigurations(m, principal, repoOf(p))) },
  { method: 'GET', template: C, handle: async ({ m, principal }, p) => ok(await getConfiguration(m, principal, repoOf(p), parseConfigurationSegment(p.name))) },
  {
    method: 'PATCH',
    template: C,
    async handle({ m, principal, req }, p) {
      const repo = repoOf(p);
      const name = parseConfigurationSegment(p.name);
      return ok(await updateConfiguration(m, principal, repo, name, parseConfigurationUpdate(await readJson(req))));
    },
  },
  {
    method: 'DELETE',
    template: C,
    handle: async ({ m, principal }, p) => ok(await deleteConfiguration(m, principal, repoOf(p), parseConfigurationSegment(p.name))),
  },
  {
    method: 'POST',
    template: `${C}/pause`,
    handle: async ({ m, principal }, p) => ok(await pauseConfiguration(m, principal, repoOf(p), parseConfigurationSegment(p.name), true)),
  },
  {
    method: 'POST',
    template: `${C}/resume`,
    handle: async ({ m, principal }, p) => ok(await pauseConfiguration(m, principal, repoOf(p), parseConfigurationSegment(p.name), false)),
  },
  {
    method: 'POST',
    template: `${R}/prebuilds`,
    async handle({ m, principal, req }, p) {
      const repo = repoOf(p);
      const body = await readJson(req);
      onlyKeys(body, ['branch', 'sha', 'configuration']);
      const started = await triggerPrebuilds(m, principal, repo, {
        branch: body.branch !== undefined ? parseBranch(body.branch) : undefined,
        sha: body.sha !== undefined ? parseSha(body.sha) : undefined,
        configuration: body.configuration !== undefined ? parseConfiguration(body.configuration) : undefined,
      });
      return ok({ prebuilds: started }, 202);
    },
  },
  {
    method: 'GET',
    template: `${R}/decisions/{sha}`,
    handle: async ({ m, principal }, p) => ok({ decisions: await listDecisions(m, principal, repoOf(p), parseSha(p.sha)) }),
  },
  {
    method: 'GET',
    template: `${R}/report`,
    async handle({ m, principal, query }, p) {
      onlyParams(query, ['period']);
      return ok(await valueReport(m, principal, repoOf(p), parsePeriod(query.get('period'))));
    },
  },
];
