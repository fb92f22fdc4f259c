/**
 * The configuration module (see README.md for the contract): `.github/prebuilds.yml`,
 * devcontainer.json and `.gitpod.yml` → {@link ResolvedConfiguration}s with a
 * content identity. Pure: no probot, no @actions/*; shared by the app, the action
 * and the CLI.
 */
import type { ConfigProblem } from './model.js';

export * from './model.js';
export { parseDevcontainer, isLocalFeature, type ParseResult } from './devcontainer.js';
export { parseGitpod } from './gitpod.js';
export {
  parsePrebuildsYml,
  deriveName,
  defaultSettings,
  PREBUILDS_YML,
  DEFAULT_DEVCONTAINER,
  type PrebuildsYmlResult,
  type EntryLocation,
} from './prebuilds-yml.js';
export {
  resolveConfigurations,
  resolveConfiguration,
  findEnvironmentFiles,
  parseEnvironment,
  ROOT_DEVCONTAINER,
  GITPOD_YML,
  type ResolveOptions,
  type EnvironmentFileRef,
} from './resolve.js';
export { localFileSource, memoryFileSource, PathOutsideRepositoryError } from './file-source.js';
export {
  substitute,
  substituteDeep,
  substituteCommand,
  unnamedEnvironmentReferences,
  type SubstitutionVariables,
  type UnnamedReference,
} from './substitute.js';
export { computeIdentity, canonicalJson, identitySettings, IDENTITY_VERSION, type IdentityResult } from './identity.js';
export { singleCommands, WAIT_FOR_HOOKS } from './commands.js';
export { PREBUILDS_SCHEMA } from './schema.js';
export { cronProblem } from './cron.js';

/**
 * One problem on one line, the way compilers print them:
 * `file:line:column: message (at keyPath)`; the suffix only when a key path is known.
 */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}${p.keyPath ? ` (at ${p.keyPath})` : ''}`;
}
