/**
 * Restore mode's report to the app (`POST {app-url}/api/restores`, contract in
 * src/api/restore-report.ts): configuration, commit, hit kind, the prebuild restored
 * and what the job spent, authenticated with the job's GitHub Actions OIDC token
 * (`core.getIDToken(audience)`; the workflow needs `permissions: id-token: write`).
 * Never fails the step: without the `app-url` input or the permission, or when the app
 * cannot be reached, restore mode works the same and says it did not report.
 */
import { RESTORE_REPORT_PATH, type RestoreReportBody } from '../../src/api/restore-report.js';
import type { PrebuildHit } from '../../src/lifecycle/restore-plan.js';
import { Env } from './constants.js';

/** What the restore did, from restore mode's or container restore mode's outcome. Durations ms. */
export interface RestoreFacts {
  hit: PrebuildHit;
  prebuildSha: string | null;
  restoreMs: number;
  /** Durations of the prebuild hooks the job ran itself (onCreateCommand, updateContentCommand), ms. */
  prebuildHooksMs: number;
}

/** What {@link reportRestore} needs from its surroundings (the action passes @actions/core and fetch). */
export interface ReportDeps {
  getIDToken(audience: string): Promise<string>;
  fetch: typeof fetch;
  info(message: string): void;
  warning(message: string): void;
}

/**
 * Sends the report.
 * @param appUrl the app's URL (`app-url` input), empty to not report
 * @returns whether the app recorded it
 */
export async function reportRestore(
  appUrl: string,
  audience: string,
  configuration: string,
  sha: string,
  facts: RestoreFacts,
  env: NodeJS.ProcessEnv,
  deps: ReportDeps,
): Promise<boolean> {
  if (!appUrl) {
    deps.info('This restore was not reported to the app: set the app-url input (and permissions: id-token: write) to count it in the value report');
    return false;
  }
  if (!env[Env.IdTokenRequestUrl]) {
    deps.warning('This restore was not reported to the app: the job has no OIDC token (add permissions: id-token: write to the workflow or job)');
    return false;
  }
  const body: RestoreReportBody = {
    configuration,
    sha,
    hit: facts.hit === 'none' ? 'miss' : facts.hit,
    prebuildSha: facts.hit === 'none' ? null : facts.prebuildSha,
    restoreMs: Math.round(facts.restoreMs),
    spentMs: Math.round(facts.restoreMs + facts.prebuildHooksMs),
  };
  try {
    const token = await deps.getIDToken(audience);
    const res = await deps.fetch(`${appUrl.replace(/\/+$/, '')}${RESTORE_REPORT_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = (await res.text()).replace(/\s+/g, ' ').slice(0, 500);
    if (!res.ok) {
      deps.warning(`This restore was not reported to the app: HTTP ${res.status} ${text}`);
      return false;
    }
    deps.info(`Restore reported to the app (${body.hit})`);
    return true;
  } catch (error) {
    deps.warning(`This restore was not reported to the app: ${(error as Error).message}`);
    return false;
  }
}
