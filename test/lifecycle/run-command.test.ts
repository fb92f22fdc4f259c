/**
 * runCommand's `signal` (src/lifecycle/run-hooks.ts): aborting stops the command's whole
 * process group (what `prebuilds up` does to a `devcontainer up` whose image cannot be
 * pulled), with real child processes.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { runCommand } from '../../src/lifecycle/run-hooks.js';
import { ToolError, runTool } from '../../src/container/tools.js';

/** Whether `pid` runs (a zombie, dead but not yet reaped, does not). */
const alive = (pid: number) => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('runCommand with an AbortSignal', () => {
  it('stops the command and the processes it started (its group) when aborted', async () => {
    const stop = new AbortController();
    let out = '';
    const exit = runCommand(
      { kind: 'shell', command: 'sleep 30 & echo $!; wait' },
      { cwd: os.tmpdir(), env: process.env, drainMs: 50, signal: stop.signal },
      (chunk) => {
        out += chunk.toString();
        if (out.includes('\n')) stop.abort();
      },
    );
    const result = await exit;
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    const child = Number(out.trim());
    expect(child).toBeGreaterThan(0);
    // The background `sleep` went with the group (polled: it is reaped by whoever adopted it).
    for (let i = 0; i < 40 && alive(child); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(child)).toBe(false);
  });

  it('an already aborted signal stops the command at once; runTool reports it as a failure', async () => {
    const stop = new AbortController();
    stop.abort();
    const error = await runTool(['sleep', '30'], { env: process.env, signal: stop.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/sleep 30 failed with exit code SIGTERM/);
  });

  it('a signal never aborted changes nothing', async () => {
    const exit = await runCommand(
      { kind: 'exec', argv: ['true'] },
      { cwd: os.tmpdir(), env: process.env, signal: new AbortController().signal },
      () => undefined,
    );
    expect(exit).toMatchObject({ exitCode: 0, signal: null });
  });
});
