/**
 * The contract between the app and the action, in one module both import:
 * - the inputs the app dispatches `prebuild.yml` with (`on.workflow_dispatch.inputs`,
 *   which the workflow hands to the action under the same names);
 * - the run name the workflow gives its run (`run-name`), which carries the prebuild id
 *   and configuration so the app can match a run it could not learn the id of;
 * - the result the action reports back (a notice annotation, see `result.ts`).
 */
export { decodeResult, encodeResult, RESULT_ANNOTATION_TITLE, type PrebuildResult } from './result.js';

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
} as const;

/** Inputs the workflow applies to the job itself (`jobs.prebuild.timeout-minutes`), not handed to the action. */
export const JOB_INPUTS: readonly string[] = [DispatchInputs.TimeoutMinutes];

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
