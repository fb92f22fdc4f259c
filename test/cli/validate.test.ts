/** `prebuilds validate`: real git repositories, real processes, two runs in a temporary copy. */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { register } from '../../src/cli/validate.js';
import type { ValidateOutcome } from '../../src/lifecycle/validate.js';
import { git } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { runCli } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

async function repoWith(files: Record<string, string>): Promise<string> {
  const repo = await tempDir('validate-');
  dirs.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), text);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'init');
  return repo;
}

const devcontainer = (lifecycle: object) => JSON.stringify({ image: 'x', ...lifecycle });

describe('prebuilds validate', () => {
  it('passes reentrant commands, prints what ran twice with timings, and leaves the checkout untouched', async () => {
    const repo = await repoWith({
      '.devcontainer/devcontainer.json': devcontainer({
        onCreateCommand: 'mkdir -p build && echo dep > build/dep.txt',
        updateContentCommand: ['sh', '-c', 'cat src.txt > build/out.txt'],
      }),
      'src.txt': 'v1\n',
      '.gitignore': 'build/\n',
    });
    const run = await runCli(register, ['validate', repo]);
    expect(run.error).toBeNull();
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(
      /^configuration: devcontainer\nrun 1: \d+(\.\d)? m?s\n  onCreateCommand: .*\n  updateContentCommand: .*\nrun 2: .*\n  onCreateCommand: .*\n  updateContentCommand: .*\nok: /,
    );
    expect(run.stderr.match(/▶ onCreateCommand: mkdir -p build/g)).toHaveLength(2);
    expect(await readdir(repo)).not.toContain('build'); // ran in the copy
    expect(git(repo, 'worktree', 'list').split('\n')).toHaveLength(1); // the temporary worktree is gone
  });

  it('fails, naming the command, when a command is not reentrant (mkdir without -p)', async () => {
    const repo = await repoWith({
      '.devcontainer/devcontainer.json': devcontainer({ onCreateCommand: 'mkdir build', updateContentCommand: 'true' }),
      '.gitignore': 'build/\n',
    });
    const run = await runCli(register, ['validate', repo]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('run 2: FAILED in onCreateCommand');
    expect(run.stdout).toMatch(/FAILED: Not reentrant: onCreateCommand \(mkdir build\) failed with exit code 1 on the second run/);
    expect(run.stderr).toMatch(/File exists/);
  });

  it('fails when the second run changes tracked files (appends to a tracked file), naming the hook and the file; --json', async () => {
    const repo = await repoWith({
      '.devcontainer/devcontainer.json': devcontainer({ onCreateCommand: 'true', updateContentCommand: 'echo "- built" >> NOTES.md' }),
      'NOTES.md': '# notes\n',
    });
    const run = await runCli(register, ['--json', 'validate', repo]);
    expect(run.exitCode).toBe(1);
    const outcome = JSON.parse(run.stdout) as ValidateOutcome;
    expect(outcome).toMatchObject({ ok: false, changed: ['NOTES.md'], changedBy: 'updateContentCommand', changedByFirstRun: ['NOTES.md'], failure: null });
    expect(outcome.runs).toHaveLength(2);
    expect(outcome.message).toBe('Not reentrant: updateContentCommand changed tracked files again on the second run: NOTES.md');
    expect(await readFile(path.join(repo, 'NOTES.md'), 'utf8')).toBe('# notes\n');
  });

  it('validates local, uncommitted changes of the configuration', async () => {
    const repo = await repoWith({ '.devcontainer/devcontainer.json': devcontainer({ onCreateCommand: 'true' }) });
    await writeFile(path.join(repo, '.devcontainer/devcontainer.json'), devcontainer({ updateContentCommand: 'mkdir out' }));
    const run = await runCli(register, ['validate', repo]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('updateContentCommand (mkdir out) failed with exit code 1 on the second run');
  });

  it("runs a .gitpod.yml task's before + init twice", async () => {
    const repo = await repoWith({
      '.gitpod.yml': 'tasks:\n  - before: echo before\n    init: mkdir cache\n    command: npm start\n',
      '.github/prebuilds.yml': 'prebuilds:\n  - name: gp\n    gitpod: .gitpod.yml\n',
    });
    const run = await runCli(register, ['validate', repo]);
    expect(run.error).toBeNull();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('configuration: gp');
    expect(run.stdout).toMatch(/Not reentrant: updateContentCommand \(\{ echo before \} && \{ mkdir cache \}\) failed/);
  });

  it('copies a folder that is not a git checkout with cp -a', async () => {
    const folder = await tempDir('plain-');
    dirs.push(folder);
    await mkdir(path.join(folder, '.devcontainer'));
    await writeFile(path.join(folder, '.devcontainer/devcontainer.json'), devcontainer({ onCreateCommand: 'echo x > generated.txt' }));
    const run = await runCli(register, ['validate', folder]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('not a git work tree: committed as a baseline');
  });

  it('reports a configuration problem as an error with file:line:column', async () => {
    const repo = await repoWith({ '.devcontainer/devcontainer.json': '{\n  "image": "x",\n  "onCreateCommand": 42\n}\n' });
    const run = await runCli(register, ['validate', repo]);
    expect(run.error?.message).toMatch(/\.devcontainer\/devcontainer\.json:3:\d+: /);
  });
});
