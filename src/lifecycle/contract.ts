/**
 * The contract between the app and the action, in one module both import:
 * - the inputs the app dispatches `prebuild.yml` with (`on.workflow_dispatch.inputs`,
 *   which the workflow hands to the action under the same names);
 * - the run name the workflow gives its run (`run-name`), which carries the prebuild id
 *   and configuration so the app can match a run it could not learn the id of;
 * - the result the action reports back: posted to the app with the job's OIDC token
 *   (`POST /api/prebuilds/{id}/result`, src/api/result-report.ts), which spares the app
 *   any request when the run succeeds; the action's `result` output, which the workflow's
 *   last step carries in its name (`prebuild-result <JSON>`), so the app reads it from the
 *   run's job listing with one request when there is no report; and, for workflows
 *   without that step, a notice annotation (see `result.ts`).
 */
import { decodeResult, encodeResult, RESULT_ANNOTATION_TITLE, type PrebuildResult } from './result.js';

export { decodeResult, encodeResult, RESULT_ANNOTATION_TITLE, type PrebuildResult };

/** The action's output holding the whole result ({@link encodeResult}); the workflow's result step names itself after it. */
export const RESULT_OUTPUT = 'result';

/** The id the shipped workflow gives the action's step, so the result step can read its output. */
export const PREBUILD_STEP_ID = 'prebuild';

/**
 * The name of the workflow's result step: `prebuild-result <result JSON>`, from
 * `name: "prebuild-result ${{ steps.prebuild.outputs.result }}"` (GitHub evaluates a
 * step's name when the step starts, with the earlier steps' outputs; the job listing,
 * `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs`, returns it in `steps[].name`).
 */
export function resultStepName(result: PrebuildResult): string {
  return `${RESULT_ANNOTATION_TITLE} ${encodeResult(result)}`;
}

/** The result a step name of the {@link resultStepName} form carries; null for any other name (or a cut one). */
export function parseResultStepName(name: string): PrebuildResult | null {
  const prefix = `${RESULT_ANNOTATION_TITLE} `;
  return name.startsWith(prefix) ? decodeResult(name.slice(prefix.length)) : null;
}

/**
 * Names of the `workflow_dispatch` inputs `prebuild.yml` declares. The action reads each
 * one except those in {@link JOB_INPUTS}. Keep them within 10 (GitHub Enterprise Server's
 * limit; github.com allows 25 since December 2025) so users can add their own.
 */
export const DispatchInputs = {
  Configuration: 'configuration',
  Sha: 'sha',
  Base: 'base',
  PrebuildId: 'prebuild-id',
  /** The configuration's `timeoutMinutes`: the job's `timeout-minutes` (empty: 60). */
  TimeoutMinutes: 'timeout-minutes',
  /**
   * Snapshot keys (space-separated, see {@link encodeExpiredKeys}) whose prebuilds retention
   * expired when the app dispatched this run (SPEC.md rule 7): the action deletes them from
   * the Actions cache with the job's token, so the app makes no request for them.
   */
  Expire: 'expire',
} as const;

/** Inputs the workflow applies to the job itself (`jobs.prebuild.timeout-minutes`), not handed to the action. */
export const JOB_INPUTS: readonly string[] = [DispatchInputs.TimeoutMinutes];

/**
 * Inputs a workflow copied before they were added may not declare: the app dispatches it
 * again without them (GitHub refuses unknown inputs) and does their work itself (its own
 * timeout applies; the app deletes the expired snapshots).
 */
export const OPTIONAL_INPUTS: readonly string[] = [DispatchInputs.TimeoutMinutes, DispatchInputs.Expire];

/** Most snapshot keys one dispatch hands over (keys are ≤ ~170 characters; the app deletes any beyond). */
export const MAX_EXPIRED_KEYS = 20;

/** The `expire` input's value: the keys, space-separated (snapshot keys contain no spaces). */
export function encodeExpiredKeys(keys: readonly string[]): string {
  return keys.join(' ');
}

/** The keys an `expire` input carries (empty input: none). */
export function decodeExpiredKeys(value: string): string[] {
  return value.split(/\s+/).filter(Boolean);
}

/** The inputs of one dispatch (all strings, as `workflow_dispatch` takes them). */
export type PrebuildInputs = { [K in (typeof DispatchInputs)[keyof typeof DispatchInputs]]: string };

/**
 * The run name `prebuild.yml` gives: `Prebuild #<id> (<configuration>) <sha>`
 * (`run-name: "Prebuild #${{ inputs.prebuild-id }} (${{ inputs.configuration }}) ${{ inputs.sha }}"`).
 */
export function runName(inputs: Pick<PrebuildInputs, 'prebuild-id' | 'configuration' | 'sha'>): string {
  return `Prebuild #${inputs['prebuild-id']} (${inputs.configuration}) ${inputs.sha}`;
}

/** What a run name says: the prebuild id (null for a run started by hand) and the configuration ('' when not given). */
export interface ParsedRunName {
  prebuildId: number | null;
  configuration: string;
}

const RUN_NAME = /^Prebuild #(\d*) \((.*)\)(?: \S*)?$/;

/**
 * Parses a run name of the {@link runName} form; null for any other name. A run started
 * from the Actions tab without inputs is `Prebuild # () ` (id and configuration empty).
 */
export function parseRunName(name: string): ParsedRunName | null {
  const m = RUN_NAME.exec(name.trim());
  if (!m) return null;
  return { prebuildId: m[1] ? Number(m[1]) : null, configuration: m[2]!.trim() };
}
