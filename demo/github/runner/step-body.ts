/**
 * The body of one step, by kind: `actions/checkout`, this product's action
 * (its `action.yml` inputs' defaults, then `with:`), or a `run:` script. The
 * job (job.ts) owns everything around it: `if:`, env, workflow-command files,
 * outcome and `continue-on-error`.
 */
import { resolve } from 'node:path';
import type { AnnotationInput } from './job-log.js';
import { evaluateString, evaluateStringMap, type ExprContext } from './template.js';
import {
  checkout,
  inputEnvName,
  isCheckout,
  isProductAction,
  readActionMetadata,
  runNodeAction,
  runScript,
  type ActionMetadata,
  type StepHost,
} from './steps.js';
import type { StepSpec } from './workflow.js';

/** What {@link runStepBody} needs from its job. */
export interface StepBodyContext {
  host: StepHost;
  /** Directory of this product's action (holds `action.yml`). */
  actionDir: string;
  /** The job's sha (`actions/checkout`'s default ref). */
  sha: string;
  /** Step name shown in the log group. */
  name: string;
  /** Step number (1-based), for errors. */
  number: number;
  annotate(a: AnnotationInput): void;
}

/** A step's exit code, and the action whose `post:` must run at the job's end (if any). */
export interface StepBodyResult {
  code: number;
  post?: { meta: ActionMetadata; env: Record<string, string> };
}

/**
 * Runs the step's body with `processEnv` (runner variables, workflow-command files,
 * job and step env already merged).
 * @throws TemplateError when an expression in `with:`, `run:`, `shell:` or
 *   `working-directory:` cannot be evaluated (the job reports it as GitHub does).
 */
export async function runStepBody(spec: StepSpec, ctx: ExprContext, processEnv: Record<string, string>, s: StepBodyContext): Promise<StepBodyResult> {
  const { host } = s;
  const withArgs = evaluateStringMap(spec.with, ctx);
  host.log(`##[group]${s.name}`);
  if (spec.uses && isCheckout(spec.uses)) {
    const code = await checkout(host, withArgs, s.sha, processEnv);
    host.log('##[endgroup]');
    return { code };
  }
  if (spec.uses && isProductAction(spec.uses)) {
    const meta = await readActionMetadata(resolve(s.actionDir));
    const inputs: Record<string, string> = {};
    for (const [name, decl] of Object.entries(meta.inputs)) {
      if (decl.default !== undefined) inputs[inputEnvName(name)] = evaluateString(decl.default, ctx);
    }
    for (const [name, value] of Object.entries(withArgs)) inputs[inputEnvName(name)] = value;
    host.log('##[endgroup]');
    const env = { ...processEnv, ...inputs };
    const code = await runNodeAction(host, meta, meta.main, env);
    return meta.post ? { code, post: { meta, env } } : { code };
  }
  if (spec.uses) {
    host.log(`##[error]The stand-in cannot run '${spec.uses}': only actions/checkout and this product's action (…/action) are supported`);
    s.annotate({ level: 'failure', title: null, message: `Unsupported action '${spec.uses}' in the stand-in` });
    host.log('##[endgroup]');
    return { code: 1 };
  }
  if (spec.run !== undefined) {
    const script = evaluateString(spec.run, ctx);
    for (const line of script.split('\n')) host.log(line);
    host.log('##[endgroup]');
    const cwd = spec.workingDirectory ? resolve(host.workspace, evaluateString(spec.workingDirectory, ctx)) : host.workspace;
    return { code: await runScript(host, script, spec.shell ? evaluateString(spec.shell, ctx) : undefined, cwd, processEnv) };
  }
  s.annotate({ level: 'failure', title: null, message: `Step ${s.number} has neither 'uses' nor 'run'` });
  return { code: 1 };
}
