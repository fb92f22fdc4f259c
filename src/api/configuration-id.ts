/**
 * URL-safe ids of configurations. A configuration's name is whatever
 * `.github/prebuilds.yml` gives it (1–100 characters: `Bob's env`, `front end/web`,
 * `données`, even `..`), which no URL path segment can carry reliably: `/` and `%2F`
 * are rewritten by proxies, and `.`, `..` and `%2e%2e` are removed by URL
 * normalisation. The API, the CLI and the page address a configuration by its id:
 *
 * - a name of letters, digits, `.`, `_` and `-` starting with a letter or digit is its own id
 *   (`devcontainer`, `python-3.12`), so ordinary URLs stay readable;
 * - any other name is `~` followed by the base64url of its UTF-8 bytes (`Bob's env` →
 *   `~Qm9iJ3MgZW52`). `~` is unreserved in URLs (RFC 3986 §2.3) and starts no readable id.
 *
 * Shared by the app (routes, page) and the CLI so both sides agree.
 */

const READABLE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ENCODED = /^~[A-Za-z0-9_-]+$/;

/** The URL-safe id of a configuration name (see the module comment). */
export function configurationId(name: string): string {
  return READABLE.test(name) ? name : `~${Buffer.from(name, 'utf8').toString('base64url')}`;
}

/**
 * The configuration name a (URI-decoded) path segment stands for: an id made by
 * {@link configurationId}, or, for clients that percent-encode the name instead, the name
 * itself when it does not start with `~`.
 * @returns null for a `~` segment that is not the canonical id of any name
 */
export function configurationFromId(segment: string): string | null {
  if (!segment.startsWith('~')) return segment;
  if (!ENCODED.test(segment)) return null;
  const name = Buffer.from(segment.slice(1), 'base64url').toString('utf8');
  return configurationId(name) === segment ? name : null;
}
