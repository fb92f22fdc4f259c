/**
 * Workflow files: read at a ref from git and parsed with GitHub's own
 * `@actions/workflow-parser` (schema checks, expressions allowed only where GitHub
 * allows them, `if:` conditions converted as GitHub does), and the inputs of a
 * `workflow_dispatch` checked the way GitHub does (422 messages quoted from GitHub).
 * Values stay template tokens; the runner evaluates them (template.ts) when it has
 * their contexts.
 */
import type { BasicExpressionToken } from '@actions/workflow-parser/templates/tokens/basic-expression-token';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import { isMapping, isSequence, isString } from '@actions/workflow-parser/templates/tokens/type-guards';
import type { RepoContent } from '../content/types.js';
import { workflowParser } from './libraries.js';

/** A `workflow_dispatch` input declaration. */
export interface InputSpec {
  description?: string;
  required?: boolean;
  default?: unknown;
  type?: string;
  options?: string[];
}

/** One step of a job (the keys the stand-in honours), as tokens. */
export interface StepSpec {
  /** `id:`, or the id the parser generates (`__run`, `__actions_checkout`, …). */
  id: string;
  name?: TemplateToken;
  /** `uses:` (never an expression). */
  uses?: string;
  run?: TemplateToken;
  with?: TemplateToken;
  env?: TemplateToken;
  /** The condition with GitHub's implicit `success() && (…)`. */
  if: BasicExpressionToken;
  shell?: TemplateToken;
  workingDirectory?: TemplateToken;
  continueOnError?: boolean | TemplateToken;
}

/** One job (the keys the stand-in honours), as tokens. */
export interface JobSpec {
  key: string;
  name?: TemplateToken;
  runsOn?: TemplateToken;
  /** `timeout-minutes:` (a number, or an expression of `github`, `inputs`, `vars`, `matrix`, …); absent: 360. */
  timeoutMinutes?: TemplateToken;
  env?: TemplateToken;
  if: BasicExpressionToken;
  /** `read-all`, `write-all`, `{}` or a map of scopes (`id-token: write`); overrides the workflow's. */
  permissions?: Permissions;
  steps: StepSpec[];
}

/** A `permissions:` value as plain data: `read-all` / `write-all`, or scope → `read` / `write` / `none`. */
export type Permissions = string | Record<string, string>;

/** A parsed workflow file. */
export interface WorkflowFile {
  /** `.github/workflows/<file>` */
  path: string;
  /** `name:` or the path. */
  name: string;
  runName: TemplateToken | null;
  /** `null` when the workflow has no `workflow_dispatch` trigger. */
  dispatchInputs: Record<string, InputSpec> | null;
  env?: TemplateToken;
  /** The workflow's `permissions:` (undefined when absent). */
  permissions?: Permissions;
  jobs: JobSpec[];
}

/** Reads a `permissions:` token (never an expression in GitHub's schema) as plain data. */
function permissionsOf(token: TemplateToken | undefined): Permissions | undefined {
  if (!token) return undefined;
  if (isString(token)) return token.value;
  if (!isMapping(token)) return undefined;
  const scopes: Record<string, string> = {};
  for (let i = 0; i < token.count; i++) {
    const pair = token.get(i);
    if (isString(pair.key) && isString(pair.value)) scopes[pair.key.value] = pair.value.value;
  }
  return scopes;
}

function field(mapping: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return mapping && isMapping(mapping) ? mapping.find(key) : undefined;
}

/**
 * Parses a workflow file's text with `@actions/workflow-parser`.
 * @returns the workflow, or `{error}` with the parser's messages (GitHub's "Invalid workflow file")
 */
export async function parseWorkflowFile(path: string, text: string): Promise<WorkflowFile | { error: string }> {
  const wp = await workflowParser();
  const parsed = wp.parseWorkflow({ name: path, content: text }, new wp.NoOperationTraceWriter());
  const invalid = (errors: { message: string }[]) => ({ error: `Invalid workflow file: ${path}: ${errors.map((e) => e.message).join('; ')}` });
  if (parsed.context.errors.getErrors().length || !parsed.value) return invalid(parsed.context.errors.getErrors());
  const template = await wp.convertWorkflowTemplate(parsed.context, parsed.value);
  if (template.errors?.length) return invalid(template.errors.map((e) => ({ message: e.Message })));
  const root = parsed.value as MappingToken;
  const rawJobs = field(root, 'jobs');
  const jobs: JobSpec[] = [];
  for (const job of template.jobs) {
    const key = job.id.value;
    if (job.type !== 'job') return { error: `Invalid workflow file: ${path}: job '${key}' calls a reusable workflow, which the stand-in does not run` };
    const rawSteps = field(field(rawJobs, key), 'steps');
    const steps = job.steps.map((step, i): StepSpec => {
      const raw = rawSteps && isSequence(rawSteps) ? rawSteps.get(i) : undefined;
      const uses = 'uses' in step ? step.uses.value : undefined;
      return {
        id: step.id,
        name: step.name,
        uses,
        run: 'run' in step ? step.run : undefined,
        with: field(raw, 'with'),
        env: 'env' in step ? step.env : undefined,
        if: step.if!,
        shell: field(raw, 'shell'),
        workingDirectory: field(raw, 'working-directory'),
        continueOnError: step['continue-on-error'],
      };
    });
    jobs.push({
      key,
      name: job.name,
      runsOn: job['runs-on'],
      timeoutMinutes: field(field(rawJobs, key), 'timeout-minutes'),
      env: job.env,
      if: job.if,
      permissions: permissionsOf(field(field(rawJobs, key), 'permissions')),
      steps,
    });
  }
  const name = field(root, 'name');
  const inputs = template.events.workflow_dispatch ? (template.events.workflow_dispatch.inputs ?? {}) : null;
  return {
    path,
    name: name && isString(name) ? name.value : path,
    runName: field(root, 'run-name') ?? null,
    dispatchInputs: inputs as Record<string, InputSpec> | null,
    env: template.env,
    permissions: permissionsOf(field(root, 'permissions')),
    jobs,
  };
}

/** Parsed files by path and text (parsing takes milliseconds; a repository dispatches the same file again and again). */
const parsedFiles = new Map<string, Promise<WorkflowFile | { error: string }>>();
const PARSED_FILES_KEPT = 100;

/**
 * Reads and parses `path` at commit `sha` (the same text is parsed once; nothing
 * mutates the parsed tokens).
 * @returns the workflow, `null` when there is no such file, or `{error}` when it does not parse
 */
export async function loadWorkflow(content: RepoContent, sha: string, path: string): Promise<WorkflowFile | { error: string } | null> {
  const found = await content.readPath(sha, path);
  if (!found || found.kind !== 'file') return null;
  const text = found.content.toString('utf8');
  const key = `${path}\0${text}`;
  let parsed = parsedFiles.get(key);
  if (!parsed) {
    parsed = parseWorkflowFile(path, text);
    if (parsedFiles.size >= PARSED_FILES_KEPT) parsedFiles.delete(parsedFiles.keys().next().value!);
    parsedFiles.set(key, parsed);
  }
  return parsed;
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
