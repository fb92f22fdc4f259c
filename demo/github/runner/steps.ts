/**
 * The step kinds a job runs: `actions/checkout` (done with git against the bare
 * repository), this product's action (a child `node` process, with the inputs
 * of `action.yml`), and `run:` scripts (bash, like a runner's default shell).
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { actionParser } from './libraries.js';

/** What a step needs from the job executing it. */
export interface StepHost {
  workspace: string;
  runnerTemp: string;
  /** The bare repository (`origin` of checkouts). */
  bareDir: string;
  /** Appends a line to the job log (masked, timestamped). */
  log(line: string): void;
  /**
   * Runs a process as part of the step; its output goes to the log and its
   * workflow commands are processed. Resolves with the exit code.
   */
  exec(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<number>;
}

/** Whether `uses:` names actions/checkout (any version). */
export function isCheckout(uses: string): boolean {
  return /^actions\/checkout@/i.test(uses);
}

/** Whether `uses:` names this product's action: a path ending in `/action` or `./action` (a `@ref` is ignored). */
export function isProductAction(uses: string): boolean {
  const path = uses.replace(/@[^/]*$/, '');
  return path === './action' || path.endsWith('/action');
}

/**
 * `actions/checkout`: init a repository in the workspace (or `with.path`), fetch
 * `with.ref` (default: the run's sha) from the bare repository at `fetch-depth`
 * (default 1; 0 = all history), check it out detached.
 */
export async function checkout(host: StepHost, withArgs: Record<string, string>, defaultRef: string, env: Record<string, string>): Promise<number> {
  const dir = resolve(host.workspace, withArgs.path ?? '.');
  await mkdir(dir, { recursive: true });
  const ref = withArgs.ref || defaultRef;
  const depth = Number(withArgs['fetch-depth'] ?? 1);
  const url = `file://${host.bareDir}`;
  const refspec = /^[0-9a-f]{40}$/i.test(ref)
    ? `+${ref}:refs/remotes/origin/checkout`
    : ref.startsWith('refs/')
      ? `+${ref}:refs/remotes/origin/checkout`
      : `+refs/heads/${ref}:refs/remotes/origin/checkout`;
  const steps: string[][] = [
    ['init', '-q', dir],
    ['-C', dir, 'remote', 'add', 'origin', url],
    ['-C', dir, 'config', 'core.bare', 'false'],
    ['-C', dir, 'fetch', '--no-tags', '--prune', '--no-recurse-submodules', ...(depth > 0 ? [`--depth=${depth}`] : []), 'origin', refspec],
    ['-C', dir, 'checkout', '-q', '--force', '--detach', 'refs/remotes/origin/checkout'],
    ['-C', dir, 'log', '-1', '--format=%H'],
  ];
  for (const args of steps) {
    host.log(`[command]/usr/bin/git ${args.join(' ')}`);
    const code = await host.exec('git', args, { cwd: host.workspace, env });
    if (code !== 0) {
      // A tag given by name: retry as refs/tags (what checkout does when the branch is absent).
      if (args.includes('fetch') && !ref.startsWith('refs/') && !/^[0-9a-f]{40}$/i.test(ref)) {
        const tagArgs = args.map((a) => (a === refspec ? `+refs/tags/${ref}:refs/remotes/origin/checkout` : a));
        host.log(`[command]/usr/bin/git ${tagArgs.join(' ')}`);
        if ((await host.exec('git', tagArgs, { cwd: host.workspace, env })) === 0) continue;
      }
      host.log(`##[error]The process '/usr/bin/git' failed with exit code ${code}`);
      return code;
    }
  }
  return 0;
}

/** The parts of an `action.yml` the runner needs. */
export interface ActionMetadata {
  dir: string;
  using: string;
  main: string;
  post: string | null;
  /** `runs.post-if` (an expression; absent: `always()`). */
  postIf: string | null;
  /** Input defaults stay tokens (`${{ github.token }}`): the job evaluates them. */
  inputs: Record<string, { default?: TemplateToken; required?: boolean }>;
}

/**
 * Reads `<dir>/action.yml` (or `action.yaml`) with GitHub's action parser (its schema:
 * an expression in a description is an error there too, as on GitHub).
 * @throws when missing, invalid, or not a JavaScript action
 */
export async function readActionMetadata(dir: string): Promise<ActionMetadata> {
  let text: string;
  let file = 'action.yml';
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    file = 'action.yaml';
    text = await readFile(join(dir, file), 'utf8').catch(() => {
      throw new Error(`Can't find 'action.yml' or 'action.yaml' under '${dir}'`);
    });
  }
  const ap = await actionParser();
  const parsed = ap.parseAction({ name: file, content: text }, { error: () => undefined, info: () => undefined, verbose: () => undefined });
  const errors = parsed.context.errors.getErrors();
  if (errors.length || !parsed.value) throw new Error(`Failed to load ${dir}/${file}: ${errors.map((e) => e.message).join('; ')}`);
  const action = ap.convertActionTemplate(parsed.context, parsed.value);
  const runs = action.runs;
  if (!runs || !('main' in runs) || !/^node\d+$/.test(runs.using)) {
    throw new Error(`${dir}/${file}: the stand-in runs JavaScript actions only (runs.using: nodeNN, runs.main)`);
  }
  const inputs: ActionMetadata['inputs'] = {};
  for (const input of action.inputs ?? []) inputs[input.id] = { default: input.default, required: input.required };
  return { dir, using: runs.using, main: runs.main, post: runs.post ?? null, postIf: runs.postIf ?? null, inputs };
}

/** An action's `runs.post-if` as GitHub reads it: absent `always()`; without a status function, `success() && (…)`. */
export function postCondition(meta: Pick<ActionMetadata, 'postIf'>): string {
  if (!meta.postIf) return 'always()';
  return /\b(success|failure|cancelled|always)\s*\(/i.test(meta.postIf) ? meta.postIf : `success() && (${meta.postIf})`;
}

/** `INPUT_<NAME>`: upper-cased, spaces to `_` (dashes kept), as the runner does. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Runs `node <dir>/<entry>` (main or post) with `env`. */
export async function runNodeAction(host: StepHost, meta: ActionMetadata, entry: string, env: Record<string, string>): Promise<number> {
  const script = join(meta.dir, entry);
  return host.exec(process.execPath, [script], { cwd: host.workspace, env: { ...env, GITHUB_ACTION_PATH: meta.dir } });
}

/**
 * A `run:` step: the script is written to `RUNNER_TEMP` and run with
 * `bash --noprofile --norc -eo pipefail` (the default shell), or `sh -e` for `shell: sh`.
 */
export async function runScript(host: StepHost, script: string, shell: string | undefined, cwd: string, env: Record<string, string>): Promise<number> {
  const file = join(host.runnerTemp, `${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  await writeFile(file, script);
  const sh = shell ?? 'bash';
  if (sh === 'bash') return host.exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env });
  if (sh === 'sh') return host.exec('sh', ['-e', file], { cwd, env });
  host.log(`##[error]The stand-in supports shell: bash and sh, not '${sh}'`);
  return 1;
}
