/**
 * Verifies GitHub Actions OIDC tokens (the JWT a job with `permissions: id-token: write`
 * gets from `core.getIDToken(audience)`), with `jose`: the issuer's signing keys come
 * from its discovery document (`{issuer}/.well-known/openid-configuration` → `jwks_uri`),
 * and the token's `iss`, `aud`, `exp`/`nbf` and signature are checked. GitHub's claims:
 * https://docs.github.com/en/actions/reference/security/oidc#oidc-token-claims
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ApiError } from './http.js';

/** GitHub.com's Actions token issuer (GHES: `https://HOST/_services/token`). */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** How the app checks the tokens of the action's reports, restores and prebuild results (src/env.ts reads them). */
export interface ActionsTokenOptions {
  /** The issuer URL, default {@link GITHUB_ACTIONS_ISSUER}. */
  issuer: string;
  /** The audience the action asks for and the app requires (`aud`). */
  audience: string;
  /** How long fetching the discovery document or the keys may take, ms (default 5000). */
  timeoutMs?: number;
}

/** The claims of a verified token that the app uses. */
export interface ActionsClaims {
  /** `owner/name` of the repository whose workflow ran the job. */
  repository: string;
  repositoryId: string;
  /** Unique per token: reports sent twice with one token are recorded once. */
  jti: string;
  runId: string | null;
  runAttempt: number | null;
  /** The commit the workflow run is for (`sha` claim). */
  sha: string | null;
  /** `owner/repo/.github/workflows/FILE@REF` (`workflow_ref` claim): the workflow file the job ran. */
  workflowRef: string | null;
  /** The event that started the run (`event_name` claim: `workflow_dispatch` for a dispatched prebuild). */
  eventName: string | null;
  /** The ref the run ran on (`ref` claim: `refs/heads/BRANCH` for a dispatch on a branch). */
  ref: string | null;
}

/** Verifies Actions OIDC tokens against one issuer; the keys are fetched once and refreshed by jose when a new key id appears. */
export class ActionsTokenVerifier {
  private keys: Promise<JWTVerifyGetKey> | null = null;

  constructor(readonly options: ActionsTokenOptions) {}

  /** The issuer's key set, from its discovery document (retried on the next call after a failure). */
  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const timeoutMs = this.options.timeoutMs ?? 5000;
      const url = `${this.options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: unknown };
      if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} names no jwks_uri`);
      return createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: timeoutMs });
    })();
    this.keys.catch(() => (this.keys = null));
    return this.keys;
  }

  /**
   * Verifies a token and returns its claims.
   * @throws ApiError 401 when there is no token or it is not a valid token of the issuer
   *   for the audience (expired, wrong audience, bad signature, missing repository claims);
   *   503 when the issuer's keys cannot be fetched
   */
  async verify(token: string | null): Promise<ActionsClaims> {
    if (!token) throw new ApiError(401, 'a GitHub Actions OIDC token is required (Authorization: Bearer; the job needs permissions: id-token: write)');
    let keys: JWTVerifyGetKey;
    try {
      keys = await this.keySet();
    } catch (error) {
      throw new ApiError(503, `could not fetch the signing keys of ${this.options.issuer}: ${(error as Error).message}`);
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: this.options.issuer, audience: this.options.audience, algorithms: ['RS256'] }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'ERR_JWT_INVALID';
      throw new ApiError(
        401,
        `the OIDC token was refused (${code}): it must be a GitHub Actions token of ${this.options.issuer} for the audience "${this.options.audience}"`,
      );
    }
    const str = (k: string) => (typeof payload[k] === 'string' && payload[k] !== '' ? (payload[k] as string) : null);
    const repository = str('repository');
    const repositoryId = str('repository_id');
    const jti = str('jti');
    if (!repository || !/^[\w.-]+\/[\w.-]+$/.test(repository) || !repositoryId || !/^\d+$/.test(repositoryId) || !jti)
      throw new ApiError(401, 'the OIDC token has no repository, repository_id or jti claim: it is not a GitHub Actions job token');
    const attempt = Number(str('run_attempt'));
    return {
      repository,
      repositoryId,
      jti,
      runId: str('run_id'),
      runAttempt: Number.isSafeInteger(attempt) && attempt > 0 ? attempt : null,
      sha: str('sha'),
      workflowRef: str('workflow_ref'),
      eventName: str('event_name'),
      ref: str('ref'),
    };
  }
}
