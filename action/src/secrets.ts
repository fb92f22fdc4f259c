/**
 * Secrets for lifecycle commands (SPEC.md `secrets`). The shipped workflow passes
 * every secret of the run as one JSON object (`secrets: ${{ toJSON(secrets) }}`), so
 * nobody lists them twice. The action
 * - masks every value in the log (`core.setSecret`), named or not;
 * - gives the hooks only the secrets the configuration names, as environment
 *   variables, and never the action's own inputs that carry secrets
 *   (`INPUT_SECRETS`, `INPUT_TOKEN`);
 * - gives a fork's code none at all: GitHub gives fork `pull_request` runs no
 *   secrets, but a `pull_request_target` run has them while its checkout may be
 *   the fork's head;
 * - hands every value to the snapshot save, which refuses a snapshot holding one
 *   (src/lifecycle/snapshot/secret-scan.ts).
 */
import { readFileSync } from 'node:fs';
import type { SecretValue } from '../../src/lifecycle/snapshot/secret-scan.js';
import { Env, Inputs } from './constants.js';

/** What the action does with the run's secrets. */
export interface PrebuildSecrets {
  /** Environment for the hooks: the runner's, minus secret-carrying inputs, plus the named secrets. */
  hookEnv: NodeJS.ProcessEnv;
  /** Every value received (the snapshot must contain none of them). */
  values: SecretValue[];
  /** Names the configuration asked for that the run did not have. */
  missing: string[];
  /** Why the hooks got no secrets, when they got none on purpose (a fork). */
  withheld: string | null;
}

/** Runner variables holding action inputs that carry secrets (the runner upper-cases input names). */
const SECRET_INPUT_VARS = [Inputs.Secrets, Inputs.Token].map((name) => `INPUT_${name.toUpperCase()}`);

/**
 * Parses the `secrets` input: empty, or a JSON object of string values.
 * @throws Error that never quotes the input (it holds secret values)
 */
export function parseSecretsInput(input: string): Record<string, string> {
  if (input.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    throw new Error(`The "${Inputs.Secrets}" input is not JSON: pass \${{ toJSON(secrets) }}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`The "${Inputs.Secrets}" input must be a JSON object: pass \${{ toJSON(secrets) }}`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) if (typeof v === 'string' && v !== '') out[name] = v;
  return out;
}

/**
 * Why the checked-out code may be a fork's, from the event payload
 * (`GITHUB_EVENT_PATH`): a pull request whose head repository is not its base
 * repository. `null` otherwise, and when the payload cannot be read.
 */
export function forkReason(env: NodeJS.ProcessEnv): string | null {
  const file = env[Env.EventPath];
  if (!file) return null;
  let event: { pull_request?: { head?: { repo?: { full_name?: string } | null }; base?: { repo?: { full_name?: string } } } };
  try {
    event = JSON.parse(readFileSync(file, 'utf8')) as typeof event;
  } catch {
    return null;
  }
  const pr = event.pull_request;
  if (!pr) return null;
  const head = pr.head?.repo?.full_name;
  const base = pr.base?.repo?.full_name;
  if (head && base && head === base) return null;
  return `the pull request comes from ${head ?? 'a deleted fork'}, not ${base ?? 'this repository'}: forks never get secrets`;
}

/**
 * Decides the hooks' environment and the values the snapshot must not hold.
 * @param all every secret of the run (parsed `secrets` input)
 * @param named the configuration's `secrets`
 * @param env the runner's environment
 */
export function prebuildSecrets(all: Record<string, string>, named: readonly string[], env: NodeJS.ProcessEnv): PrebuildSecrets {
  const hookEnv: NodeJS.ProcessEnv = { ...env };
  for (const v of SECRET_INPUT_VARS) delete hookEnv[v];
  const values = Object.entries(all).map(([name, value]) => ({ name, value }));
  const withheld = named.length > 0 ? forkReason(env) : null;
  const missing: string[] = [];
  if (!withheld) {
    for (const name of named) {
      // GitHub's `secrets` context keys are the names as created (upper case); match case-insensitively like GitHub does.
      const found = Object.keys(all).find((k) => k.toUpperCase() === name.toUpperCase());
      if (found === undefined) missing.push(name);
      else hookEnv[name] = all[found];
    }
  }
  return { hookEnv, values, missing, withheld };
}

/** Where {@link applySecrets} reports (the action passes @actions/core). */
export interface SecretsLog {
  /** Registers a value to be masked in the log (`core.setSecret`). */
  mask(value: string): void;
  warning(message: string): void;
}

/**
 * Reads the `secrets` input, masks every value, and decides what the hooks get
 * ({@link prebuildSecrets}); warns about named secrets the run lacks and about
 * secrets withheld from a fork.
 * @throws Error when the input is not a JSON object (without quoting it)
 */
export function applySecrets(input: string, named: readonly string[], env: NodeJS.ProcessEnv, log: SecretsLog): PrebuildSecrets {
  const all = parseSecretsInput(input);
  for (const value of Object.values(all)) log.mask(value);
  const secrets = prebuildSecrets(all, named, env);
  if (secrets.withheld) log.warning(`Lifecycle commands get none of the secrets ${named.join(', ')}: ${secrets.withheld}`);
  if (secrets.missing.length > 0) {
    log.warning(
      `Secrets named in .github/prebuilds.yml are not set for this run: ${secrets.missing.join(', ')} ` +
        `(create them in the repository or organisation settings, and pass secrets: \${{ toJSON(secrets) }} to the action)`,
    );
  }
  return secrets;
}
