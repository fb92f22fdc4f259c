/**
 * A local GitHub Actions OIDC issuer (the stand-in for
 * https://token.actions.githubusercontent.com), served over real HTTP on 127.0.0.1:
 * the discovery document, the key set (RS256 keys made with `jose`), and the runner's
 * token request endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`, answered for the bearer
 * `ACTIONS_ID_TOKEN_REQUEST_TOKEN` with `{ "value": JWT }`, as @actions/core's
 * `getIDToken(audience)` expects). Tokens carry GitHub's claim set:
 * https://docs.github.com/en/actions/reference/security/oidc#oidc-token-claims
 */
import { generateKeyPair, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** The job a token is for: GitHub's custom claims (strings, as GitHub sends them). */
export interface JobClaims {
  repository: string;
  repository_id: string;
  repository_owner: string;
  repository_owner_id: string;
  ref: string;
  sha: string;
  run_id: string;
  run_number: string;
  run_attempt: string;
  workflow: string;
  event_name: string;
  actor: string;
  actor_id: string;
  /** `owner/repo/.github/workflows/FILE@REF`; default: `workflow` read as the file name. */
  workflow_ref?: string;
  [claim: string]: string | undefined;
}

/** A started issuer; {@link LocalActionsIssuer.stop} closes it. */
export class LocalActionsIssuer {
  private readonly jobs = new Map<string, JobClaims>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly key: KeyObject,
    private readonly jwk: JWK,
  ) {}

  /** Starts an issuer on 127.0.0.1 (a free port). */
  static async start(): Promise<LocalActionsIssuer> {
    const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: randomUUID(), alg: 'RS256', use: 'sig' };
    let issuer: LocalActionsIssuer | null = null;
    const server = createServer((req, res) => {
      void issuer!.answer(req.url ?? '/', String(req.headers.authorization ?? '')).then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    issuer = new LocalActionsIssuer(server, url, privateKey, jwk);
    return issuer;
  }

  private async answer(path: string, authorization: string): Promise<[number, unknown]> {
    const u = new URL(path, this.url);
    if (u.pathname === '/.well-known/openid-configuration')
      return [
        200,
        {
          issuer: this.url,
          jwks_uri: `${this.url}/.well-known/jwks`,
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['id_token'],
        },
      ];
    if (u.pathname === '/.well-known/jwks') return [200, { keys: [this.jwk] }];
    if (u.pathname === '/token') {
      const job = this.jobs.get(authorization.replace(/^Bearer\s+/i, ''));
      if (!job) return [401, { message: 'bad request token' }];
      return [200, { value: await this.mint(job, u.searchParams.get('audience') ?? `https://github.com/${job.repository_owner}`) }];
    }
    return [404, { message: 'not found' }];
  }

  /**
   * Signs a token for a job, with GitHub's standard and custom claims: a compact JWS, RS256
   * (RFC 7515/7518), signed with `node:crypto` in the calling thread (through WebCrypto, as
   * `jose` signs, each token cost the benchmarks twice the CPU).
   * @param lifetimeS seconds until `exp` (GitHub: 5 minutes); negative for an expired token
   */
  async mint(job: JobClaims, audience: string, lifetimeS = 300): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      ...job,
      sub: `repo:${job.repository}:ref:${job.ref}`,
      ref_type: job.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      repository_visibility: 'private',
      runner_environment: 'self-hosted',
      // GitHub's `workflow` claim is the workflow's name; `workflow_ref` names its file.
      workflow_ref: job.workflow_ref ?? `${job.repository}/.github/workflows/${job.workflow}@${job.ref}`,
      job_workflow_ref: job.workflow_ref ?? `${job.repository}/.github/workflows/${job.workflow}@${job.ref}`,
      iss: this.url,
      aud: audience,
      jti: randomUUID(),
      iat: now,
      nbf: now - 5,
      exp: now + lifetimeS,
    };
    const header = { alg: 'RS256', kid: this.jwk.kid!, typ: 'JWT' };
    const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), this.key).toString('base64url')}`;
  }

  /** The two variables a runner sets for a job granted `id-token: write`. */
  jobEnvironment(job: JobClaims): { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string } {
    const token = randomBytes(24).toString('base64url');
    this.jobs.set(token, job);
    return { ACTIONS_ID_TOKEN_REQUEST_URL: `${this.url}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
