/** The "Prebuild configuration" check run text: problems, then warnings (issue 12: a task calling `gp`). */
import { parseGitpod } from '../../src/config/index.js';
import { configurationOutput, readyOutput } from '../../src/github/check-text.js';
import type { PrebuildRecord } from '../../src/store/types.js';

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

describe('readyOutput', () => {
  const record = {
    id: 42,
    configuration: 'web',
    sha: 'abcdef0123456789abcdef0123456789abcdef01',
    trigger: 'push',
    durationMs: 65_000,
    snapshotBytes: 21_000_000,
    snapshotKey: 'prebuilds-v1/web/abcdef0123456789abcdef0123456789abcdef01/42',
    hooks: { onCreateCommand: 40_000 },
    baseKey: null,
    baseSha: null,
    baseReason: 'first prebuild',
    workflowRunUrl: null,
  } as unknown as PrebuildRecord;

  it('renders the time breakdown the action reported, with each phase’s share of its step', () => {
    const out = readyOutput(record, { durationMs: 60_000, timings: { setup: 120, onCreateCommand: 40_000, save: 1500 } });
    expect(out.summary).toContain('**Time breakdown** (action step: 1m 00s)');
    expect(out.summary).toContain(
      '| Phase | Duration | Share |\n|---|---|---|\n| setup | 120 ms | 0% |\n| onCreateCommand | 40.0 s | 67% |\n| save | 1.5 s | 3% |\n| other | 18.4 s | 31% |',
    );
  });

  it('renders a result without timings (an older action), or none at all, without a breakdown', () => {
    for (const out of [readyOutput(record, { durationMs: 60_000 }), readyOutput(record), readyOutput(record, null)]) {
      expect(out.title).toBe('🚀 Prebuild ready');
      expect(out.summary).toContain('| onCreateCommand | 40s |');
      expect(out.summary).not.toContain('Time breakdown');
    }
  });
});
