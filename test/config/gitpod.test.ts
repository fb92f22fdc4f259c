import { parseGitpod } from '../../src/config/index.js';

const parse = (text: string) => parseGitpod('.gitpod.yml', text);

describe('.gitpod.yml', () => {
  it('maps before+init to updateContentCommand and before+command to postStartCommand', () => {
    const r = parse(`image: gitpod/workspace-full
tasks:
  - name: deps
    before: export A=1
    init: npm ci
    command: npm start
    env:
      NODE_ENV: development
      PORT: 3000
`);
    expect(r.problems).toEqual([]);
    expect(r.environment).toMatchObject({
      format: 'gitpod',
      image: 'gitpod/workspace-full',
      waitFor: 'updateContentCommand',
      lifecycle: {
        updateContentCommand: { kind: 'shell', command: '{\nexport A=1\n} && {\nnpm ci\n}', env: { NODE_ENV: 'development', PORT: '3000' }, shell: 'bash' },
        postStartCommand: { kind: 'shell', command: '{\nexport A=1\n} && {\nnpm start\n}', env: { NODE_ENV: 'development', PORT: '3000' }, shell: 'bash' },
      },
    });
    expect(r.environment!.lifecycle.onCreateCommand).toBeUndefined();
  });

  it('uses the parallel form keyed by name or task-N when several tasks contribute', () => {
    const r = parse(`tasks:
  - init: make deps
  - name: web
    init: |
      npm ci
    command: npm start
  - name: web
    init: yarn
  - command: echo only-start
`);
    expect(r.environment!.lifecycle).toEqual({
      updateContentCommand: {
        kind: 'parallel',
        commands: {
          'task-1': { kind: 'shell', command: 'make deps', shell: 'bash' },
          web: { kind: 'shell', command: 'npm ci', shell: 'bash' },
          'web (task-3)': { kind: 'shell', command: 'yarn', shell: 'bash' },
        },
      },
      postStartCommand: {
        kind: 'parallel',
        commands: { web: { kind: 'shell', command: 'npm start', shell: 'bash' }, 'task-4': { kind: 'shell', command: 'echo only-start', shell: 'bash' } },
      },
    });
  });

  it('reads image files relative to the repository', () => {
    expect(parse('image:\n  file: docker/gitpod.Dockerfile\n').environment!.build).toEqual({ dockerfile: 'docker/gitpod.Dockerfile', context: '.', args: {} });
    expect(parse('image:\n  file: .gitpod.Dockerfile\n  context: docker\n').environment!.build).toEqual({
      dockerfile: '.gitpod.Dockerfile',
      context: 'docker',
      args: {},
    });
    expect(parse('').environment!.lifecycle).toEqual({});
  });

  it('reports wrong types with positions', () => {
    const r = parse(`image: [1]
tasks:
  - init: [npm, ci]
  - 42
  - env: [A]
`);
    expect(r.environment).toBeUndefined();
    expect(r.problems.map((p) => `${p.line}:${p.column} ${p.keyPath} | ${p.message}`)).toEqual([
      '1:8 image | `image` must be an image reference or a mapping with `file`, found an array',
      '3:11 tasks[0].init | `init` must be a shell command (a string), found an array',
      '4:5 tasks[1] | a task must be a mapping (with `init`, `command`, …), found an integer',
      '5:10 tasks[2].env | `env` must be a mapping of variable names to values, found an array',
    ]);
    expect(parse('tasks: {init: x}').problems[0]).toMatchObject({ line: 1, column: 8, keyPath: 'tasks' });
    expect(parse('image:\n  context: x\n').problems[0]).toMatchObject({ line: 2, column: 3, keyPath: 'image' });
    expect(parse('image:\n  file: ../../x\n').problems[0]).toMatchObject({ line: 2, column: 9, keyPath: 'image.file' });
    expect(parse('- a\n').problems[0]!.message).toMatch(/must be a mapping/);
    expect(parse('tasks:\n  - init: "unterminated\n').problems[0]!.message).toMatch(/^YAML syntax error/);
  });
});

describe('.gitpod.yml as Gitpod runs it', () => {
  it('chains before && init && prebuild (the legacy prebuild key after init) and before && command', () => {
    const r = parse(`tasks:
  - before: source env.sh
    init: npm ci
    prebuild: npm run build
    command: npm start
`);
    expect(r.environment!.lifecycle).toEqual({
      updateContentCommand: { kind: 'shell', command: '{\nsource env.sh\n} && {\nnpm ci\n} && {\nnpm run build\n}', shell: 'bash' },
      postStartCommand: { kind: 'shell', command: '{\nsource env.sh\n} && {\nnpm start\n}', shell: 'bash' },
    });
    expect(parse('tasks:\n  - prebuild: make\n').environment!.lifecycle.updateContentCommand).toEqual({ kind: 'shell', command: 'make', shell: 'bash' });
  });

  it('gives the top-level env to every task, under the task’s own env', () => {
    const r = parse(`env:
  NODE_ENV: production
  PORT: 8080
tasks:
  - name: a
    init: echo a
    env: { PORT: 3000 }
  - name: b
    init: echo b
`);
    expect(r.problems).toEqual([]);
    expect(r.environment!.lifecycle.updateContentCommand).toEqual({
      kind: 'parallel',
      commands: {
        a: { kind: 'shell', command: 'echo a', env: { NODE_ENV: 'production', PORT: '3000' }, shell: 'bash' },
        b: { kind: 'shell', command: 'echo b', env: { NODE_ENV: 'production', PORT: '8080' }, shell: 'bash' },
      },
    });
    expect(parse('env: [A]\n').problems[0]).toMatchObject({ line: 1, column: 6, keyPath: 'env' });
  });

  it('warns about keys Gitpod does not know, at their position', () => {
    const r = parse(`image:
  file: .gitpod.Dockerfile
  contxt: docker
tasks:
  - init: make
    comand: make run
vscod:
  extensions: []
`);
    expect(r.problems).toEqual([]);
    expect(r.environment).toBeDefined();
    expect(r.warnings.map((w) => `${w.line}:${w.column} ${w.keyPath} ${w.message.split(' (known')[0]}`)).toEqual([
      '7:1 vscod unknown top-level key `vscod` is ignored',
      '3:3 image.contxt unknown `image` key `contxt` is ignored',
      '6:5 tasks[0].comand unknown task key `comand` is ignored',
    ]);
  });

  it('warns when a task calls gp, saying what breaks', () => {
    const r = parse(`tasks:
  - name: setup
    init: |
      make deps
      gp sync-done setup
  - name: web
    before: export URL=$(gp url 3000)
    command: gp await-port 5432 && npm start
  - init: grep gp notes.txt && echo gpx
`);
    expect(r.warnings.map((w) => `${w.line}:${w.column} ${w.keyPath}`)).toEqual(['3:11 tasks[0].init', '7:13 tasks[1].before', '8:14 tasks[1].command']);
    expect(r.warnings[0]!.message).toMatch(
      /^task `setup` calls `gp` in `init`: `gp` is Gitpod's workspace CLI and does not exist outside Gitpod; the prebuild runs this `init`/,
    );
    expect(r.warnings[2]!.message).toMatch(/the started workspace runs it \(postStartCommand\)/);
  });
});

describe('.gitpod.yml hostile names', () => {
  it('keeps a task named __proto__ as an own command', () => {
    const r = parse('tasks:\n  - name: __proto__\n    init: echo p\n  - name: b\n    init: echo b\n');
    const command = r.environment!.lifecycle.updateContentCommand as { kind: 'parallel'; commands: Record<string, unknown> };
    expect(Object.keys(command.commands)).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(command.commands)).toBe(Object.prototype);
  });
});
