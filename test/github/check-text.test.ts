/** The "Prebuild configuration" check run text: problems, then warnings (issue 12: a task calling `gp`). */
import { parseGitpod } from '../../src/config/index.js';
import { configurationOutput } from '../../src/github/check-text.js';

describe('configurationOutput', () => {
  it('lists warnings, with file:line:column, and concludes neutral when there are only warnings', () => {
    const { warnings } = parseGitpod('.gitpod.yml', 'tasks:\n  - init: make\n    command: gp await-port 3000 && make run\n');
    const out = configurationOutput('0123456789abcdef', [], warnings);
    expect(out.conclusion).toBe('neutral');
    expect(out.title).toBe('⚠️ 1 configuration warning');
    expect(out.summary).toBe(`**Warnings** (the configuration is used as it is):\n\n- .gitpod.yml:3:14: ${warnings[0]!.message} (at tasks[0].command)`);
    expect(out.summary).toContain('calls `gp` in `command`');
  });

  it('puts problems first and concludes failure', () => {
    const problem = { file: '.github/prebuilds.yml', line: 2, column: 5, message: 'unknown key `x`' };
    const warning = { file: '.gitpod.yml', line: 1, column: 1, message: 'unknown top-level key `y` is ignored', keyPath: 'y' };
    const out = configurationOutput('0123456789abcdef', [problem, problem], [warning]);
    expect(out).toMatchObject({ conclusion: 'failure', title: '❌ 2 configuration problems' });
    expect(out.summary).toBe(
      'The prebuild configuration at `0123456` has problems:\n\n- .github/prebuilds.yml:2:5: unknown key `x`\n- .github/prebuilds.yml:2:5: unknown key `x`\n\n**Warnings** (the configuration is used as it is):\n\n- .gitpod.yml:1:1: unknown top-level key `y` is ignored (at y)',
    );
  });
});
