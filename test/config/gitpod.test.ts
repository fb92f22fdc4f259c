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
    expect(parse('image:\n  file: .gitpod.Dockerfile\n  context: docker\n').environment!.build).toEqual({ dockerfile: '.gitpod.Dockerfile', context: 'docker', args: {} });
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
