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
import { postToApp, type ReportDeps } from './app-report.js';
import { Env } from './constants.js';

export type { ReportDeps };

/** What the restore did, from restore mode's or container restore mode's outcome. Durations ms. */
export interface RestoreFacts {
  hit: PrebuildHit;
  prebuildSha: string | null;
  restoreMs: number;
  /** Durations of the prebuild hooks the job ran itself (onCreateCommand, updateContentCommand), ms. */
  prebuildHooksMs: number;
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
  const sent = await postToApp(appUrl, RESTORE_REPORT_PATH, audience, body, deps, 15_000);
  if (!sent.ok) {
    deps.warning(`This restore was not reported to the app: ${sent.reason}`);
    return false;
  }
  deps.info(`Restore reported to the app (${body.hit})`);
  return true;
}
