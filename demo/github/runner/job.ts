/**
 * Executes one job of a workflow run like a self-hosted runner: a temporary
 * workspace, the runner's environment variables, steps in order with `if:`,
 * workflow commands turned into annotations of the job's check run, a plain
 * text log, `timeout-minutes`, and cancellation that kills the step's processes.
 */
import type { LocalActionsIssuer } from '../oidc-issuer.js';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StandInState } from '../state.js';
import type { CheckRunRecord, JobRecord, RepoRecord, RunRecord, StepRecord } from '../types.js';
import { parseKeyValueFile } from './commands.js';
import { oidcVariables, runnerVariables, stepName } from './job-env.js';
import { JobLog, type AnnotationInput } from './job-log.js';
import { jobTimeoutMinutes } from './runs.js';
import { evaluateCondition, evaluateExpression, evaluateString, evaluateStringMap, evaluateToken, TemplateError, type ExprContext } from './template.js';
import { truthy } from '@actions/expressions/result';
import { isString } from '@actions/workflow-parser/templates/tokens/type-guards';
import { startProcess, type StepProcess } from './process.js';
import { runNodeAction, postCondition, type ActionMetadata, type StepHost } from './steps.js';
import { runStepBody } from './step-body.js';
import type { JobSpec, WorkflowFile } from './workflow.js';

/** Runner settings shared by every job. */
export interface JobOptions {
  /** Directory of this product's action (holds `action.yml`). */
  actionDir: string;
  /** Where job workspaces are created. */
  workRoot: string;
  /** Keep workspaces after the job (debugging). */
  keepWorkspaces: boolean;
  /** Host environment passed to every process (PATH, HOME, …). */
  hostEnv: Record<string, string>;
  runnerName: string;
  /** Also echo log lines here (e.g. `--verbose`). */
  echo?: (line: string) => void;
  /** Issues OIDC tokens to jobs granted `id-token: write`. */
  oidcIssuer?: LocalActionsIssuer;
}

/** Everything one job execution needs. */
export interface JobRun {
  state: StandInState;
  repo: RepoRecord;
  run: RunRecord;
  wf: WorkflowFile;
  spec: JobSpec;
  job: JobRecord;
  check: CheckRunRecord;
  /** The run's `GITHUB_TOKEN` (an installation-like token). */
  token: string;
  options: JobOptions;
  /** Aborted when the run is cancelled. */
  signal: AbortSignal;
  /** Base `github` context (sha, ref, repository, run_id, …) without `workspace`. */
  github: Record<string, unknown>;
  inputs: Record<string, unknown>;
}

/**
 * Runs the job to completion, killing its processes' groups at its evaluated
 * `timeout-minutes` (or when the run is cancelled).
 * @returns its conclusion: a job past its timeout concludes `cancelled`, as GitHub
 * reports one ("GitHub automatically cancels it"), with the annotation "The job running
 * on runner … has exceeded the maximum execution time of N minutes."
 */
export async function executeJob(j: JobRun): Promise<'success' | 'failure' | 'cancelled'> {
  const root = await mkdtemp(join(j.options.workRoot, `run-${j.run.id}-`));
  const workspace = join(root, 'work', j.repo.name, j.repo.name);
  const runnerTemp = join(root, '_temp');
  await mkdir(workspace, { recursive: true });
  await mkdir(runnerTemp, { recursive: true });
  await mkdir(join(root, '_tool'), { recursive: true });
  const eventPath = join(root, '_github_workflow', 'event.json');
  await mkdir(join(root, '_github_workflow'), { recursive: true });
  await writeFile(eventPath, JSON.stringify(j.github.event ?? {}, null, 2));

  const jobLog = new JobLog(
    j.job,
    j.check,
    [...Object.values(j.repo.secrets), j.token],
    j.options.echo ? (l) => j.options.echo!(`[${j.repo.name}#${j.run.id}] ${l}`) : undefined,
  );
  const log = (line: string) => jobLog.line(line);
  const annotate = (a: AnnotationInput) => jobLog.annotate(a);

  let current: StepProcess | null = null;
  let timedOut = false;
  let timeoutMinutes = 360;
  let setupError: string | null = null;
  try {
    timeoutMinutes = jobTimeoutMinutes({ repo: j.repo, wf: j.wf, inputs: j.run.inputs }, j.github, j.spec);
  } catch (err) {
    setupError = `The template is not valid. ${(err as Error).message}`;
  }
  const timer = setTimeout(() => {
    timedOut = true;
    current?.kill();
  }, timeoutMinutes * 60_000);
  const onAbort = () => current?.kill();
  j.signal.addEventListener('abort', onAbort);

  const host: StepHost = {
    workspace,
    runnerTemp,
    bareDir: j.repo.bareDir ?? '',
    log,
    exec(command, args, opts) {
      if (timedOut || j.signal.aborted) return Promise.resolve(130);
      current = startProcess(command, args, {
        cwd: opts.cwd,
        env: opts.env,
        onLine: (line) => jobLog.output(line),
      });
      const proc = current;
      return proc.done.finally(() => {
        if (current === proc) current = null;
      });
    },
  };

  const env: Record<string, string> = {};
  const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
  const github: Record<string, unknown> = { ...j.github, workspace, action_path: '', job: j.job.key, token: j.token };
  // Like a runner, the token request variables exist only for jobs granted id-token: write (one request token per job).
  const oidc = oidcVariables(j, github);
  const context = (status: 'success' | 'failure' | 'cancelled' | undefined): ExprContext => ({
    contexts: {
      github,
      inputs: j.inputs,
      vars: { ...j.repo.variables },
      secrets: { GITHUB_TOKEN: j.token, ...j.repo.secrets },
      env: { ...env },
      steps,
      runner: { os: 'Linux', arch: 'X64', name: j.options.runnerName, temp: runnerTemp, tool_cache: join(root, '_tool') },
      job: { status: status ?? 'success' },
      matrix: {},
      strategy: {},
    },
    ...(status ? { status } : {}),
    workspace,
  });

  let status: 'success' | 'failure' | 'cancelled' = 'success';
  const specs = j.spec.steps ?? [];
  const record = (name: string): StepRecord => {
    const s: StepRecord = { name, number: j.job.steps.length + 1, status: 'queued', conclusion: null, startedAt: null, completedAt: null };
    j.job.steps.push(s);
    return s;
  };
  const setup = record('Set up job');
  setup.status = 'completed';
  setup.conclusion = 'success';
  setup.startedAt = setup.completedAt = new Date();
  log(`Current runner version: 'stand-in'`);
  log(`Runner name: '${j.options.runnerName}'`);
  const records = specs.map((s) => record(stepName(s)));
  const posts: Array<{ meta: ActionMetadata; env: Record<string, string>; state: Record<string, string> }> = [];

  if (setupError) {
    log(`##[error]${setupError}`);
    annotate({ level: 'failure', title: null, message: setupError });
    status = 'failure';
  }
  try {
    // Job-level env (workflow env, then job env), evaluated once.
    Object.assign(env, evaluateStringMap(j.wf.env, context(undefined)), evaluateStringMap(j.spec.env, context(undefined)));
  } catch (err) {
    annotate({ level: 'failure', title: null, message: (err as Error).message });
    status = 'failure';
  }

  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const rec = records[i]!;
    if (j.signal.aborted && status !== 'cancelled') status = 'cancelled';
    const id = spec.id || `__step${i}`;
    let run: boolean;
    try {
      run = !timedOut && !setupError && evaluateCondition(spec.if, context(status) as ExprContext & { status: typeof status });
    } catch (err) {
      annotate({ level: 'failure', title: null, message: (err as Error).message });
      status = 'failure';
      run = false;
    }
    if (!run) {
      rec.status = 'completed';
      rec.conclusion = 'skipped';
      steps[id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    rec.status = 'in_progress';
    rec.startedAt = new Date();
    // GitHub names a step when it starts: its name may use the earlier steps' outputs.
    if (spec.name && !isString(spec.name)) {
      try {
        rec.name = evaluateString(spec.name, context(status));
      } catch {
        // an expression the stand-in cannot evaluate keeps the name as written
      }
    }
    jobLog.newStep();
    const files = {
      output: join(runnerTemp, `_output_${i}`),
      env: join(runnerTemp, `_env_${i}`),
      path: join(runnerTemp, `_path_${i}`),
      state: join(runnerTemp, `_state_${i}`),
      summary: join(runnerTemp, `_summary_${i}`),
    };
    for (const f of Object.values(files)) await writeFile(f, '');
    let code: number;
    try {
      const ctx = context(status);
      const stepEnv: Record<string, string> = { ...env, ...evaluateStringMap(spec.env, ctx) };
      const processEnv = {
        ...j.options.hostEnv,
        ...runnerVariables(j, github, { workspace, runnerTemp, eventPath, root }),
        ...oidc,
        GITHUB_OUTPUT: files.output,
        GITHUB_ENV: files.env,
        GITHUB_PATH: files.path,
        GITHUB_STATE: files.state,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_ACTION: id,
        ...stepEnv,
      };
      const body = await runStepBody(spec, ctx, processEnv, {
        host,
        actionDir: j.options.actionDir,
        sha: String(github.sha),
        name: rec.name,
        number: i + 1,
        annotate,
      });
      code = body.code;
      if (body.post) posts.push({ ...body.post, state: parseKeyValueFile(await readFile(files.state, 'utf8')) });
    } catch (err) {
      const message = err instanceof TemplateError ? `The template is not valid. ${err.message}` : (err as Error).message;
      log(`##[error]${message}`);
      annotate({ level: 'failure', title: null, message });
      code = 1;
    }
    const outputs = parseKeyValueFile(await readFile(files.output, 'utf8').catch(() => ''));
    Object.assign(env, parseKeyValueFile(await readFile(files.env, 'utf8').catch(() => '')));
    const extraPath = (await readFile(files.path, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    if (extraPath.length) j.options.hostEnv = { ...j.options.hostEnv, PATH: [...extraPath.reverse(), j.options.hostEnv.PATH ?? ''].join(':') };
    let outcome: 'success' | 'failure' | 'cancelled' = code === 0 ? 'success' : 'failure';
    if (code !== 0 && (timedOut || j.signal.aborted)) outcome = 'cancelled';
    if (outcome === 'failure') {
      log(`##[error]Process completed with exit code ${code}.`);
      annotate({ level: 'failure', title: null, message: `Process completed with exit code ${code}.` });
    }
    rec.status = 'completed';
    rec.completedAt = new Date();
    let continueOnError = false;
    try {
      const value = typeof spec.continueOnError === 'object' ? evaluateToken(spec.continueOnError, context(status)) : spec.continueOnError;
      continueOnError = value === true || value === 'true';
    } catch (err) {
      annotate({ level: 'failure', title: null, message: `The template is not valid. ${(err as Error).message}` });
    }
    rec.conclusion = outcome === 'failure' && continueOnError ? 'success' : outcome;
    steps[id] = { outputs, outcome, conclusion: rec.conclusion };
    if (outcome === 'cancelled') status = 'cancelled';
    else if (outcome === 'failure' && !continueOnError && status === 'success') status = 'failure';
  }

  for (const post of posts.reverse()) {
    if (timedOut) break;
    if (!truthy(evaluateExpression(postCondition(post.meta), context(status)))) continue;
    const rec = record(`Post ${post.meta.dir}`);
    rec.startedAt = new Date();
    const stateEnv = Object.fromEntries(Object.entries(post.state).map(([k, v]) => [`STATE_${k}`, v]));
    const code = await runNodeAction(host, post.meta, post.meta.post!, { ...post.env, ...stateEnv });
    rec.status = 'completed';
    rec.completedAt = new Date();
    rec.conclusion = code === 0 ? 'success' : 'failure';
    if (code !== 0 && status === 'success') status = 'failure';
  }

  clearTimeout(timer);
  j.signal.removeEventListener('abort', onAbort);
  if (timedOut) {
    const message = `The job running on runner ${j.options.runnerName} has exceeded the maximum execution time of ${timeoutMinutes} minutes.`;
    log(`##[error]${message}`);
    annotate({ level: 'failure', title: null, message });
    log('##[error]The operation was canceled.');
    annotate({ level: 'failure', title: null, message: 'The operation was canceled.' });
    status = 'cancelled';
  } else if (j.signal.aborted) {
    log('##[error]The operation was canceled.');
    annotate({ level: 'failure', title: null, message: 'The operation was canceled.' });
    status = 'cancelled';
  }
  for (const rec of j.job.steps) {
    if (rec.status !== 'completed') {
      rec.status = 'completed';
      rec.conclusion = rec.startedAt ? 'cancelled' : 'skipped';
      rec.completedAt ??= new Date();
    }
  }
  const complete = record('Complete job');
  complete.status = 'completed';
  complete.conclusion = 'success';
  complete.startedAt = complete.completedAt = new Date();
  log('Cleaning up orphan processes');
  if (!j.options.keepWorkspaces) await rm(root, { recursive: true, force: true }).catch(() => undefined);
  return status;
}
