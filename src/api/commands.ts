import crypto from 'node:crypto';
import { deleteSnapshotEverywhere, sweepCachesParts } from '../prebuilds/snapshots.js';
import { defaultBranchOf, resolveCommit } from '../github/repos.js';
import { readConfigurations } from '../prebuilds/configurations.js';
import { decision, decisionLog } from '../prebuilds/decisions.js';
import { cancelPrebuilds } from '../prebuilds/ended.js';
import { offerFrom, offerOf, requestPrebuilds, type RequestOutcome } from '../prebuilds/request.js';
import { laneOf, type ScheduleOutcome } from '../scheduler/scheduler.js';
import type { ConfigurationOverrides, RepoRef } from '../store/types.js';
import { ACTIVE_STATES } from '../store/types.js';
import type { Principal } from './auth.js';
import { githubFailure, inRepoQueue, prebuildAccess, repoAccess, type ManagementDeps } from './deps.js';
import { ApiError, notFound } from './http.js';
import { getConfiguration, knownConfiguration } from './queries.js';
import type { ConfigurationUpdate } from './validate.js';
import { prebuildView, type ConfigurationView, type PrebuildView } from './views.js';

/**
 * The write side of the management API, shared with the Prebuilds page's forms.
 * Each function checks the token's scope, runs in the repository's queue (never
 * interleaving with its webhooks) and records a decision (SPEC.md rule 10).
 */

const OPEN_STATES = ['waiting', ...ACTIVE_STATES] as const;

/** A prebuild started by a person, and what the scheduler said. */
export interface StartedPrebuild {
  prebuild: PrebuildView;
  decision: ScheduleOutcome['decision'];
  reason: string;
}

/** What the scheduler did with one offer of a person's request. */
function started(m: ManagementDeps, o: RequestOutcome): StartedPrebuild {
  const s = o.scheduled!;
  return { prebuild: prebuildView(s.prebuild, m.webUrl), decision: s.decision, reason: s.reason };
}

/** `PATCH …/configurations/{name}`: sets or clears overrides, pauses or resumes. */
export async function updateConfiguration(
  m: ManagementDeps,
  principal: Principal,
  repo: RepoRef,
  name: string,
  update: ConfigurationUpdate,
): Promise<ConfigurationView> {
  await repoAccess(m, principal, repo);
  await knownConfiguration(m, repo, name);
  await inRepoQueue(m, repo, async () => {
    const current = await m.app.store.getOverrides(repo, name);
    const next: ConfigurationOverrides = { ...current, ...update.set };
    for (const key of update.clear) delete next[key];
    await m.app.store.setOverrides(repo, name, next);
    if (update.paused !== undefined) await setPaused(m, repo, name, update.paused);
  });
  return getConfiguration(m, principal, repo, name);
}

/** `POST …/configurations/{name}/pause` and `/resume`. Resuming starts what waited. */
export async function pauseConfiguration(m: ManagementDeps, principal: Principal, repo: RepoRef, name: string, paused: boolean): Promise<ConfigurationView> {
  await repoAccess(m, principal, repo);
  await knownConfiguration(m, repo, name);
  await inRepoQueue(m, repo, () => setPaused(m, repo, name, paused));
  return getConfiguration(m, principal, repo, name);
}

async function setPaused(m: ManagementDeps, repo: RepoRef, name: string, paused: boolean): Promise<void> {
  const { store, scheduler } = m.app;
  await store.setConfigurationState(repo, name, { paused });
  if (paused) return;
  const waiting = await store.listPrebuilds({ ...repo, configuration: name, states: ['waiting'], limit: 1000 });
  const lanes = new Map(waiting.map((p) => [p.branch, laneOf(p)]));
  for (const lane of lanes.values()) await scheduler.advance(lane);
}

/** What deleting a configuration removed. */
export interface DeletedConfiguration {
  configuration: string;
  overridesDeleted: boolean;
  /** Snapshot keys deleted (their prebuilds are now `expired`). */
  snapshotsDeleted: string[];
  /** Snapshots kept because a waiting or running prebuild uses them as its base (SPEC.md rule 7). */
  snapshotsKept: string[];
}

/**
 * `DELETE …/configurations/{name}`: deletes the overrides and every held snapshot
 * (`DELETE /repos/{owner}/{repo}/actions/caches?key=`), except bases of open prebuilds.
 * The configuration file is untouched: the next push prebuilds again.
 */
export async function deleteConfiguration(m: ManagementDeps, principal: Principal, repo: RepoRef, name: string): Promise<DeletedConfiguration> {
  const installationId = await repoAccess(m, principal, repo);
  await knownConfiguration(m, repo, name);
  return inRepoQueue(m, repo, async () => {
    const { store } = m.app;
    const overridesDeleted = Object.keys(await store.getOverrides(repo, name)).length > 0;
    await store.setOverrides(repo, name, null);
    const [held, open] = await Promise.all([
      store.listPrebuilds({ ...repo, configuration: name, states: ['success'], limit: 1000 }),
      store.listPrebuilds({ ...repo, configuration: name, states: [...OPEN_STATES], limit: 1000 }),
    ]);
    const inUse = new Set(open.map((p) => p.baseKey).filter(Boolean));
    const out: DeletedConfiguration = { configuration: name, overridesDeleted, snapshotsDeleted: [], snapshotsKept: [] };
    const octokit = await m.app.octokitFor(installationId);
    for (const p of held) {
      if (!p.snapshotKey) continue;
      if (inUse.has(p.snapshotKey)) {
        out.snapshotsKept.push(p.snapshotKey);
        continue;
      }
      try {
        await deleteSnapshotEverywhere({ octokit, repo, dirs: m.app.dirStores ?? [] }, p.snapshotKey);
      } catch (error) {
        throw githubFailure(m, error, `delete the snapshot ${p.snapshotKey}`);
      }
      await store.updatePrebuild(p.id, { state: 'expired', reason: 'snapshot deleted through the management API' });
      out.snapshotsDeleted.push(p.snapshotKey);
    }
    await sweepParts(
      m,
      installationId,
      repo,
      name,
      held.map((p) => p.cachesKey),
    );
    m.app.log.info(
      { repo, configuration: name, deleted: out.snapshotsDeleted.length, token: principal.tokenId },
      'configuration overrides and snapshots deleted',
    );
    return out;
  });
}

/**
 * `DELETE /api/prebuilds/{id}`: deletes one prebuild's snapshot; the record stays, `expired`.
 * @throws ApiError 409 for a prebuild still waiting or running (cancel it) or one used as a base
 */
export async function deletePrebuild(m: ManagementDeps, principal: Principal, id: number): Promise<PrebuildView> {
  const p = await prebuildAccess(m, principal, id);
  const repo = { owner: p.owner, repo: p.repo };
  return inRepoQueue(m, repo, async () => {
    const { store } = m.app;
    const fresh = (await store.getPrebuild(id))!;
    if ((OPEN_STATES as readonly string[]).includes(fresh.state)) throw new ApiError(409, `prebuild #${id} is ${fresh.state}: cancel it first`);
    if (fresh.state !== 'success' || !fresh.snapshotKey) throw new ApiError(409, `prebuild #${id} holds no snapshot (status ${fresh.state})`);
    const open = await store.listPrebuilds({ ...repo, configuration: fresh.configuration, states: [...OPEN_STATES], limit: 1000 });
    const user = open.find((o) => o.baseKey === fresh.snapshotKey);
    if (user) throw new ApiError(409, `prebuild #${user.id} uses this snapshot as its base; try again when it ends`);
    try {
      const octokit = await m.app.octokitFor(fresh.installationId);
      await deleteSnapshotEverywhere({ octokit, repo, dirs: m.app.dirStores ?? [] }, fresh.snapshotKey);
    } catch (error) {
      throw githubFailure(m, error, `delete the snapshot ${fresh.snapshotKey}`);
    }
    const done = await store.updatePrebuild(id, { state: 'expired', reason: 'snapshot deleted through the management API' });
    await sweepParts(m, done.installationId, repo, done.configuration, [fresh.cachesKey]);
    await decisionLog(store, { deliveryId: null, ...repo, sha: done.sha, event: 'manual' }).record(
      decision.ended(done, 'deleted', `snapshot of prebuild #${id} deleted by token "${principal.name}"`),
    );
    return prebuildView(done, m.webUrl);
  });
}

/**
 * `POST /api/prebuilds/{id}/cancel`: cancels a waiting or running prebuild (its run is cancelled too).
 * @throws ApiError 409 when it already ended
 */
export async function cancelPrebuild(m: ManagementDeps, principal: Principal, id: number): Promise<PrebuildView> {
  const p = await prebuildAccess(m, principal, id);
  return inRepoQueue(m, { owner: p.owner, repo: p.repo }, async () => {
    const fresh = (await m.app.store.getPrebuild(id))!;
    if (!(OPEN_STATES as readonly string[]).includes(fresh.state)) throw new ApiError(409, `prebuild #${id} already ended (${fresh.state})`);
    const reason = `cancelled through the management API by token "${principal.name}"`;
    const [done] = await cancelPrebuilds(m.app, { deliveryId: null, owner: p.owner, repo: p.repo, sha: p.sha, event: 'manual' }, [fresh], reason);
    return prebuildView(done!, m.webUrl);
  });
}

/** `POST /api/prebuilds/{id}/rerun`: a manual prebuild of the same configuration and commit (SPEC.md rule 8). */
export async function rerunPrebuild(m: ManagementDeps, principal: Principal, id: number): Promise<StartedPrebuild> {
  const old = await prebuildAccess(m, principal, id);
  const repo = { owner: old.owner, repo: old.repo };
  return inRepoQueue(m, repo, async () => {
    const [outcome] = await requestPrebuilds(m.app, {
      event: 'manual',
      deliveryId: `api:${crypto.randomUUID()}`,
      repo,
      installationId: old.installationId,
      sha: old.sha,
      branch: old.branch,
      prNumber: old.prNumber,
      trigger: 'manual',
      offers: [offerFrom(old)],
      rule: () => ({ run: true, reason: `rerun of prebuild #${id} by token "${principal.name}"` }),
      skipPrebuilt: false,
    });
    return started(m, outcome!);
  });
}

/** What to prebuild on request: a branch (its head) or a sha, optionally one configuration. */
export interface TriggerRequest {
  branch?: string;
  sha?: string;
  configuration?: string;
}

/**
 * `POST /api/repos/{owner}/{repo}/prebuilds`: resolves the commit (`GET /repos/{owner}/{repo}`,
 * `GET /repos/{owner}/{repo}/commits/{ref}`), reads the configurations at that commit
 * (a broken file gets its failing check run, as on push), and requests a manual prebuild
 * of each (or of the one named). Branch globs and intervals do not apply: a person asked.
 * @throws ApiError 404 when the branch, commit or configuration does not exist
 */
export async function triggerPrebuilds(m: ManagementDeps, principal: Principal, repo: RepoRef, req: TriggerRequest): Promise<StartedPrebuild[]> {
  const installationId = await repoAccess(m, principal, repo);
  const octokit = await m.app.octokitFor(installationId);
  let defaultBranch: string;
  let sha: string | null;
  try {
    defaultBranch = await defaultBranchOf(octokit, repo);
    sha = await resolveCommit(octokit, repo, req.sha ?? req.branch ?? defaultBranch);
  } catch (error) {
    throw githubFailure(m, error, `resolve ${req.sha ?? req.branch ?? 'the default branch'}`);
  }
  if (!sha) throw notFound(req.sha ? `commit ${req.sha} does not exist in ${repo.owner}/${repo.repo}` : `branch ${req.branch ?? defaultBranch} does not exist`);
  const branch = req.branch ?? defaultBranch;
  const deliveryId = `api:${crypto.randomUUID()}`;
  return inRepoQueue(m, repo, async () => {
    let resolved;
    try {
      resolved = await readConfigurations(m.app, octokit, repo, sha, defaultBranch, { deliveryId, event: 'manual' });
    } catch (error) {
      throw githubFailure(m, error, `read the configuration at ${sha.slice(0, 7)}`);
    }
    const chosen = resolved.configurations.filter((c) => !req.configuration || c.settings.name === req.configuration);
    if (chosen.length === 0) {
      const why = resolved.problems.length ? ` (the configuration has ${resolved.problems.length} problem(s); see the check run)` : '';
      throw notFound(
        req.configuration
          ? `no configuration named "${req.configuration}" at ${sha.slice(0, 7)}${why}`
          : `no prebuild configuration at ${sha.slice(0, 7)}${why}`,
      );
    }
    const outcomes = await requestPrebuilds(m.app, {
      event: 'manual',
      deliveryId,
      repo,
      installationId,
      sha,
      branch,
      prNumber: null,
      trigger: 'manual',
      offers: chosen.map(offerOf),
      rule: () => ({ run: true, reason: `manual prebuild of ${branch} requested by token "${principal.name}"` }),
      skipPrebuilt: false,
    });
    return outcomes.map((o) => started(m, o));
  });
}

/**
 * After snapshots were deleted: deletes the package caches parts among `candidates`
 * that no kept snapshot names (src/prebuilds/snapshots.ts). A failure is logged: the
 * snapshots are gone, and a part left behind is deleted by a later sweep or evicted.
 */
async function sweepParts(m: ManagementDeps, installationId: number, repo: RepoRef, configuration: string, candidates: Array<string | null>): Promise<void> {
  try {
    const octokit = await m.app.octokitFor(installationId);
    await sweepCachesParts({ octokit, repo, dirs: m.app.dirStores ?? [] }, m.app.store, configuration, candidates);
  } catch (err) {
    m.app.log.warn({ err, repo, configuration }, 'could not delete the package caches parts of deleted snapshots');
  }
}
