/**
 * Random damage to real files never makes the resolver or `inspect` throw, and every
 * problem it reports has a usable position.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { type ConfigProblem, memoryFileSource, resolveConfigurations } from '../../src/config/index.js';
import { inspectPath } from '../../src/config/inspect.js';
import { corpusFiles } from './helpers.js';

const corpus = corpusFiles();
const PREBUILDS = `prebuilds:
  - name: web
    devcontainer: .devcontainer/devcontainer.json
    branches: [main, "release/*"]
    schedule: "0 3 * * *"
    triggerFiles: [package-lock.json]
  - gitpod: .gitpod.yml
    retention: 2
`;

function checkProblems(problems: ConfigProblem[]): void {
  for (const p of problems) {
    expect(p.file.length).toBeGreaterThan(0);
    expect(Number.isInteger(p.line) && p.line >= 1).toBe(true);
    expect(Number.isInteger(p.column) && p.column >= 1).toBe(true);
    expect(p.message.length).toBeGreaterThan(0);
    expect(p.message.length).toBeLessThan(1000);
  }
}

/** Damages text: truncation, a character replaced, inserted or deleted, a chunk duplicated. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    ch: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', "'", '\n', '#', '/', '*', '-', '&', '!', '\t', 'x', '\u0000'),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 40 }) }),
);

function mutate(text: string, m: { kind: string; at: number; ch?: string; len?: number }): string {
  const i = Math.floor(m.at * text.length);
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, i);
    case 'replace':
      return text.slice(0, i) + m.ch + text.slice(i + 1);
    case 'delete':
      return text.slice(0, i) + text.slice(i + (m.len ?? 1));
    default:
      return text.slice(0, i) + text.slice(i, i + (m.len ?? 1)) + text.slice(i);
  }
}

const devcontainers = corpus.filter((f) => f.kind === 'devcontainer');
const gitpods = corpus.filter((f) => f.kind === 'gitpod');

async function resolveAll(files: Record<string, string>): Promise<void> {
  const r = await resolveConfigurations(memoryFileSource(files), { defaultBranch: 'main' });
  checkProblems(r.problems);
  for (const c of r.configurations) expect(c.identity).toMatch(/^[0-9a-f]{64}$/);
}

describe('fuzzing with damaged corpus files', () => {
  it('never throws on damaged devcontainer.json, .gitpod.yml and prebuilds.yml', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...devcontainers),
        fc.constantFrom(...gitpods),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('devcontainer', 'gitpod', 'prebuilds'),
        async (dc, gp, mutations, target) => {
          const files = { '.github/prebuilds.yml': PREBUILDS, '.devcontainer/devcontainer.json': dc.text, '.gitpod.yml': gp.text };
          const key = target === 'devcontainer' ? '.devcontainer/devcontainer.json' : target === 'gitpod' ? '.gitpod.yml' : '.github/prebuilds.yml';
          files[key] = mutations.reduce((t, m) => mutate(t, m), files[key]);
          await resolveAll(files);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws when values get the wrong type', async () => {
    const anyValue = fc.jsonValue({ maxDepth: 3 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...devcontainers), fc.nat(), anyValue, async (dc, pick, value) => {
        const { parseTree, getNodeValue } = await import('jsonc-parser');
        const doc = getNodeValue(parseTree(dc.text)!) as Record<string, unknown>;
        const keys = [...Object.keys(doc), 'onCreateCommand', 'updateContentCommand', 'waitFor', 'build', 'features', 'dockerComposeFile', 'remoteEnv'];
        const k = keys[pick % keys.length]!;
        await resolveAll({ '.devcontainer/devcontainer.json': JSON.stringify({ ...doc, [k]: value }, null, 2) });
        const entry = { name: 'x', [['retention', 'branches', 'trigger', 'schedule', 'paths', 'notify', 'incremental'][pick % 7]!]: value };
        await resolveAll({ '.github/prebuilds.yml': JSON.stringify({ prebuilds: [entry] }), '.devcontainer/devcontainer.json': '{}' });
        await resolveAll({
          '.gitpod.yml': `tasks:\n  - init: ${JSON.stringify(value)}\n    env: ${JSON.stringify(value)}\n`,
          '.github/prebuilds.yml': 'prebuilds: [{gitpod: .gitpod.yml}]',
        });
      }),
      { numRuns: 150 },
    );
  });

  describe('pathological input', () => {
    let tmp: string;
    beforeAll(() => {
      tmp = mkdtempSync(path.join(tmpdir(), 'config-fuzz-'));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    const cases: Array<[string, string, string]> = [
      [
        '5000 nested arrays in devcontainer.json',
        '.devcontainer/devcontainer.json',
        `{"image": "x", "customizations": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
      ],
      ['5000 unclosed arrays in devcontainer.json', '.devcontainer/devcontainer.json', `{"onCreateCommand": ${'['.repeat(5000)}`],
      ['100000 nested objects in devcontainer.json', '.devcontainer/devcontainer.json', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
      ['a 10 MB string in devcontainer.json', '.devcontainer/devcontainer.json', `{"image": "x", "onCreateCommand": "${'a'.repeat(10 * 1024 * 1024)}"}`],
      ['a 10 MB key in devcontainer.json', '.devcontainer/devcontainer.json', `{"postCreateCommand": {"${'k'.repeat(10 * 1024 * 1024)}": 1}}`],
      ['5000 nested sequences in .gitpod.yml', '.gitpod.yml', `tasks: ${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['a 10 MB string in .gitpod.yml', '.gitpod.yml', `tasks:\n  - init: "${'b'.repeat(10 * 1024 * 1024)}"\n`],
      ['a 10 MB key in prebuilds.yml', '.github/prebuilds.yml', `prebuilds:\n  - ${'c'.repeat(10 * 1024 * 1024)}: 1\n`],
      ['5000 nested sequences in prebuilds.yml', '.github/prebuilds.yml', `prebuilds: ${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['binary garbage', '.devcontainer/devcontainer.json', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1')],
    ];

    it.each(cases)('%s', async (_name, file, content) => {
      const files: Record<string, string> = { [file]: content };
      if (file === '.gitpod.yml') files['.github/prebuilds.yml'] = 'prebuilds:\n  - gitpod: .gitpod.yml\n';
      await resolveAll(files);
      const repo = path.join(tmp, String(cases.findIndex((c) => c[1] === file && c[2] === content)));
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
      writeFileSync(path.join(repo, file), content);
      for (const target of [repo, path.join(repo, file)]) {
        const report = await inspectPath(target, { defaultBranch: 'main' });
        checkProblems(report.problems);
        expect(() => JSON.stringify(report)).not.toThrow();
      }
    });
  });
});
