/**
 * `POST /api/prebuilds/{id}/result`: prebuild mode reports its result to the app
 * (contract in src/api/result-report.ts), authenticated with the job's GitHub Actions
 * OIDC token ({@link ActionsTokenVerifier}: issuer, audience, expiry, RS256 signature
 * against the issuer's keys). The checks that tie the token to the prebuild's run
 * (repository, run id, workflow, event) are src/prebuilds/run-report.ts's.
 */
import type { IncomingMessage } from 'node:http';
import { recordRunReport, RunReportRefused } from '../prebuilds/run-report.js';
import { bearerToken } from './auth.js';
import type { ManagementDeps } from './deps.js';
import { ApiError, readText } from './http.js';
import type { ActionsTokenVerifier } from './oidc.js';
import { parseId } from './validate.js';

/** What the app answers a result report with. */
export interface ResultReportReply {
  /** The prebuild the report was kept for. */
  prebuildId: number;
  /** The run and attempt it came from (the token's claims). */
  runId: number;
  runAttempt: number | null;
}

/**
 * Handles `POST /api/prebuilds/{id}/result`.
 * @param id the path's `{id}` segment
 * @returns 201 for a new report, 200 for one already kept (the same token sent again)
 * @throws ApiError 401 (no, expired or invalid token, wrong audience), 403 (the token's
 *   repository, run or workflow is not the prebuild's dispatched run), 404 (no such
 *   prebuild), 409 (the prebuild ended), 400/413/415 (bad body), 503 (the issuer's keys unreachable)
 */
export async function reportResult(
  m: ManagementDeps,
  verifier: ActionsTokenVerifier,
  req: IncomingMessage,
  id: string,
): Promise<{ status: number; body: { result: ResultReportReply } }> {
  const claims = await verifier.verify(bearerToken(req));
  const prebuildId = parseId(id);
  if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new ApiError(415, 'the request body must be application/json');
  const body = await readText(req);
  try {
    const { prebuild, created } = await recordRunReport(m.app, prebuildId, claims, body, m.now?.());
    const report = prebuild.runReport!;
    return { status: created ? 201 : 200, body: { result: { prebuildId: prebuild.id, runId: report.runId, runAttempt: report.runAttempt } } };
  } catch (error) {
    if (error instanceof RunReportRefused) throw new ApiError(error.status, error.message, error.field);
    throw error;
  }
}
