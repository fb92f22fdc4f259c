import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LifecycleError, runHook } from '../../src/lifecycle/run-hooks.js';
import { cleanup, recordingLog, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

async function ctx() {
  const cwd = await tempDir();
  dirs.push(cwd);
  const log = recordingLog();
  return { cwd, log, env: { ...process.env, GREETING: 'hello' } };
}

describe('runHook', () => {
  it('runs a string through /bin/sh -c (pipes, variables, &&) in the workspace', async () => {
    const c = await ctx();
    const run = await runHook('onCreateCommand', { kind: 'shell', command: 'echo "$GREETING world" | tr a-z A-Z > out.txt && pwd' }, c);
    expect(await readFile(path.join(c.cwd, 'out.txt'), 'utf8')).toBe('HELLO WORLD\n');
    expect(c.log.text()).toContain(`::group::onCreateCommand: echo "$GREETING world"`);
    expect(c.log.text()).toContain(c.cwd);
    expect(c.log.text().trimEnd().endsWith('::endgroup::')).toBe(true);
    expect(run.hook).toBe('onCreateCommand');
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(run.startedAt))).toBe(false);
  });

  it('execs an array without a shell: arguments with spaces and $ stay intact', async () => {
    const c = await ctx();
    const argv = [process.execPath, '-e', 'require("fs").writeFileSync("args.json", JSON.stringify(process.argv.slice(1)))', 'two words', '$GREETING', '*'];
    await runHook('updateContentCommand', { kind: 'exec', argv }, c);
    expect(JSON.parse(await readFile(path.join(c.cwd, 'args.json'), 'utf8'))).toEqual(['two words', '$GREETING', '*']);
    expect(c.log.text()).toContain(`'two words' '$GREETING' '*'`);
  });

  it('adds the command env on top of the context env', async () => {
    const c = await ctx();
    await runHook('onCreateCommand', { kind: 'shell', command: 'echo "$GREETING $EXTRA" > env.txt', env: { EXTRA: 'there' } }, c);
    expect(await readFile(path.join(c.cwd, 'env.txt'), 'utf8')).toBe('hello there\n');
  });

  it('fails with the hook, the command and the exit code', async () => {
    const c = await ctx();
    const err = await runHook('onCreateCommand', { kind: 'shell', command: 'echo boom; exit 3' }, c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifecycleError);
    expect((err as Error).message).toBe('onCreateCommand (echo boom; exit 3) failed with exit code 3');
    expect((err as LifecycleError).exit.exitCode).toBe(3);
    expect(c.log.text()).toContain('boom');
  });

  it('reports an executable that does not exist', async () => {
    const c = await ctx();
    await expect(runHook('onCreateCommand', { kind: 'exec', argv: ['definitely-not-a-command-xyz', 'a'] }, c)).rejects.toThrow(
      /onCreateCommand \(definitely-not-a-command-xyz a\) failed to start: .*ENOENT/,
    );
  });

  it('reports exit code 130 as interrupted and signals by name', async () => {
    const c = await ctx();
    await expect(runHook('onCreateCommand', { kind: 'shell', command: 'exit 130' }, c)).rejects.toThrow('onCreateCommand (exit 130) was interrupted');
    await expect(runHook('onCreateCommand', { kind: 'shell', command: 'kill -TERM $$' }, c)).rejects.toThrow('was killed by signal SIGTERM');
  });

  it('runs named commands in parallel, waits for all, and fails with the first failure', async () => {
    const c = await ctx();
    const started = Date.now();
    const err = await runHook(
      'onCreateCommand',
      {
        kind: 'parallel',
        commands: {
          slow: { kind: 'shell', command: 'sleep 0.6; echo slow-done > slow.txt' },
          install: { kind: 'shell', command: 'sleep 0.3; echo installing; exit 1' },
          other: { kind: 'exec', argv: ['/bin/sh', '-c', 'sleep 0.5; exit 2'] },
        },
      },
      c,
    ).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect((err as Error).message).toBe('onCreateCommand "install" (sleep 0.3; echo installing; exit 1) failed with exit code 1');
    expect((err as LifecycleError).commandName).toBe('install');
    // waited for every command (slow finished) and ran them concurrently (not 1.4 s in sequence)
    expect(await readFile(path.join(c.cwd, 'slow.txt'), 'utf8')).toBe('slow-done\n');
    expect(elapsed).toBeLessThan(1300);
    const text = c.log.text();
    expect(text).toContain('running 3 commands in parallel: slow, install, other');
    expect(text).toMatch(/::group::onCreateCommand "install": sleep 0.3; echo installing; exit 1 \(FAILED, \d+ ms\)\ninstalling\n::endgroup::/);
    expect(text).toMatch(/::group::onCreateCommand "slow": .*\(done, \d+ ms\)/);
  });

  it('returns per-command durations of a successful parallel hook', async () => {
    const c = await ctx();
    const run = await runHook(
      'updateContentCommand',
      { kind: 'parallel', commands: { a: { kind: 'shell', command: 'true' }, b: { kind: 'exec', argv: ['true'] } } },
      c,
    );
    expect(Object.keys(run.commands)).toEqual(['a', 'b']);
  });
});
