import fs from 'node:fs';
import fc from 'fast-check';
import yaml from 'js-yaml';
import {
  DispatchInputs,
  JOB_INPUTS,
  encodeResult,
  parseResultStepName,
  parseRunName,
  PREBUILD_STEP_ID,
  RESULT_ANNOTATION_TITLE,
  RESULT_OUTPUT,
  resultStepName,
  runName,
  type PrebuildResult,
} from '../../src/lifecycle/contract.js';

/** The app↔action contract (src/lifecycle/contract.ts) against the files that carry it. */
describe('the app↔action contract', () => {
  const workflow = yaml.load(fs.readFileSync('.github/workflows/prebuild.yml', 'utf8')) as Record<string, any>;
  const action = yaml.load(fs.readFileSync('action/action.yml', 'utf8')) as Record<string, any>;
  const names = Object.values(DispatchInputs);

  it('the shipped workflow declares every dispatch input, and the action takes each of them but the job inputs', () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual([...names].sort());
    for (const name of names.filter((n) => !JOB_INPUTS.includes(n))) expect(Object.keys(action.inputs)).toContain(name);
    for (const name of JOB_INPUTS) expect(Object.keys(action.inputs)).not.toContain(name);
  });

  it("the job's timeout-minutes is the dispatched timeout-minutes input, 60 when empty", () => {
    expect(workflow.jobs.prebuild['timeout-minutes']).toBe(`\${{ fromJSON(inputs.${DispatchInputs.TimeoutMinutes} || '60') }}`);
  });

  it('stays within the 10 workflow_dispatch inputs older GitHub Enterprise Server allows (github.com: 25)', () => {
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).length).toBeLessThanOrEqual(10);
  });

  it("the workflow's run-name is the contract's runName", () => {
    const inputs = Object.fromEntries(names.map((n) => [n, `\${{ inputs.${n} }}`])) as Parameters<typeof runName>[0];
    expect(workflow['run-name']).toBe(runName(inputs));
  });

  it('parses back every run name it makes, whatever the configuration is called', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.string({ minLength: 1 }).filter((s) => s.trim() === s && !/[\n\r]/.test(s)),
        fc.stringMatching(/^[0-9a-f]{40}$/),
        (id, configuration, sha) => {
          const parsed = parseRunName(runName({ 'prebuild-id': String(id), configuration, sha }));
          expect(parsed).toEqual({ prebuildId: id, configuration });
        },
      ),
    );
  });

  it("the workflow's last step carries the action's result output in its name, in the contract's form", () => {
    const steps = workflow.jobs.prebuild.steps as Array<Record<string, any>>;
    const prebuildStep = steps.find((s) => s.id === PREBUILD_STEP_ID);
    expect(prebuildStep?.uses).toMatch(/\/action@/);
    expect(steps.at(-1)!.name).toBe(`${RESULT_ANNOTATION_TITLE} \${{ steps.${PREBUILD_STEP_ID}.outputs.${RESULT_OUTPUT} }}`);
    expect(steps.at(-1)!.if).toBeUndefined(); // runs only when the action succeeded (the default success())
    expect(Object.keys(action.outputs)).toContain(RESULT_OUTPUT);
  });

  it('a result travels through the result step name and back, whatever it holds; other or cut names carry none', () => {
    const result = fc.record({
      prebuildId: fc.string(),
      configuration: fc.string(),
      sha: fc.stringMatching(/^[0-9a-f]{40}$/),
      snapshotKey: fc.string(),
      snapshotBytes: fc.nat(),
      durationMs: fc.nat(),
      hooks: fc.dictionary(
        fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'),
        fc.nat(),
      ),
      base: fc.option(fc.string(), { nil: null }),
      identity: fc.string(),
    });
    fc.assert(fc.property(result, (r: PrebuildResult) => expect(parseResultStepName(resultStepName(r))).toEqual(r)));
    const r: PrebuildResult = {
      prebuildId: '7',
      configuration: 'web',
      sha: 'a'.repeat(40),
      snapshotKey: 'k',
      snapshotBytes: 1,
      durationMs: 2,
      hooks: {},
      base: null,
      identity: 'i',
    };
    expect(resultStepName(r)).toBe(`prebuild-result ${encodeResult(r)}`);
    expect(parseResultStepName(resultStepName(r).slice(0, -1))).toBeNull();
    expect(parseResultStepName('Prebuild')).toBeNull();
    expect(parseResultStepName('prebuild-result ')).toBeNull(); // the action failed: its output is empty
  });

  it('a run started from the Actions tab carries no id; other names are not prebuild runs', () => {
    expect(parseRunName('Prebuild # () ')).toEqual({ prebuildId: null, configuration: '' });
    expect(parseRunName("Prebuild # (Bob's env (x)) ")).toEqual({ prebuildId: null, configuration: "Bob's env (x)" });
    expect(parseRunName('CI')).toBeNull();
    expect(parseRunName('Deploy Prebuild #3 (web) abc')).toBeNull();
  });
});
