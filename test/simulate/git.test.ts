import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { simulate, timelineFromGit, type PushEvent } from '../../src/simulate/index.js';
import { tempDir } from '../helpers/tmp.js';

const PREBUILDS_YML = 'prebuilds:\n  - devcontainer: .devcontainer/devcontainer.json\n    branches: [main]\n';

/** A repository whose commits are 30 s apart, starting at epoch 1 700 000 000. */
function makeRepo(dir: string) {
  let t = 1_700_000_000;
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      env: { ...process.env, GIT_AUTHOR_DATE: `@${t} +0000`, GIT_COMMITTER_DATE: `@${t} +0000`, GIT_CONFIG_NOSYSTEM: '1', HOME: dir },
      encoding: 'utf8',
    });
  const commit = (files: Record<string, string>, message: string) => {
    for (const [f, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), content);
    }
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message);
    t += 30;
  };
  git('init', '-q', '-b', 'main');
  return { git, commit };
}

describe('simulate --git: pushes from a first-parent history', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('one push per commit at its commit time; identities from the config module (a setup-script change bypasses)', async () => {
    const { commit } = makeRepo(tmp.dir);
    const devcontainer = '{ // comment\n "image": "node:20", "onCreateCommand": "bash .devcontainer/setup.sh" }';
    commit({ '.devcontainer/devcontainer.json': devcontainer, '.devcontainer/setup.sh': 'npm ci\n', 'src/a.ts': '1' }, 'one');
    commit({ 'src/a.ts': '2' }, 'two');
    commit({ '.devcontainer/setup.sh': 'npm ci && npm run build\n' }, 'three: the setup script changes');
    commit({ 'src/b.ts': '1' }, 'four');
    commit({ 'src/a.ts': '3' }, 'five');

    const events = await timelineFromGit({ dir: tmp.dir, prebuildsYml: PREBUILDS_YML });
    expect(events[0]).toMatchObject({ type: 'config', configuration: { name: 'devcontainer', branches: ['main'], commitInterval: 1 } });
    const pushes = events.filter((e): e is PushEvent => e.type === 'push');
    expect(pushes.map((p) => p.at)).toEqual([0, 30, 60, 90, 120]);
    expect(pushes[1]!.files).toEqual(['src/a.ts']);
    const ids = pushes.map((p) => (p.identity as Record<string, string>).devcontainer);
    expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id!))).toBe(true);
    expect(new Set(ids.slice(0, 2)).size).toBe(1);
    expect(ids[2]).not.toBe(ids[1]);
    expect(new Set(ids.slice(2)).size).toBe(1);

    const report = await simulate(events);
    expect(report.prebuilds.filter((p) => p.startedAt !== null).map((p) => pushes.findIndex((x) => x.sha === p.sha) + 1)).toEqual([1, 3, 5]);
    expect(report.totals).toMatchObject({ runs: 3, superseded: 2, bypassed: 1 });
  });

  it('a commit before the environment file exists is skipped for that configuration; merges count once with their files', async () => {
    const { git, commit } = makeRepo(tmp.dir);
    commit({ 'README.md': 'hi' }, 'readme');
    commit({ '.devcontainer/devcontainer.json': '{"image":"node:20"}' }, 'devcontainer');
    git('checkout', '-q', '-b', 'feature');
    commit({ 'src/x.ts': '1' }, 'x');
    commit({ 'src/y.ts': '1' }, 'y');
    git('checkout', '-q', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');

    const events = await timelineFromGit({ dir: tmp.dir }); // the repository's own configuration (the no-file default)
    const pushes = events.filter((e): e is PushEvent => e.type === 'push');
    expect(pushes).toHaveLength(3);
    expect(pushes[0]!.identity).toEqual({});
    expect(pushes[2]!.files).toEqual(['src/x.ts', 'src/y.ts']);
    const report = await simulate(events, { durationSeconds: 10 });
    expect(report.decisions[0]).toMatchObject({ configuration: 'devcontainer', decision: 'skipped', reason: 'configuration does not resolve at this commit' });
    expect(report.totals.runs).toBe(2);
  });

  it('a --config file with problems is refused with file:line:column', async () => {
    const { commit } = makeRepo(tmp.dir);
    commit({ 'a.txt': 'a' }, 'a');
    await expect(timelineFromGit({ dir: tmp.dir, prebuildsYml: 'prebuilds:\n  - retention: lots\n' })).rejects.toThrow(/\.github\/prebuilds\.yml:2:/);
  });
});
