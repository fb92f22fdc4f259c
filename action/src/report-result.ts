/**
 * Prebuild mode's report to the app (`POST {app-url}/api/prebuilds/{id}/result`, contract
 * in src/api/result-report.ts): the action's result, authenticated with the job's GitHub
 * Actions OIDC token. When the run then completes with conclusion `success`, the app
 * takes the result from this report and makes no request to read the run's jobs.
 * Best effort: never fails the step, at most {@link RESULT_REPORT_TIMEOUT_MS}; without
 * the `app-url` input, the permission or a dispatched prebuild id, or when the app cannot
 * be reached, the app reads the result from the run as before (the result step's name,
 * else the result annotation).
 */
import { RESULT_REPORT_TIMEOUT_MS, resultReportPath } from '../../src/api/result-report.js';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { postToApp, type ReportDeps } from './app-report.js';
import { Env } from './constants.js';

/**
 * Sends the result.
 * @param appUrl the app's URL (`app-url` input), empty to not report
 * @param audience the token's audience (`audience` input, the app's `PREBUILDS_OIDC_AUDIENCE`)
 * @param timeoutMs default {@link RESULT_REPORT_TIMEOUT_MS}
 * @returns whether the app kept it
 */
export async function reportResult(
  appUrl: string,
  audience: string,
  result: PrebuildResult,
  env: NodeJS.ProcessEnv,
  deps: ReportDeps,
  timeoutMs = RESULT_REPORT_TIMEOUT_MS,
): Promise<boolean> {
  const not = 'The result was not reported to the app (it reads it from the run instead)';
  if (!appUrl) {
    deps.info(`${not}: set the app-url input (and permissions: id-token: write) to save the app a request`);
    return false;
  }
  if (!/^[1-9]\d{0,15}$/.test(result.prebuildId)) {
    deps.info(`${not}: prebuild ${result.prebuildId} was not dispatched by the app`);
    return false;
  }
  if (!env[Env.IdTokenRequestUrl]) {
    deps.warning(`${not}: the job has no OIDC token (add permissions: id-token: write to the workflow or job)`);
    return false;
  }
  const sent = await postToApp(appUrl, resultReportPath(result.prebuildId), audience, result, deps, timeoutMs);
  if (!sent.ok) {
    deps.warning(`${not}: ${sent.reason}`);
    return false;
  }
  deps.info(`Result reported to the app (prebuild #${result.prebuildId})`);
  return true;
}
