/**
 * The result report contract between prebuild mode (action/src/report-result.ts) and the
 * app (`POST /api/prebuilds/{id}/result`, src/api/results.ts): the action's result
 * (src/lifecycle/result.ts `PrebuildResult`, the JSON of its `result` output) sent as
 * the body, with the job's GitHub Actions OIDC token as the bearer token. When the
 * run completes with conclusion `success`, the app takes the result from the report it
 * verified instead of listing the run's jobs: one GitHub request less per prebuild.
 * Pure, so the action's bundle inlines it.
 */

/** Where a prebuild run reports its result, under the app's URL (`{id}` the `prebuild-id` input). */
export function resultReportPath(prebuildId: string | number): string {
  return `/api/prebuilds/${encodeURIComponent(String(prebuildId))}/result`;
}

/** The path template of {@link resultReportPath}, as the API's router matches it. */
export const RESULT_REPORT_TEMPLATE = '/api/prebuilds/{id}/result';

/**
 * How long the action spends reporting its result at most (token and request), ms: the
 * report only saves the app a request; the run's outcome reaches the app without it.
 */
export const RESULT_REPORT_TIMEOUT_MS = 5000;
