import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { PREBUILDS_SCHEMA, deriveName, formatProblem, parsePrebuildsYml } from '../../src/config/index.js';
import { ENTRY_KEYS, prebuildsValidator } from '../../src/config/schema.js';
import { repoRoot } from './helpers.js';

const parse = (text: string) => parsePrebuildsYml(text, 'main');

describe('.github/prebuilds.yml', () => {
  it('applies every SPEC.md default', () => {
    const r = parse('prebuilds:\n  - {}\n');
    expect(r.problems).toEqual([]);
    expect(r.settings).toEqual([
      {
        name: 'devcontainer',
        environmentFile: '.devcontainer/devcontainer.json',
        environmentFormat: 'devcontainer',
        branches: ['main'],
        trigger: 'every-push',
        pullRequests: 'same-repository',
        commitInterval: 1,
        triggerFiles: [],
        incremental: true,
        ancestorDepth: 100,
        retention: 3,
        timeoutMinutes: 60,
        paths: ['.'],
        notify: [],
        workflow: 'prebuild.yml',
        secrets: [],
      },
    ]);
    expect(r.locations[0]).toMatchObject({ index: 0, position: { line: 2, column: 5 }, keyPath: 'prebuilds[0]' });
  });

  it('reads every key', () => {
    const r = parse(`# settings
prebuilds:
  - name: web
    devcontainer: ./.devcontainer/web/devcontainer.json
    branches: [main, "release/*"]
    trigger: configuration-change
    schedule: "0  3 * * MON-FRI"
    pullRequests: "off"
    commitInterval: 5
    triggerFiles: [package-lock.json, "**/*.gemspec"]
    incremental: false
    ancestorDepth: 20
    retention: 7
    timeoutMinutes: 90
    paths: [., ./node_modules/]
    notify: ["@octocat", "acme/devs"]
    workflow: prebuilds.yaml
    secrets: [NPM_TOKEN, REGISTRY_PASSWORD]
    caches: [pip, npm]
  - gitpod: .gitpod.yml
    branches: "feature/**"
    trigger: schedule
    schedule: "*/30 * * * *"
`);
    expect(r.problems).toEqual([]);
    expect(r.settings[0]).toEqual({
      name: 'web',
      environmentFile: '.devcontainer/web/devcontainer.json',
      environmentFormat: 'devcontainer',
      branches: ['main', 'release/*'],
      trigger: 'configuration-change',
      schedule: '0 3 * * MON-FRI',
      pullRequests: 'off',
      commitInterval: 5,
      triggerFiles: ['package-lock.json', '**/*.gemspec'],
      incremental: false,
      ancestorDepth: 20,
      retention: 7,
      timeoutMinutes: 90,
      paths: ['.', 'node_modules'],
      notify: ['@octocat', '@acme/devs'],
      workflow: 'prebuilds.yaml',
      secrets: ['NPM_TOKEN', 'REGISTRY_PASSWORD'],
      caches: ['npm', 'pip'],
    });
    expect(r.settings[1]).toMatchObject({
      name: 'gitpod',
      environmentFile: '.gitpod.yml',
      environmentFormat: 'gitpod',
      branches: ['feature/**'],
      trigger: 'schedule',
      schedule: '*/30 * * * *',
    });
    expect(r.locations[1]).toMatchObject({ position: { line: 20, column: 13 }, keyPath: 'prebuilds[1].gitpod' });
  });

  it('suggests the key that was meant', () => {
    const r = parse('prebuilds:\n  - name: a\n    retension: 5\n    pull_requests: off\n');
    expect(r.settings).toEqual([]);
    expect(r.problems).toEqual([
      {
        file: '.github/prebuilds.yml',
        line: 3,
        column: 5,
        message: 'unknown key `retension` in a prebuild entry; did you mean `retention`?',
        keyPath: 'prebuilds[0].retension',
      },
      {
        file: '.github/prebuilds.yml',
        line: 4,
        column: 5,
        message: 'unknown key `pull_requests` in a prebuild entry; did you mean `pullRequests`?',
        keyPath: 'prebuilds[0].pull_requests',
      },
    ]);
    expect(formatProblem(r.problems[0]!)).toBe(
      '.github/prebuilds.yml:3:5: unknown key `retension` in a prebuild entry; did you mean `retention`? (at prebuilds[0].retension)',
    );
    const top = parse('prebuild:\n  - {}\n');
    expect(top.problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [1, 1, 'missing `prebuilds:` (a list of prebuild configurations)'],
      [1, 1, 'unknown key `prebuild` at the top of the file; did you mean `prebuilds`?'],
    ]);
    expect(parse('prebuilds:\n  - zzzzzzzz: 1\n').problems[0]!.message).toMatch(/known keys: name, devcontainer/);
  });

  it('reports wrong types at their line and column', () => {
    const r = parse(`prebuilds:
  - name: ok
  - name: bad
    retention: three
    incremental: "yes"
    branches: {main: true}
    trigger: every_push
    commitInterval: 0
    notify: [ "not a user!" ]
    workflow: .github/workflows/x.yml
`);
    expect(r.settings.map((s) => s.name)).toEqual(['ok']);
    const brief = r.problems.map((p) => `${p.line}:${p.column} ${p.keyPath} ${p.message}`);
    expect(brief).toEqual([
      '4:16 prebuilds[1].retention `retention` must be a whole number, found a string',
      '5:18 prebuilds[1].incremental `incremental` must be `true` or `false`, found a string',
      '6:15 prebuilds[1].branches `branches` must be a string or a list of strings, found an object',
      '7:14 prebuilds[1].trigger `trigger` must be one of `every-push`, `configuration-change`, `schedule`; found `every_push`; did you mean `every-push`?',
      '8:21 prebuilds[1].commitInterval `commitInterval` must be >= 1',
      '9:15 prebuilds[1].notify[0] `notify[0]` must name a user (`@octocat`) or a team (`@org/team`)',
      '10:15 prebuilds[1].workflow `workflow` must be the file name of a workflow in `.github/workflows/`, ending in `.yml` or `.yaml`',
    ]);
  });

  it('validates schedules, paths, both formats and `trigger: schedule`', () => {
    const r = parse(`prebuilds:
  - name: a
    schedule: "61 * * * *"
  - name: b
    schedule: "* * *"
  - name: c
    trigger: schedule
  - name: d
    paths: [../outside]
  - name: e
    devcontainer: x.json
    gitpod: .gitpod.yml
  - name: f
    devcontainer: /etc/passwd
  - name: g
    schedule: "0 12 * JAN,jul sun"
`);
    expect(r.settings.map((s) => s.name)).toEqual(['g']);
    expect(r.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '3:15 `schedule`: `61` is not a valid minute (0–59)',
      '5:15 `schedule` must be a cron expression with five fields (minute hour day-of-month month day-of-week)',
      '7:14 `trigger: schedule` needs a `schedule` cron expression, e.g. `schedule: "0 3 * * *"`',
      '9:12 `paths` must stay inside the workspace; `../outside` does not',
      '12:5 use either `devcontainer` or `gitpod` in one entry, not both',
      '14:19 `/etc/passwd` must be a file path inside the repository',
    ]);
  });

  it('derives names and refuses duplicates', () => {
    expect(deriveName('.devcontainer/devcontainer.json')).toBe('devcontainer');
    expect(deriveName('.devcontainer/python/devcontainer.json')).toBe('python');
    expect(deriveName('.devcontainer.json')).toBe('devcontainer');
    expect(deriveName('.gitpod.yml')).toBe('gitpod');
    expect(deriveName('src/cpp/.devcontainer/devcontainer.json')).toBe('cpp');
    expect(deriveName('envs/web.json')).toBe('web');
    const r = parse(`prebuilds:
  - devcontainer: .devcontainer/python/devcontainer.json
  - devcontainer: .devcontainer/devcontainer.json
    branches: [main]
  - name: python
  - {}
`);
    expect(r.settings.map((s) => [s.name, s.environmentFile])).toEqual([
      ['python', '.devcontainer/python/devcontainer.json'],
      ['devcontainer', '.devcontainer/devcontainer.json'],
    ]);
    expect(r.problems.map((p) => `${p.line}:${p.column} ${p.keyPath} ${p.message}`)).toEqual([
      '5:11 prebuilds[2].name duplicate configuration name `python`, already used by prebuilds[0]; give each entry a unique `name`',
      '6:5 prebuilds[3] duplicate configuration name `devcontainer` (derived from its file), already used by prebuilds[1]; give each entry a unique `name`',
    ]);
  });

  it('reports YAML syntax errors and odd documents with positions', () => {
    const syntax = parse('prebuilds:\n  - name: a\n   retention: 3\n');
    expect(syntax.problems).toHaveLength(1);
    expect(syntax.problems[0]).toMatchObject({ file: '.github/prebuilds.yml', line: 3 });
    expect(syntax.problems[0]!.message).toMatch(/^YAML syntax error: /);
    expect(parse('').problems[0]).toMatchObject({ line: 1, column: 1, message: expect.stringMatching(/empty/) });
    expect(parse('# only a comment\n').problems[0]!.message).toMatch(/empty/);
    expect(parse('- a\n- b\n').problems[0]!.message).toMatch(/must be a mapping/);
    expect(parse('prebuilds: {}\n').problems[0]).toMatchObject({ line: 1, column: 12, keyPath: 'prebuilds' });
    expect(parse('prebuilds:\n  - name: a\n    name: b\n').problems[0]!.message).toMatch(/duplicated mapping key/);
    expect(parse('prebuilds: []\n')).toEqual({ settings: [], locations: [], problems: [] });
    expect(parse('_extends: .github\nprebuilds: []\n').problems).toEqual([]);
  });

  it('survives hostile YAML: aliases, deep nesting, huge keys', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      );
    const r = parse(`${bomb.join('\n')}\nprebuilds: []\n`);
    expect(r.problems[0]!.message).toMatch(/too large/);
    expect(parse(`prebuilds: ${'['.repeat(5000)}${']'.repeat(5000)}\n`).problems[0]!.line).toBe(1);
    const huge = parse(`prebuilds:\n  - ${'k'.repeat(1_000_000)}: 1\n`);
    // The key is clipped; the rest of the message is the list of known keys.
    expect(huge.problems[0]!.message.length).toBeLessThan(400);
    expect(huge.problems[0]!.line).toBe(2);
  });
});

describe('secrets', () => {
  it('takes one name or a list; refuses names GitHub does not allow for secrets', () => {
    expect(parse('prebuilds:\n  - secrets: NPM_TOKEN\n').settings[0]!.secrets).toEqual(['NPM_TOKEN']);
    for (const bad of ['GITHUB_TOKEN', 'github_x', '1TOKEN', 'MY-TOKEN']) {
      const r = parse(`prebuilds:\n  - secrets: [OK, ${bad}]\n`);
      expect(r.settings).toEqual([]);
      expect(r.problems[0]).toMatchObject({ line: 2, keyPath: expect.stringMatching(/^prebuilds\[0\]\.secrets/) });
    }
  });
});

describe('caches', () => {
  it('is on by default; takes false, one package manager or a list (in a fixed order); refuses unknown managers', () => {
    expect(parse('prebuilds:\n  - name: web\n').settings[0]!.caches).toBeUndefined(); // absent: detected
    expect(parse('prebuilds:\n  - caches: true\n').settings[0]!.caches).toBe(true);
    expect(parse('prebuilds:\n  - caches: false\n').settings[0]!.caches).toBe(false);
    expect(parse('prebuilds:\n  - caches: pip\n').settings[0]!.caches).toEqual(['pip']);
    expect(parse('prebuilds:\n  - caches: [uv, npm]\n').settings[0]!.caches).toEqual(['npm', 'uv']);
    for (const bad of ['bundler', '[npm, composer]', '3', '{ npm: true }']) {
      const r = parse(`prebuilds:\n  - caches: ${bad}\n`);
      expect(r.settings).toEqual([]);
      expect(r.problems[0]).toMatchObject({ line: 2, keyPath: expect.stringMatching(/^prebuilds\[0\]\.caches/) });
    }
  });
});

describe('schema/prebuilds.schema.json', () => {
  const file = path.join(repoRoot, 'schema/prebuilds.schema.json');

  it('is the very schema the validator uses', () => {
    expect(PREBUILDS_SCHEMA).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    expect(prebuildsValidator().schema).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('is a valid draft-07 schema that lists every key of the SPEC.md table', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true });
    expect(ajv.validateSchema(JSON.parse(readFileSync(file, 'utf8')))).toBe(true);
    expect([...ENTRY_KEYS].sort()).toEqual(
      [
        'name',
        'devcontainer',
        'gitpod',
        'branches',
        'trigger',
        'schedule',
        'pullRequests',
        'commitInterval',
        'triggerFiles',
        'incremental',
        'ancestorDepth',
        'retention',
        'timeoutMinutes',
        'paths',
        'notify',
        'workflow',
        'secrets',
        'caches',
      ].sort(),
    );
  });
});
