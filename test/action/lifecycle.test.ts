import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDevcontainer, parseGitpod } from '../../src/config/index.js';
import { groupAlive, groupMembers } from '../../src/lifecycle/process-groups.js';
import { LeftoverTracker, LifecycleError, runHook } from '../../src/lifecycle/run-hooks.js';
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
    expect(run.commands).toEqual({ onCreateCommand: expect.any(Number) });
    expect(run.commands.onCreateCommand).toBeLessThanOrEqual(run.durationMs);
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

  it('measures a command from its start to its exit', async () => {
    const c = await ctx();
    const run = await runHook('onCreateCommand', { kind: 'shell', command: 'sleep 0.3' }, c);
    expect(run.commands.onCreateCommand).toBeGreaterThanOrEqual(290);
    expect(run.durationMs).toBeGreaterThanOrEqual(run.commands.onCreateCommand!);
  });

  it('is done when the command exits, not when a background child closes the output; the child is reported and stopped on request', async () => {
    const c = await ctx();
    const leftovers = new LeftoverTracker();
    // The background child inherits stdout and holds it for 60 s; its late output within the drain period is kept.
    const run = await runHook('onCreateCommand', { kind: 'shell', command: '(sleep 60 &) ; (sleep 0.1; echo late) & echo early' }, { ...c, leftovers });
    expect(run.commands.onCreateCommand).toBeLessThan(60_000);
    expect(c.log.text()).toContain('early');
    expect(c.log.text()).toContain('late');
    const groups = leftovers.list();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ origin: 'onCreateCommand', processes: [{ pid: expect.any(Number), command: 'sleep 60' }] });
    expect(c.log.warnings).toEqual([
      expect.stringMatching(/^onCreateCommand left 1 process running \(process group \d+: \d+ sleep 60\); .* it is stopped at the end of the prebuild$/),
    ]);
    const pid = groups[0]!.processes[0]!.pid;
    expect(groupAlive(groups[0]!.pgid)).toBe(true);
    expect((await leftovers.killAll()).map((g) => g.pgid)).toEqual([groups[0]!.pgid]);
    expect(groupAlive(groups[0]!.pgid)).toBe(false);
    expect(groupMembers(groups[0]!.pgid).map((p) => p.pid)).not.toContain(pid);
  });

  it('reports leftovers of a parallel command by its name, and none for a command that leaves nothing', async () => {
    const c = await ctx();
    const leftovers = new LeftoverTracker();
    await runHook(
      'postCreateCommand',
      { kind: 'parallel', commands: { db: { kind: 'shell', command: 'sleep 30 > /dev/null 2>&1 &' }, ok: { kind: 'shell', command: 'true' } } },
      { ...c, leftovers },
    );
    expect(leftovers.list().map((g) => g.origin)).toEqual(['postCreateCommand "db"']);
    await leftovers.killAll();
    // Without a tracker (restore mode: services for the next CI steps) the leftover is only reported.
    const c2 = await ctx();
    await runHook('postCreateCommand', { kind: 'shell', command: 'true' }, c2);
    expect(c2.log.warnings).toEqual([]);
  });

  it('runs a Gitpod task as before && init: a failing before fails the hook and init does not run', async () => {
    const c = await ctx();
    const { environment } = parseGitpod('.gitpod.yml', 'tasks:\n  - before: exit 4\n    init: touch init-ran\n');
    const err = await runHook('updateContentCommand', environment!.lifecycle.updateContentCommand!, c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LifecycleError);
    expect((err as LifecycleError).exit.exitCode).toBe(4);
    await expect(readFile(path.join(c.cwd, 'init-ran'))).rejects.toThrow();
    const ok = parseGitpod(
      '.gitpod.yml',
      'tasks:\n  - before: export X=from-before\n    init: echo "$X" > init-ran\n    prebuild: echo prebuild >> init-ran\n',
    );
    await runHook('updateContentCommand', ok.environment!.lifecycle.updateContentCommand!, c);
    expect(await readFile(path.join(c.cwd, 'init-ran'), 'utf8')).toBe('from-before\nprebuild\n');
  });

  it('runs and times a parallel command named __proto__ like any other', async () => {
    const c = await ctx();
    const parsed = parseDevcontainer('d.json', '{"image": "x", "onCreateCommand": {"__proto__": "echo proto > proto.txt", "b": "true"}}');
    const run = await runHook('onCreateCommand', parsed.environment!.lifecycle.onCreateCommand!, c);
    expect(await readFile(path.join(c.cwd, 'proto.txt'), 'utf8')).toBe('proto\n');
    expect(Object.keys(run.commands)).toEqual(['__proto__', 'b']);
    expect(typeof Object.getOwnPropertyDescriptor(run.commands, '__proto__')?.value).toBe('number');
    expect(Object.getPrototypeOf(run.commands)).toBe(Object.prototype);
  });
});
