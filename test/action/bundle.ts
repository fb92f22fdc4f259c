/**
 * Runs the BUNDLED action (action/dist/index.js) as a child process with the
 * environment a runner gives it (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, …).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeResult, type PrebuildResult } from '../../src/lifecycle/result.js';
import { tempDir } from './helpers.js';

const bundle = fileURLToPath(new URL('../../action/dist/index.js', import.meta.url));

/** Runs git with a fixed identity; returns trimmed stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8' }).trim();
}

/** What one run of the bundle produced: exit status, stdout+stderr, outputs, summary, the result annotation. */
export interface ActionRun {
  status: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
  result: PrebuildResult | null;
}

/**
 * Runs the bundle like a runner: INPUT_* (upper-case, dashes kept), GITHUB_* files, RUNNER_TEMP.
 * Temp dirs it creates are pushed to `dirs`; `extraEnv` is added to the runner's environment;
 * the child is killed after `timeoutMs`.
 */
export async function runBundle(
  workspace: string,
  inputs: Record<string, string>,
  dirs: string[],
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<ActionRun> {
  const runner = await tempDir('runner-');
  dirs.push(runner);
  const outputFile = path.join(runner, 'output');
  const summaryFile = path.join(runner, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SHA: inputs.sha ?? '',
    RUNNER_TEMP: runner,
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  // Asynchronous, so servers in the test process (the app, an OIDC issuer) keep answering the action.
  const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn(process.execPath, [bundle], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  const outputs: Record<string, string> = {};
  for (const m of (await readFile(outputFile, 'utf8')).matchAll(/^(.+?)<<(ghadelimiter_\S+)\n([\s\S]*?)\n?\2$/gm)) outputs[m[1]!] = m[3]!;
  const notice = /^::notice title=prebuild-result::(.*)$/m.exec(child.stdout);
  return {
    status: child.status,
    stdout: child.stdout + child.stderr,
    outputs,
    summary: await readFile(summaryFile, 'utf8'),
    result: notice ? decodeResult(notice[1]!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')) : null,
  };
}
