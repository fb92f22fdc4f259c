/**
 * The restore report contract between restore mode (action/src/report-restore.ts) and
 * the app (`POST /api/restores`, src/api/restores.ts): one JSON object per use of a
 * prebuild, sent with the job's GitHub Actions OIDC token as the bearer token. Pure,
 * so the action's bundle inlines it.
 */

/** Where restore mode reports, under the app's URL. */
export const RESTORE_REPORT_PATH = '/api/restores';

/** The OIDC audience restore mode asks for and the app requires, unless both are configured otherwise. */
export const DEFAULT_RESTORE_AUDIENCE = 'prebuilds-for-github';

/** Largest restore report body the app reads, bytes. */
export const MAX_RESTORE_REPORT_BYTES = 4096;

/** What restore mode sends. Durations ms. */
export interface RestoreReportBody {
  /** The configuration's name (as in .github/prebuilds.yml). */
  configuration: string;
  /** Full sha of the commit the job made ready. */
  sha: string;
  /** `exact`, `ancestor` or `miss` (the action's `prebuild-hit` output says `none` for a miss). */
  hit: 'exact' | 'ancestor' | 'miss';
  /** Commit of the restored prebuild, null for a miss. */
  prebuildSha: string | null;
  /** Finding and restoring the snapshot, no hooks. */
  restoreMs: number;
  /** restoreMs plus the prebuild hooks (onCreateCommand, updateContentCommand) the job still ran: what it spent instead of the cold path. */
  spentMs: number;
}
