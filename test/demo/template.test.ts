/**
 * The stand-in reads workflow and action files with GitHub's `@actions/workflow-parser`
 * and evaluates them with `@actions/expressions` (demo/github/runner/template.ts,
 * workflow.ts, steps.ts): what the shipped files rely on, and what GitHub refuses.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readActionMetadata } from '../../demo/github/runner/steps.js';
import { jobTimeoutMinutes } from '../../demo/github/runner/runs.js';
import { evaluateCondition, evaluateString, evaluateStringMap, TemplateError } from '../../demo/github/runner/template.js';
import { parseWorkflowFile, type WorkflowFile } from '../../demo/github/runner/workflow.js';

async function workflow(text: string): Promise<WorkflowFile> {
  const wf = await parseWorkflowFile('.github/workflows/t.yml', text);
  if ('error' in wf) throw new Error(wf.error);
  return wf;
}

const repo = { variables: { STORE: 'dir:/s' } } as never;

describe('the shipped prebuild.yml, read by GitHub’s parser', () => {
  let wf: WorkflowFile;
  beforeAll(async () => {
    wf = await workflow(readFileSync('.github/workflows/prebuild.yml', 'utf8'));
  });

  it('takes timeout-minutes from the dispatched input, fractions too, 60 when empty', () => {
    const minutes = (value: string) => jobTimeoutMinutes({ repo, wf, inputs: { 'timeout-minutes': value } }, {}, wf.jobs[0]!);
    expect([minutes('15'), minutes('0.05'), minutes('')]).toEqual([15, 0.05, 60]);
    expect(() => minutes('-1')).toThrow(TemplateError);
  });

  it('passes every secret to the action as pretty JSON and names the run with the contract’s run name', () => {
    const step = wf.jobs[0]!.steps.find((s) => s.uses?.endsWith('/action@v1'))!;
    const ctx = {
      contexts: {
        github: { sha: 'f'.repeat(40) },
        inputs: { configuration: 'web', sha: '', base: '', 'prebuild-id': '4' },
        vars: { PREBUILDS_STORE: 'dir:/s' },
        secrets: { GITHUB_TOKEN: 'ghs_x', NPM_TOKEN: 'n"1' },
        steps: {},
        job: {},
        runner: {},
        env: {},
        strategy: {},
        matrix: {},
        needs: {},
      },
    };
    const withArgs = evaluateStringMap(step.with, ctx);
    expect(withArgs.secrets).toBe('{\n  "GITHUB_TOKEN": "ghs_x",\n  "NPM_TOKEN": "n\\"1"\n}');
    expect(withArgs).toMatchObject({ configuration: 'web', sha: 'f'.repeat(40), store: 'dir:/s', 'prebuild-id': '4' });
    expect(evaluateString(wf.runName!, ctx)).toBe(`Prebuild #4 (web) `);
  });
});

describe('expressions', () => {
  it('adds success() to a condition without a status function, as GitHub does', async () => {
    const wf = await workflow(`on: push
jobs:
  a:
    runs-on: x
    steps:
      - if: inputs.go == 'YES'
        run: echo plain
      - if: failure() || inputs.go == 'yes'
        run: echo status
`);
    const [plain, status] = wf.jobs[0]!.steps;
    const ctx = (s: 'success' | 'failure') => ({ contexts: { inputs: { go: 'yes' } }, status: s });
    expect([evaluateCondition(plain!.if, ctx('success')), evaluateCondition(plain!.if, ctx('failure'))]).toEqual([true, false]);
    expect([evaluateCondition(status!.if, ctx('success')), evaluateCondition(status!.if, ctx('failure'))]).toEqual([true, true]);
  });

  it('refuses a context where GitHub does not allow it, at parse time', async () => {
    const wf = await parseWorkflowFile(
      '.github/workflows/t.yml',
      'on: push\nrun-name: ${{ secrets.X }}\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n',
    );
    expect(wf).toEqual({ error: expect.stringContaining("Unrecognized named-value: 'secrets'") });
  });

  it('fails an expression naming an unknown function with the library’s message', () => {
    expect(() => evaluateCondition({ expression: "hashFiles('a')" } as never, { contexts: {}, status: 'success' })).toThrow(
      /Unrecognized function: 'hashFiles'/,
    );
  });
});

describe('action.yml, read by GitHub’s action parser', () => {
  it('loads the shipped actions', async () => {
    for (const dir of ['action', 'action/restore']) {
      const meta = await readActionMetadata(dir);
      expect(meta.using).toBe('node24');
      expect(Object.keys(meta.inputs)).toContain('secrets');
    }
  });

  it('refuses an expression in a description, as GitHub fails to load such an action', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'action-'));
    writeFileSync(
      join(dir, 'action.yml'),
      'name: x\ndescription: y\ninputs:\n  token:\n    description: pass ${{ secrets.TOKEN }}\nruns:\n  using: node24\n  main: index.js\n',
    );
    await expect(readActionMetadata(dir)).rejects.toThrow(/Unrecognized named-value: 'secrets'/);
  });
});
