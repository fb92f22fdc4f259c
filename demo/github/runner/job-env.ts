/**
 * The environment variables and step names of a job, as a runner sets them.
 */
import { join } from 'node:path';
import type { JobClaims } from '../oidc-issuer.js';
import type { JobRun } from './job.js';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isBasicExpression } from '@actions/workflow-parser/templates/tokens/type-guards';
import type { JobSpec, WorkflowFile } from './workflow.js';
import type { StepSpec } from './workflow.js';

/**
 * A step's display name before it runs: `name:` (its text, expressions as written),
 * else `Run <uses>` / `Run <first script line>`.
 */
export function stepName(s: StepSpec): string {
  if (s.name) return literalText(s.name);
  if (s.uses) return `Run ${s.uses}`;
  return `Run ${literalText(s.run).split('\n')[0]}`;
}

function literalText(token: TemplateToken | undefined): string {
  if (token === undefined) return '';
  if (isBasicExpression(token)) return token.source ?? `\${{ ${token.expression} }}`;
  return String((token as unknown as { value?: unknown }).value ?? '');
}

/** The `GITHUB_*` / `RUNNER_*` variables of a job. */
export function runnerVariables(
  j: JobRun,
  github: Record<string, unknown>,
  dirs: { workspace: string; runnerTemp: string; eventPath: string; root: string },
): Record<string, string> {
  const g = (k: string) => String(github[k] ?? '');
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_SHA: g('sha'),
    GITHUB_REF: g('ref'),
    GITHUB_REF_NAME: g('ref_name'),
    GITHUB_REF_TYPE: g('ref_type'),
    GITHUB_REPOSITORY: g('repository'),
    GITHUB_REPOSITORY_OWNER: g('repository_owner'),
    GITHUB_REPOSITORY_ID: g('repository_id'),
    GITHUB_RUN_ID: g('run_id'),
    GITHUB_RUN_NUMBER: g('run_number'),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: j.job.key,
    GITHUB_WORKFLOW: g('workflow'),
    GITHUB_WORKFLOW_REF: g('workflow_ref'),
    GITHUB_ACTOR: g('actor'),
    GITHUB_TRIGGERING_ACTOR: g('triggering_actor'),
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: dirs.eventPath,
    GITHUB_SERVER_URL: g('server_url'),
    GITHUB_API_URL: g('api_url'),
    GITHUB_GRAPHQL_URL: g('graphql_url'),
    GITHUB_RETENTION_DAYS: '90',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: j.options.runnerName,
    RUNNER_ENVIRONMENT: 'self-hosted',
    RUNNER_TEMP: dirs.runnerTemp,
    RUNNER_TOOL_CACHE: join(dirs.root, '_tool'),
    RUNNER_WORKSPACE: join(dirs.root, 'work', j.repo.name),
  };
}

/**
 * Whether a job may request an OIDC token: its `permissions:` (else the workflow's)
 * is `write-all` or grants `id-token: write`. Without any `permissions:` GitHub's default
 * token permissions never include id-token.
 */
export function grantsIdToken(wf: Pick<WorkflowFile, 'permissions'>, spec: Pick<JobSpec, 'permissions'>): boolean {
  const p = spec.permissions !== undefined ? spec.permissions : wf.permissions;
  if (p === 'write-all') return true;
  return typeof p === 'object' && p !== null && (p as Record<string, unknown>)['id-token'] === 'write';
}

/** GitHub's OIDC claims of a job of the run whose `github` context is given (what a token of the job carries). */
export function jobClaimsOf(github: Record<string, unknown>): JobClaims {
  const g = (k: string) => String(github[k] ?? '');
  return {
    repository: g('repository'),
    repository_id: g('repository_id'),
    repository_owner: g('repository_owner'),
    repository_owner_id: g('repository_owner_id'),
    ref: g('ref'),
    sha: g('sha'),
    run_id: g('run_id'),
    run_number: g('run_number'),
    run_attempt: g('run_attempt') || '1',
    workflow: g('workflow'),
    workflow_ref: g('workflow_ref'),
    event_name: g('event_name') || 'workflow_dispatch',
    actor: g('actor'),
    actor_id: g('actor_id'),
  };
}

/**
 * `ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN` for a job granted `id-token: write` when the
 * stand-in has an issuer, with GitHub's claims for the job; `{}` otherwise.
 */
export function oidcVariables(j: JobRun, github: Record<string, unknown>): Record<string, string> {
  const issuer = j.options.oidcIssuer;
  if (!issuer || !grantsIdToken(j.wf, j.spec)) return {};
  return issuer.jobEnvironment(jobClaimsOf(github));
}
