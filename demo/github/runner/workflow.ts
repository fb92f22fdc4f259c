/**
 * Workflow files: reading one at a ref from git, and checking the inputs of a
 * `workflow_dispatch` the way GitHub does (422 messages quoted from GitHub).
 */
import yaml from 'js-yaml';
import type { RepoContent } from '../content/types.js';

/** A `workflow_dispatch` input declaration. */
export interface InputSpec {
  description?: string;
  required?: boolean;
  default?: unknown;
  type?: 'string' | 'boolean' | 'choice' | 'number' | 'environment';
  options?: string[];
}

/** One step of a job (the keys the stand-in honours). */
export interface StepSpec {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: unknown;
  shell?: string;
  'working-directory'?: string;
  'continue-on-error'?: boolean;
}

/** One job (the keys the stand-in honours). */
export interface JobSpec {
  name?: string;
  'runs-on'?: string | string[];
  'timeout-minutes'?: number;
  env?: Record<string, unknown>;
  if?: unknown;
  /** `read-all`, `write-all`, `{}` or a map of scopes (`id-token: write`); overrides the workflow's. */
  permissions?: unknown;
  steps?: StepSpec[];
}

/** A parsed workflow file. */
export interface WorkflowFile {
  /** `.github/workflows/<file>` */
  path: string;
  /** `name:` or the path. */
  name: string;
  runName: string | null;
  /** `null` when the workflow has no `workflow_dispatch` trigger. */
  dispatchInputs: Record<string, InputSpec> | null;
  env: Record<string, unknown>;
  /** The workflow's `permissions:` (undefined when absent). */
  permissions?: unknown;
  jobs: Record<string, JobSpec>;
}

/**
 * Reads and parses `path` at commit `sha`.
 * @returns the workflow, `null` when there is no such file, or `{error}` when it does not parse
 */
export async function loadWorkflow(content: RepoContent, sha: string, path: string): Promise<WorkflowFile | { error: string } | null> {
  const found = await content.readPath(sha, path);
  if (!found || found.kind !== 'file') return null;
  let doc: unknown;
  try {
    doc = yaml.load(found.content.toString('utf8'));
  } catch (err) {
    return { error: `Invalid workflow file: ${path}: ${(err as Error).message}` };
  }
  if (typeof doc !== 'object' || doc === null) return { error: `Invalid workflow file: ${path}: not a mapping` };
  const d = doc as Record<string, unknown>;
  const on = d.on;
  let dispatchInputs: Record<string, InputSpec> | null = null;
  if (on === 'workflow_dispatch' || (Array.isArray(on) && on.includes('workflow_dispatch'))) dispatchInputs = {};
  else if (typeof on === 'object' && on !== null && 'workflow_dispatch' in on) {
    const wd = (on as Record<string, unknown>).workflow_dispatch as { inputs?: Record<string, InputSpec> } | null;
    dispatchInputs = wd?.inputs ?? {};
  }
  if (typeof d.jobs !== 'object' || d.jobs === null) return { error: `Invalid workflow file: ${path}: No jobs defined in \`jobs\`` };
  return {
    path,
    name: typeof d.name === 'string' ? d.name : path,
    runName: typeof d['run-name'] === 'string' ? d['run-name'] : null,
    dispatchInputs,
    env: (d.env as Record<string, unknown>) ?? {},
    permissions: d.permissions,
    jobs: d.jobs as Record<string, JobSpec>,
  };
}

/**
 * Checks dispatch inputs against the declaration and applies defaults.
 * @returns `{inputs}` (all strings, as `github.event.inputs` holds them) or `{error}` (GitHub's 422 message)
 */
export function checkInputs(wf: WorkflowFile, given: unknown): { inputs: Record<string, string> } | { error: string } {
  const declared = wf.dispatchInputs ?? {};
  const provided = (typeof given === 'object' && given !== null ? given : {}) as Record<string, unknown>;
  if (Object.keys(provided).length > 25) return { error: 'inputs are too large' };
  const unexpected = Object.keys(provided).filter((k) => !(k in declared));
  if (unexpected.length) return { error: `Unexpected inputs provided: ${JSON.stringify(unexpected)}` };
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const raw = provided[name];
    if (raw === undefined || raw === null) {
      if (spec.required && spec.default === undefined) return { error: `Required input '${name}' not provided` };
      if (spec.default !== undefined) inputs[name] = String(spec.default);
      else if (spec.type === 'boolean') inputs[name] = 'false';
      continue;
    }
    if (typeof raw === 'object') return { error: `For 'properties/${name}', ${JSON.stringify(raw)} is not a string.` };
    const value = String(raw);
    if (spec.type === 'choice' && spec.options && !spec.options.includes(value)) {
      return { error: `Provided value '${value}' for input '${name}' not in the list of allowed values` };
    }
    if (spec.type === 'boolean' && value !== 'true' && value !== 'false') {
      return { error: `Provided value '${value}' for input '${name}' is not a valid boolean` };
    }
    if (spec.type === 'number' && Number.isNaN(Number(value))) return { error: `Provided value '${value}' for input '${name}' is not a valid number` };
    inputs[name] = value;
  }
  return { inputs };
}

/** The `inputs` context: like `github.event.inputs`, but booleans and numbers typed. */
export function typedInputs(wf: WorkflowFile, inputs: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const type = wf.dispatchInputs?.[k]?.type;
    out[k] = type === 'boolean' ? v === 'true' : type === 'number' ? Number(v) : v;
  }
  return out;
}
