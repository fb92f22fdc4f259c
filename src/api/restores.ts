/**
 * `POST /api/restores`: restore mode reports each use of a prebuild (issue 13 item 5).
 * Authenticated with the job's GitHub Actions OIDC token ({@link ActionsTokenVerifier}),
 * accepted only for repositories of the app's installations; the time saved is
 * computed here, against the configuration's measured cold time.
 */
import type { IncomingMessage } from 'node:http';
import type { PrebuildRecord, RepoRef, RestoreRecord } from '../store/types.js';
import { bearerToken } from './auth.js';
import type { ManagementDeps } from './deps.js';
import { ApiError, badRequest, notFound } from './http.js';
import type { ActionsTokenVerifier } from './oidc.js';
import { MAX_RESTORE_REPORT_BYTES, type RestoreReportBody } from './restore-report.js';
import { onlyKeys, parseConfiguration, parseFullName, parseSha } from './validate.js';

/** Prebuild hooks whose durations make up a cold start (the ones a prebuild runs ahead). */
const PREBUILD_HOOKS = ['onCreateCommand', 'updateContentCommand'];

/**
 * The configuration's measured cold time, ms: its newest successful prebuild built from
 * scratch (no base), as the sum of its onCreateCommand and updateContentCommand
 * durations, else its run duration; null when it has none among the newest 100.
 */
export async function coldTimeMs(m: ManagementDeps, repo: RepoRef, configuration: string): Promise<number | null> {
  const prebuilds = await m.app.store.listPrebuilds({ ...repo, configuration, states: ['success', 'expired'], limit: 100 });
  const full = prebuilds.find((p: PrebuildRecord) => p.baseKey === null && (p.hooks !== null || p.durationMs !== null));
  if (!full) return null;
  const hooks = PREBUILD_HOOKS.map((h) => full.hooks?.[h]).filter((d): d is number => typeof d === 'number');
  return hooks.length > 0 ? hooks.reduce((a, b) => a + b, 0) : full.durationMs;
}

/** Reads a body of at most {@link MAX_RESTORE_REPORT_BYTES}. @throws ApiError 413, 415, 400 */
async function readReport(req: IncomingMessage): Promise<RestoreReportBody> {
  if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new ApiError(415, 'the request body must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESTORE_REPORT_BYTES) throw new ApiError(413, `a restore report is at most ${MAX_RESTORE_REPORT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('body', 'not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  onlyKeys(b, ['configuration', 'sha', 'hit', 'prebuildSha', 'restoreMs', 'spentMs']);
  const hit = b.hit === 'none' ? 'miss' : b.hit;
  if (hit !== 'exact' && hit !== 'ancestor' && hit !== 'miss') throw badRequest('hit', 'must be exact, ancestor or miss');
  const duration = (k: 'restoreMs' | 'spentMs') => {
    const v = b[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 7 * 86_400_000) throw badRequest(k, 'must be a whole number of milliseconds');
    return v;
  };
  const sha = parseSha(b.sha);
  if (sha.length !== 40) throw badRequest('sha', 'must be a full 40-character sha');
  const prebuildSha = hit === 'miss' || b.prebuildSha === null || b.prebuildSha === undefined ? null : parseSha(b.prebuildSha, 'prebuildSha');
  if (hit !== 'miss' && prebuildSha === null) throw badRequest('prebuildSha', 'a hit names the prebuild it restored');
  return { configuration: parseConfiguration(b.configuration), sha, hit, prebuildSha, restoreMs: duration('restoreMs'), spentMs: duration('spentMs') };
}

/**
 * Handles `POST /api/restores`.
 * @returns 201 with the record, or 200 with the one already recorded for this token
 * @throws ApiError 401 (no or invalid token), 404 (the token's repository is not one of
 *   the app's installations), 400/413/415 (bad body), 503 (the issuer's keys unreachable)
 */
export async function reportRestore(
  m: ManagementDeps,
  verifier: ActionsTokenVerifier,
  req: IncomingMessage,
): Promise<{ status: number; body: { restore: RestoreRecord } }> {
  const claims = await verifier.verify(bearerToken(req));
  const repo = parseFullName(claims.repository);
  let installationId = await m.app.store.repositoryInstallation(repo);
  if (installationId === null && m.findInstallation) {
    try {
      installationId = await m.findInstallation(repo);
    } catch (error) {
      m.app.log.warn({ err: error, repo }, 'could not look up the installation of a repository');
      throw new ApiError(502, `could not ask GitHub about ${claims.repository}`);
    }
  }
  if (installationId === null) throw notFound(`repository ${claims.repository} is not in one of the app's installations`);
  const report = await readReport(req);
  const coldMs = await coldTimeMs(m, repo, report.configuration);
  const savedMs = report.hit !== 'miss' && coldMs !== null ? coldMs - report.spentMs : 0;
  const { record, created } = await m.app.store.recordRestore({
    ...repo,
    installationId,
    repositoryId: claims.repositoryId,
    configuration: report.configuration,
    sha: report.sha,
    hit: report.hit,
    prebuildSha: report.prebuildSha,
    spentMs: report.spentMs,
    coldMs,
    savedMs,
    runId: claims.runId,
    runAttempt: claims.runAttempt,
    reportId: claims.jti,
    createdAt: m.now?.(),
  });
  return { status: created ? 201 : 200, body: { restore: record } };
}
