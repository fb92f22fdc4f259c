/**
 * The one set of test identifiers: the app, its webhook secret, the repository
 * every app test works on (octo/app on installation 1) and a second one on
 * another installation (other/lib on installation 2), and commit shas.
 */

/** The GitHub App under test. */
export const APP_ID = 1;
/** The webhook secret shared by the app and the GitHub fake. */
export const WEBHOOK_SECRET = 'webhook-secret';
/** The repository of the tests, as the app's `RepoRef`. */
export const REPO = { owner: 'octo', repo: 'app' };
/** The installation covering {@link REPO}. */
export const INSTALLATION_ID = 1;
/** A repository on another installation. */
export const OTHER = { owner: 'other', repo: 'lib' };
/** The installation covering {@link OTHER}. */
export const OTHER_INSTALLATION_ID = 2;

/** A 40-hex sha from a number (commit `n` of a test repository). */
export const sha = (n: number): string => n.toString(16).padStart(40, '0');
/** The all-zero sha of a push that creates or deletes a branch. */
export const ZERO_SHA = '0'.repeat(40);
/** Two fixed commits. */
export const SHA_A = 'a'.repeat(40);
export const SHA_B = 'b'.repeat(40);
