/**
 * Which credentials an `oci:` store uses for its registry:
 * 1. what `docker login` wrote: `auths[REGISTRY]` in `$DOCKER_CONFIG/config.json`
 *    (default `~/.docker/config.json`), its base64 `auth` or `username` / `password`
 *    (credential helpers, `credsStore`, are not run);
 * 2. for GHCR (`ghcr.io`), a GitHub token: the action's `token` input (the job's
 *    `GITHUB_TOKEN`; `packages: write` to push, `packages: read` to pull), else
 *    `GITHUB_TOKEN` in the environment, as `GITHUB_ACTOR`;
 * 3. none: anonymous (public images, a local registry).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RegistryCredentials } from './registry-client.js';

/**
 * The credentials for `registry` (see the module comment), or `null` for anonymous access.
 * @param githubToken a GitHub token to use for ghcr.io (the action's `token` input)
 */
export function registryCredentials(registry: string, env: NodeJS.ProcessEnv, githubToken?: string): RegistryCredentials | null {
  const configFile = path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json');
  try {
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { auths?: Record<string, { auth?: string; username?: string; password?: string }> };
    const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`];
    if (entry?.auth) {
      const [username, ...rest] = Buffer.from(entry.auth, 'base64').toString('utf8').split(':');
      if (username && rest.length > 0) return { username, password: rest.join(':') };
    }
    if (entry?.username && entry.password) return { username: entry.username, password: entry.password };
  } catch {
    // no docker config: carry on
  }
  const token = githubToken || env.GITHUB_TOKEN;
  if (registry === 'ghcr.io' && token) return { username: env.GITHUB_ACTOR || 'prebuilds', password: token };
  return null;
}
