import { parseDevcontainer, substitute, substituteCommand, substituteDeep } from '../../src/config/index.js';
import { corpusFiles } from './helpers.js';

const FILE = '.devcontainer/devcontainer.json';
const parse = (text: string, file = FILE) => parseDevcontainer(file, text);

describe('devcontainer.json', () => {
  it.each(
    corpusFiles()
      .filter((f) => f.kind === 'devcontainer')
      .map((f) => [f.name, f] as const),
  )('parses corpus file %s', (_name, f) => {
    const r = parse(f.text, f.originalPath);
    expect(r.problems).toEqual([]);
    expect(r.environment?.format).toBe('devcontainer');
  });

  it('normalises the three forms of every lifecycle property and drops empty ones', () => {
    const r = parse(`{
      // comments and trailing commas are fine
      "initializeCommand": ["echo", "host"],
      "onCreateCommand": "npm ci",
      "updateContentCommand": { "deps": "npm ci", "build": ["npm", "run", "build"], "none": "", "nil": null },
      "postCreateCommand": "",
      "postStartCommand": [],
      "postAttachCommand": {},
    }`);
    expect(r.problems).toEqual([]);
    expect(r.environment!.lifecycle).toEqual({
      initializeCommand: { kind: 'exec', argv: ['echo', 'host'] },
      onCreateCommand: { kind: 'shell', command: 'npm ci' },
      updateContentCommand: {
        kind: 'parallel',
        commands: { deps: { kind: 'shell', command: 'npm ci' }, build: { kind: 'exec', argv: ['npm', 'run', 'build'] } },
      },
    });
    expect(r.environment!.waitFor).toBe('updateContentCommand');
  });

  it('reports wrong command types with position and key path', () => {
    const r = parse(`{
  "onCreateCommand": 42,
  "updateContentCommand": ["npm", 1],
  "postCreateCommand": { "install": { "nested": true }, "ok": "x" },
  "waitFor": "postAttachCommand"
}`);
    expect(r.environment).toBeUndefined();
    expect(r.problems.map((p) => `${p.line}:${p.column} ${p.keyPath} | ${p.message}`)).toEqual([
      '2:22 onCreateCommand | `onCreateCommand` must be a string, an array of strings or an object of named commands, found an integer',
      '3:35 updateContentCommand[1] | command arguments must be strings, found an integer',
      '4:37 postCreateCommand.install | a command must be a string or an array of strings, found an object',
      '5:14 waitFor | `waitFor` must be one of `initializeCommand`, `onCreateCommand`, `updateContentCommand`, `postCreateCommand`, `postStartCommand`; found `postAttachCommand`',
    ]);
    const named = parse('{"postCreateCommand": {"Configure Build Tools": 1}}');
    expect(named.problems[0]!.keyPath).toBe('postCreateCommand["Configure Build Tools"]');
  });

  it('reads waitFor', () => {
    expect(parse('{"waitFor": "onCreateCommand"}').environment!.waitFor).toBe('onCreateCommand');
    expect(parse('{"waitFor": 3}').problems[0]).toMatchObject({ line: 1, column: 13, keyPath: 'waitFor' });
  });

  it('reports real syntax errors with line and column, and non-objects', () => {
    const missingComma = parse('{\n  "image": "x"\n  "postCreateCommand": "y"\n}');
    expect(missingComma.problems[0]).toEqual({ file: FILE, line: 3, column: 3, message: 'JSON syntax error: expected `,`' });
    expect(parse('{\n  "image": "x",\n  /* open').problems[0]).toMatchObject({ line: 3, message: 'JSON syntax error: unterminated `/*` comment' });
    expect(parse('').problems[0]).toMatchObject({ line: 1, column: 1 });
    expect(parse('{"a": "b"} {}').problems[0]!.message).toMatch(/end of the file/);
    expect(parse('[1, 2]').problems).toEqual([{ file: FILE, line: 1, column: 1, message: 'a devcontainer.json must contain a JSON object, found an array' }]);
    expect(parse('\uFEFF{"image": 1}').problems[0]).toMatchObject({ line: 1, column: 11, keyPath: 'image' });
  });

  it('makes build, legacy dockerFile, compose and local feature paths repository-relative', () => {
    const r = parse(
      JSON.stringify({
        build: { dockerfile: 'Dockerfile', context: '..', args: { VARIANT: '16', N: 2 } },
        dockerComposeFile: ['../docker-compose.yml', 'docker-compose.dev.yml'],
        features: { './local-features/nvs': 'latest', '../shared-feature': {}, 'ghcr.io/devcontainers/features/go:1': { version: '1.22' } },
        containerEnv: { A: 'a', N: 1 },
        remoteEnv: { PATH: '${containerEnv:PATH}:/x', UNSET: null },
      }),
      '.devcontainer/python/devcontainer.json',
    );
    expect(r.problems).toEqual([]);
    const env = r.environment!;
    expect(env.build).toEqual({ dockerfile: '.devcontainer/python/Dockerfile', context: '.devcontainer', args: { VARIANT: '16', N: '2' } });
    expect(env.dockerComposeFiles).toEqual(['.devcontainer/docker-compose.yml', '.devcontainer/python/docker-compose.dev.yml']);
    expect(env.features).toEqual({
      '.devcontainer/python/local-features/nvs': 'latest',
      '.devcontainer/shared-feature': {},
      'ghcr.io/devcontainers/features/go:1': { version: '1.22' },
    });
    expect(env.localFeatures).toEqual(['.devcontainer/python/local-features/nvs', '.devcontainer/shared-feature']);
    expect(env.containerEnv).toEqual({ A: 'a', N: '1' });
    expect(env.remoteEnv).toEqual({ PATH: '${containerEnv:PATH}:/x' });

    const legacy = parse('{"dockerFile": "Dockerfile", "context": "..", "build": {"cacheFrom": "x"}}').environment!;
    expect(legacy.build).toEqual({ dockerfile: '.devcontainer/Dockerfile', context: '.', args: {} });
    const root = parse('{"build": {"dockerfile": "Dockerfile"}, "dockerComposeFile": "compose.yml"}', '.devcontainer.json').environment!;
    expect(root.build).toEqual({ dockerfile: 'Dockerfile', context: '.', args: {} });
    expect(root.dockerComposeFiles).toEqual(['compose.yml']);
  });

  it('refuses paths leaving the repository and wrong types of the other properties', () => {
    const r = parse('{"dockerComposeFile": ["../../x.yml"], "features": {"../../f": {}}, "image": 3, "build": [], "containerEnv": {"A": {}}}');
    expect(r.problems.map((p) => `${p.keyPath} | ${p.message}`)).toEqual([
      'dockerComposeFile[0] | `../../x.yml` points outside the repository',
      'containerEnv.A | environment values must be strings, found an object',
      'image | `image` must be a string, found an integer',
      'build | `build` must be an object, found an array',
      'features["../../f"] | `../../f` points outside the repository',
    ]);
  });

  it('keeps hostile keys as data', () => {
    const r = parse('{"__proto__": {"image": "evil"}, "constructor": 1, "features": {"__proto__": 1}}');
    expect(r.problems).toEqual([]);
    expect(r.environment!.image).toBeUndefined();
    expect(Object.keys(r.environment!.features)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(r.environment!.parsed)).toBe(Object.prototype);
  });
});

describe('substitute', () => {
  const vars = {
    localWorkspaceFolder: '/home/me/repo',
    containerWorkspaceFolder: '/workspaces/repo',
    localEnv: { HOME: '/home/me', EMPTY: '' },
    containerEnv: { PATH: '/usr/bin' },
  };

  it('replaces every supported variable', () => {
    expect(substitute('${localWorkspaceFolder}|${localWorkspaceFolderBasename}|${containerWorkspaceFolder}|${containerWorkspaceFolderBasename}', vars)).toBe(
      '/home/me/repo|repo|/workspaces/repo|repo',
    );
    // A variable set to "" stays empty: the default is for unset variables only (the CLI's rule).
    expect(substitute('${localEnv:HOME}/x ${localEnv:NOPE} ${localEnv:NOPE:fallback} [${localEnv:EMPTY:dflt}] ${env:HOME}', vars)).toBe(
      '/home/me/x  fallback [] /home/me',
    );
    expect(substitute('${containerEnv:PATH}:${containerEnv:MISSING:/bin}', vars)).toBe('/usr/bin:/bin');
    expect(substitute('${unknown} ${localEnv} $HOME', vars)).toBe('${unknown} ${localEnv} $HOME');
  });

  it('leaves variables whose source is not given for a later phase', () => {
    expect(substitute('${containerWorkspaceFolder}/x ${containerEnv:PATH} ${localEnv:HOME}', { localEnv: { HOME: '/h' } })).toBe(
      '${containerWorkspaceFolder}/x ${containerEnv:PATH} /h',
    );
  });

  it('substitutes inside commands and nested values', () => {
    expect(substituteCommand({ kind: 'shell', command: 'cd ${containerWorkspaceFolder}', env: { P: '${localEnv:HOME}' } }, vars)).toEqual({
      kind: 'shell',
      command: 'cd /workspaces/repo',
      env: { P: '/home/me' },
    });
    expect(substituteCommand({ kind: 'parallel', commands: { a: { kind: 'exec', argv: ['${localWorkspaceFolderBasename}'] } } }, vars)).toEqual({
      kind: 'parallel',
      commands: { a: { kind: 'exec', argv: ['repo'] } },
    });
    expect(substituteDeep({ a: ['${localEnv:HOME}', 1, null] }, vars)).toEqual({ a: ['/home/me', 1, null] });
  });
});
