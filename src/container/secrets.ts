/**
 * Secrets for lifecycle commands inside the dev container (SPEC.md `secrets`, container
 * mode). The named secrets reach the hooks through @devcontainers/cli's `--secrets-file`
 * (a JSON object of name → value): the CLI adds them to each lifecycle command's
 * environment and masks them in its log, and they are not part of the container's
 * configuration (no `-e` on `docker run`, no `containerEnv`), so `docker commit` does not
 * keep them. The file lives in a fresh 0700 directory, is written 0600 and is removed when
 * the run ends; {@link imageSecretLeaks} checks the committed image's configuration and
 * history before anything is pushed. Node-only, shared by the action and the CLI.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MIN_SCANNED_LENGTH, type SecretValue } from '../lifecycle/snapshot/secret-scan.js';
import { docker } from './tools.js';

/**
 * The named secrets present in `env` (the action put them there: action/src/secrets.ts;
 * for `prebuilds up`, the caller's environment), as name → value.
 */
export function namedSecrets(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** A written secrets file: its path (absent when there were no secrets) and its removal. */
export interface SecretsFile {
  file: string | undefined;
  /** Removes the file and its directory (never throws). */
  remove(): Promise<void>;
}

/**
 * Writes `secrets` to `<a new 0700 directory under parent>/secrets.json`, mode 0600.
 * No secrets: no file (`file` undefined).
 * @param parent directory for the temporary directory (default: the OS temp dir)
 * @throws Error when the file cannot be written (nothing is left behind)
 */
export async function writeSecretsFile(secrets: Record<string, string>, parent: string = os.tmpdir()): Promise<SecretsFile> {
  if (Object.keys(secrets).length === 0) return { file: undefined, remove: async () => undefined };
  const dir = await mkdtemp(path.join(parent, 'prebuilds-secrets-'));
  const remove = () => rm(dir, { recursive: true, force: true }).catch(() => undefined);
  try {
    await chmod(dir, 0o700);
    const file = path.join(dir, 'secrets.json');
    await writeFile(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
    return { file, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/**
 * The secrets whose value appears in an image's configuration (env, labels, entrypoint,
 * cmd…) or in its history (the commands that made each layer): names only.
 * Values shorter than {@link MIN_SCANNED_LENGTH} are not looked for.
 * @throws ToolError when the image cannot be inspected
 */
export async function imageSecretLeaks(reference: string, secrets: readonly SecretValue[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const scanned = secrets.filter((s) => s.value.length >= MIN_SCANNED_LENGTH);
  if (scanned.length === 0) return [];
  const config = (await docker(['image', 'inspect', '--format', '{{json .Config}}', reference], { env })).stdout;
  const history = (await docker(['history', '--no-trunc', '--format', '{{.CreatedBy}} {{.Comment}}', reference], { env })).stdout;
  const text = `${config}\n${history}`;
  // JSON escapes some characters: look for the raw value and its JSON form.
  return scanned.filter((s) => text.includes(s.value) || text.includes(JSON.stringify(s.value).slice(1, -1))).map((s) => s.name);
}
