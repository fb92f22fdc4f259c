import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/simulate.js';
import { parseTimeline, simulate, TimelineError, type SimEvent } from '../../src/simulate/index.js';
import { REPO_ROOT, tempDir } from '../helpers/tmp.js';

const example = (name: string) => parseTimeline(fs.readFileSync(path.join(REPO_ROOT, 'examples', name), 'utf8'));
const runs = (r: Awaited<ReturnType<typeof simulate>>) => r.prebuilds.filter((p) => p.startedAt !== null).map((p) => p.sha);

describe('simulate: the seed 002 examples (examples/*.jsonl)', () => {
  it('five quick pushes, no configuration change: runs for push 1 and push 5', async () => {
    const report = await simulate(example('codespaces-five-pushes.jsonl'));
    expect(runs(report)).toEqual(['c0ffee1', 'c0ffee5']);
    expect(report.totals).toEqual({ runs: 2, superseded: 3, bypassed: 0, skipped: 0, redeliveries: 0 });
    expect(report.prebuilds.map((p) => [p.sha, p.state, p.startedAt, p.endedAt])).toEqual([
      ['c0ffee1', 'success', 0, 600],
      ['c0ffee2', 'superseded', null, 60],
      ['c0ffee3', 'superseded', null, 90],
      ['c0ffee4', 'superseded', null, 120],
      ['c0ffee5', 'success', 600, 1200],
    ]);
    expect(report.prebuilds.map((p) => p.trigger)).toEqual([
      'first prebuild of this configuration on this branch',
      'every push',
      'every push',
      'every push',
      'every push',
    ]);
    expect(report.estimate).toEqual({ actionsMinutes: 20, minutesSavedByCollapsing: 30 });
  });

  it('a devcontainer change in push 3: push 3 runs at once as well (runs 1, 3, 5)', async () => {
    const report = await simulate(example('codespaces-five-pushes-config-change.jsonl'));
    expect(runs(report)).toEqual(['c0ffee1', 'c0ffee3', 'c0ffee5']);
    expect(report.totals).toMatchObject({ runs: 3, superseded: 2, bypassed: 1, skipped: 0 });
    const third = report.prebuilds.find((p) => p.sha === 'c0ffee3')!;
    expect([third.trigger, third.startedAt, third.endedAt]).toEqual(['configuration changed', 60, 660]);
    expect(report.prebuilds.find((p) => p.sha === 'c0ffee5')!.startedAt).toBe(660);
    expect(report.decisions.find((d) => d.sha === 'c0ffee3')!.reason).toContain('bypass');
  });

  it('gives the same answer with a restart in the middle (the store is the source of truth)', async () => {
    const events: SimEvent[] = [...example('codespaces-five-pushes.jsonl'), { type: 'restart', at: 100 }, { type: 'restart', at: 700 }];
    const report = await simulate(events);
    expect(runs(report)).toEqual(['c0ffee1', 'c0ffee5']);
  });

  it('--duration changes when runs end', async () => {
    const report = await simulate(example('codespaces-five-pushes.jsonl'), { durationSeconds: 45 });
    // 1 runs 0–45, 2 (waiting since 30) 45–90, 3 (waiting since 60) 90–135: a run ending at 90
    // completes before the push at 90, which then waits and is superseded by 5 at 120; 5 runs 135–180
    expect(runs(report)).toEqual(['c0ffee1', 'c0ffee2', 'c0ffee3', 'c0ffee5']);
    expect(report.prebuilds.find((p) => p.sha === 'c0ffee4')!.state).toBe('superseded');
  });
});

describe('simulate: events', () => {
  const push = (at: number, sha: string, extra: Record<string, unknown> = {}): SimEvent => ({ type: 'push', at, branch: 'main', sha, ...extra }) as SimEvent;

  it('a complete event ends its run at its time, with its conclusion', async () => {
    const report = await simulate([push(0, 'a'), push(10, 'b'), { type: 'complete', at: 50, sha: 'a', conclusion: 'failure' }]);
    expect(report.prebuilds.map((p) => [p.sha, p.state, p.startedAt, p.endedAt])).toEqual([
      ['a', 'failure', 0, 50],
      ['b', 'success', 50, 650],
    ]);
  });

  it('a complete for a sha with no run in progress is a warning', async () => {
    const report = await simulate([push(0, 'a'), { type: 'complete', at: 5, sha: 'zzz', conclusion: 'success' }]);
    expect(report.warnings).toEqual(['complete at 5s: no run of zzz in progress; ignored']);
  });

  it('pause keeps the waiting push until resume', async () => {
    const report = await simulate([
      { type: 'pause', at: 0, configuration: 'devcontainer' },
      push(1, 'a'),
      push(2, 'b'),
      { type: 'resume', at: 1000, configuration: 'devcontainer' },
    ]);
    expect(report.prebuilds.map((p) => [p.sha, p.state, p.startedAt])).toEqual([
      ['a', 'superseded', null],
      ['b', 'success', 1000],
    ]);
  });

  it('config events set branches, commitInterval and triggerFiles; skipped pushes are explained', async () => {
    const report = await simulate([
      { type: 'config', at: 0, configuration: { name: 'web', branches: ['main'], commitInterval: 3, triggerFiles: ['package-lock.json'] } },
      push(0, 'a'),
      push(700, 'b'),
      push(1400, 'c', { files: ['package-lock.json'] }),
      push(2100, 'd', { branch: 'feature/x' }),
      push(2800, 'e', { commits: 3 }),
    ]);
    expect(runs(report)).toEqual(['a', 'c', 'e']);
    expect(report.totals.skipped).toBe(2);
    expect(report.decisions.map((d) => d.reason.split(';')[0])).toEqual([
      'first prebuild of this configuration on this branch',
      'interval 1/3',
      'trigger file package-lock.json changed',
      'branch-unmatched: feature/x is not in main',
      'interval 3/3',
    ]);
  });

  it('a redelivered push (same delivery id) is ignored', async () => {
    const report = await simulate([push(0, 'a', { delivery: 'd1' }), push(1, 'a', { delivery: 'd1' })]);
    expect(report.totals).toMatchObject({ runs: 1, redeliveries: 1 });
  });

  it('an identity per configuration: a configuration missing from it is skipped', async () => {
    const report = await simulate([
      { type: 'config', at: 0, configuration: { name: 'one' } },
      { type: 'config', at: 0, configuration: { name: 'two' } },
      push(0, 'a', { identity: { one: 'X' } }),
    ]);
    expect(report.prebuilds.map((p) => p.configuration)).toEqual(['one']);
    expect(report.decisions.find((d) => d.configuration === 'two')?.reason).toBe('configuration does not resolve at this commit');
  });

  it('parse errors name the line', () => {
    expect(() => parseTimeline('{"at":0,"type":"push","branch":"main","sha":"a"}\n\n{"at":1,"type":"pusj"}')).toThrow(
      new TimelineError(3, 'unknown event type "pusj": expected push, complete, restart, pause, resume or config'),
    );
    expect(() => parseTimeline('{"at":-1,"type":"restart"}')).toThrow('line 1: "at" must be a number of seconds ≥ 0');
    expect(() => parseTimeline('{oops')).toThrow(/^line 1: not valid JSON/);
  });
});

describe('prebuilds simulate (CLI)', () => {
  const cli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    let code = 0;
    const program = new Command().exitOverride();
    register(program, {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
      readFile: (p) => fs.promises.readFile(p, 'utf8'),
      setExitCode: (c) => (code = c),
    });
    await program.parseAsync(['simulate', ...args], { from: 'user' });
    return { out: out.join(''), err: err.join(''), code };
  };

  it('prints the report as JSON', async () => {
    const r = await cli([path.join(REPO_ROOT, 'examples/codespaces-five-pushes.jsonl'), '--duration', '300']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.totals.runs).toBe(2);
    expect(report.estimate.actionsMinutes).toBe(10);
  });

  it('reports bad input on stderr with exit code 1', async () => {
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 't.jsonl');
      fs.writeFileSync(file, '{"at":0,"type":"push"}\n');
      const r = await cli([file]);
      expect([r.code, r.out, r.err]).toEqual([1, '', 'prebuilds simulate: line 1: "branch" must be a non-empty string\n']);
      expect((await cli([])).err).toContain('give a timeline FILE, or --git DIR');
    } finally {
      tmp.cleanup();
    }
  });
});
