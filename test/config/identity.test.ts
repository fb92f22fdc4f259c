import fc from 'fast-check';
import yaml from 'js-yaml';
import { type FileSource, canonicalJson, defaultSettings, memoryFileSource, resolveConfiguration } from '../../src/config/index.js';
import { scriptCandidates } from '../../src/config/scripts.js';

const DC = '.devcontainer/devcontainer.json';

async function identityOf(files: Record<string, string>, file = DC, format: 'devcontainer' | 'gitpod' = 'devcontainer') {
  const source: FileSource = memoryFileSource(files);
  const r = await resolveConfiguration(source, defaultSettings(file, format, 'main'));
  if (!r.configuration) throw new Error(`unexpected problems: ${JSON.stringify(r.problems)}`);
  return r.configuration;
}

/** Renders a JSON value as JSONC with shuffled keys, random whitespace, comments and trailing commas. */
function renderJsonc(value: unknown, rand: () => number): string {
  const ws = () => [' ', '', '\n  ', '\t', ' /* note */ ', ' // line\n'][Math.floor(rand() * 6)]!;
  if (Array.isArray(value)) {
    const items = value.map((v) => `${ws()}${renderJsonc(v, rand)}${ws()}`);
    return `[${items.join(',')}${items.length > 0 && rand() < 0.5 ? ',' : ''}${ws()}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort(() => rand() - 0.5);
    const members = keys.map((k) => `${ws()}${JSON.stringify(k)}${ws()}:${ws()}${renderJsonc((value as Record<string, unknown>)[k], rand)}${ws()}`);
    return `{${members.join(',')}${members.length > 0 && rand() < 0.5 ? ',' : ''}${ws()}}`;
  }
  return JSON.stringify(value);
}

const text = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');
const key = fc.stringMatching(/^[a-z][a-zA-Z0-9 ._-]{0,10}$/);
const command = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 }), fc.dictionary(key, text, { minKeys: 1, maxKeys: 3 }));
const featureId = fc.oneof(fc.stringMatching(/^ghcr\.io\/[a-z]{1,6}\/features\/[a-z]{1,6}:[0-9]$/), fc.stringMatching(/^\.\/[a-z]{1,6}$/));
const hooks = ['initializeCommand', 'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'] as const;
const devcontainerDoc = fc.record(
  {
    image: text,
    features: fc.dictionary(featureId, fc.oneof(fc.constant({}), text, fc.dictionary(key, text, { maxKeys: 2 })), { maxKeys: 3 }),
    onCreateCommand: command,
    updateContentCommand: command,
    postCreateCommand: command,
    postStartCommand: command,
    postAttachCommand: command,
    customizations: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  },
  { requiredKeys: ['image'] },
);

describe('identity', () => {
  it('ignores comments, trailing commas, key order and whitespace', async () => {
    await fc.assert(
      fc.asyncProperty(devcontainerDoc, fc.integer(), async (doc, seed) => {
        let s = seed;
        const rand = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
        const plain = await identityOf({ [DC]: JSON.stringify(doc) });
        const fancy = await identityOf({ [DC]: `// header\n${renderJsonc(doc, rand)}\n/* trailer */` });
        expect(fancy.identity).toBe(plain.identity);
      }),
      { numRuns: 150 },
    );
  });

  it('changes with any lifecycle command, the image or a feature', async () => {
    await fc.assert(
      fc.asyncProperty(devcontainerDoc, fc.constantFrom(...hooks), command, async (doc, hook, next) => {
        fc.pre(canonicalJson((doc as Record<string, unknown>)[hook]) !== canonicalJson(next));
        const before = await identityOf({ [DC]: JSON.stringify(doc) });
        const after = await identityOf({ [DC]: JSON.stringify({ ...doc, [hook]: next }) });
        expect(after.identity).not.toBe(before.identity);
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(devcontainerDoc, text, featureId, async (doc, image, feature) => {
        const before = await identityOf({ [DC]: JSON.stringify(doc) });
        fc.pre(image !== doc.image);
        expect((await identityOf({ [DC]: JSON.stringify({ ...doc, image }) })).identity).not.toBe(before.identity);
        const features = { ...(doc.features ?? {}), [feature]: { option: `${JSON.stringify(doc.features?.[feature] ?? null)}!` } };
        expect((await identityOf({ [DC]: JSON.stringify({ ...doc, features }) })).identity).not.toBe(before.identity);
      }),
      { numRuns: 100 },
    );
  });

  it('changes with the content of a referenced Dockerfile, compose file, local feature or prebuild script', async () => {
    const doc = {
      build: { dockerfile: 'Dockerfile' },
      dockerComposeFile: ['../compose.yml'],
      features: { './feat': {} },
      onCreateCommand: 'bash .devcontainer/setup.sh',
      updateContentCommand: { a: ['./scripts/bootstrap', '--x'], b: 'sh -c ./x.sh && node scripts/setup.js; python3 tools/init.py' },
      postCreateCommand: './scripts/not-in-identity.sh',
    };
    const files: Record<string, string> = {
      [DC]: JSON.stringify(doc),
      '.devcontainer/Dockerfile': 'FROM node',
      'compose.yml': 'services: {}',
      '.devcontainer/feat/devcontainer-feature.json': '{"id":"feat"}',
      '.devcontainer/feat/lib/install.sh': 'echo',
      '.devcontainer/setup.sh': '#!/bin/bash\n./scripts/nested.sh\n',
      'scripts/nested.sh': 'echo nested',
      'scripts/bootstrap': 'echo',
      'x.sh': 'echo',
      'scripts/setup.js': '1',
      'tools/init.py': 'pass',
      'scripts/not-in-identity.sh': 'echo',
    };
    const base = await identityOf(files);
    expect(base.identityFiles).toEqual([
      '.devcontainer/Dockerfile',
      '.devcontainer/devcontainer.json',
      '.devcontainer/feat/devcontainer-feature.json',
      '.devcontainer/feat/lib/install.sh',
      '.devcontainer/setup.sh',
      'compose.yml',
      'scripts/bootstrap',
      'scripts/nested.sh',
      'scripts/setup.js',
      'tools/init.py',
      'x.sh',
    ]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...base.identityFiles.filter((f) => f !== DC)), fc.string(), async (file, extra) => {
        const changed = await identityOf({ ...files, [file]: `${files[file]}${extra}\n` });
        expect(changed.identity).not.toBe(base.identity);
      }),
      { numRuns: 40 },
    );
    expect((await identityOf({ ...files, 'scripts/not-in-identity.sh': 'changed' })).identity).toBe(base.identity);
    const { 'compose.yml': _gone, ...withoutCompose } = files;
    const missing = await identityOf(withoutCompose);
    expect(missing.identity).not.toBe(base.identity);
    expect(missing.identityFiles).toContain('compose.yml');
  });

  it('hashes the Gitpod image Dockerfile and the scripts of before/init, not those of command', async () => {
    const files = {
      '.gitpod.yml':
        'image:\n  file: .gitpod.Dockerfile\ntasks:\n  - before: ./scripts/before.sh\n    init: bash scripts/init.sh\n    command: ./scripts/start.sh\n',
      '.gitpod.Dockerfile': 'FROM gitpod/workspace-full',
      'scripts/before.sh': '1',
      'scripts/init.sh': '1',
      'scripts/start.sh': '1',
    };
    const base = await identityOf(files, '.gitpod.yml', 'gitpod');
    expect(base.identityFiles).toEqual(['.gitpod.Dockerfile', '.gitpod.yml', 'scripts/before.sh', 'scripts/init.sh']);
    const reordered = yaml.dump(yaml.load(files['.gitpod.yml']), { sortKeys: true });
    expect((await identityOf({ ...files, '.gitpod.yml': `# comment\n${reordered}` }, '.gitpod.yml', 'gitpod')).identity).toBe(base.identity);
    expect((await identityOf({ ...files, 'scripts/start.sh': '2' }, '.gitpod.yml', 'gitpod')).identity).toBe(base.identity);
    expect((await identityOf({ ...files, 'scripts/init.sh': '2' }, '.gitpod.yml', 'gitpod')).identity).not.toBe(base.identity);
    expect((await identityOf({ ...files, '.gitpod.Dockerfile': 'FROM x' }, '.gitpod.yml', 'gitpod')).identity).not.toBe(base.identity);
  });

  it('depends on the settings that shape the environment only', async () => {
    const source = memoryFileSource({ [DC]: '{"image": "x"}' });
    const id = async (patch: object) =>
      (await resolveConfiguration(source, { ...defaultSettings(DC, 'devcontainer', 'main'), ...patch })).configuration!.identity;
    const base = await id({});
    expect(
      await id({ name: 'other', branches: ['x'], retention: 9, commitInterval: 4, notify: ['@a'], timeoutMinutes: 5, trigger: 'schedule', workflow: 'w.yml' }),
    ).toBe(base);
    expect(await id({ incremental: false })).not.toBe(base);
    expect(await id({ paths: ['.', 'node_modules'] })).not.toBe(base);
  });
});

describe('script detection', () => {
  it.each([
    ['bash .devcontainer/setup.sh', ['.devcontainer/setup.sh']],
    ['./scripts/bootstrap', ['scripts/bootstrap']],
    ['sh -c ./x.sh', ['x.sh']],
    ['sh -c "cd sub && ./y.sh"', ['y.sh']],
    ['node scripts/setup.js --flag', ['scripts/setup.js']],
    ['python3 tools/init.py', ['tools/init.py']],
    ['python3 -m pip install -r requirements.txt', []],
    ['FOO=1 sudo -E ./a.sh && npm ci; (cd x && ../b.sh) | tee log', ['a.sh']],
    ['${containerWorkspaceFolder}/.devcontainer/scripts/onCreateCommand.sh', ['.devcontainer/scripts/onCreateCommand.sh']],
    ['source venv/bin/activate', ['venv/bin/activate']],
    ['/usr/bin/env bash ./s.sh', ['s.sh']],
    ['echo ./not-run.sh # ./comment.sh', []],
    ['/abs/path.sh; ~/home.sh; ./$VAR.sh', []],
    ['deno run -A tools/x.ts', ['tools/x.ts']],
  ])('%s', (command, expected) => {
    expect(scriptCandidates({ kind: 'shell', command })).toEqual(expected);
  });

  it('reads the exec form', () => {
    expect(scriptCandidates({ kind: 'exec', argv: ['bash', '-c', 'bash ./a.sh'] })).toEqual(['a.sh']);
    expect(scriptCandidates({ kind: 'exec', argv: ['.devcontainer/x.sh', 'arg'] })).toEqual(['.devcontainer/x.sh']);
  });
});
