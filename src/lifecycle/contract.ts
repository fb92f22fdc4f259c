/**
 * The contract between the app and the action, in one module both import:
 * - the inputs the app dispatches `prebuild.yml` with (`on.workflow_dispatch.inputs`,
 *   which the workflow hands to the action under the same names);
 * - the run name the workflow gives its run (`run-name`), which carries the prebuild id
 *   and configuration so the app can match a run it could not learn the id of;
 * - the result the action reports back (a notice annotation, see `result.ts`).
 */
export { decodeResult, encodeResult, RESULT_ANNOTATION_TITLE, type PrebuildResult } from './result.js';

/** Names of the `workflow_dispatch` inputs `prebuild.yml` declares and the action reads. */
export const DispatchInputs = {
  Configuration: 'configuration',
  Sha: 'sha',
  Base: 'base',
  PrebuildId: 'prebuild-id',
} as const;

/** The inputs of one dispatch (all strings, as `workflow_dispatch` takes them). */
export type PrebuildInputs = { [K in (typeof DispatchInputs)[keyof typeof DispatchInputs]]: string };

/**
 * The run name `prebuild.yml` gives: `Prebuild #<id> (<configuration>) <sha>`
 * (`run-name: "Prebuild #${{ inputs.prebuild-id }} (${{ inputs.configuration }}) ${{ inputs.sha }}"`).
 */
export function runName(inputs: PrebuildInputs): string {
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
