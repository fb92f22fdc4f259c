/**
 * `hashFiles` in the stand-in's expressions (demo/github/runner/hash-files.ts), checked
 * against its definition: SHA-256 of each matched file's SHA-256, workspace-relative
 * @actions/glob patterns, '' when nothing matches.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { evaluateExpression, plain, TemplateError } from '../../demo/github/runner/template.js';

let ws: string;
const files: Record<string, string> = {
  'package-lock.json': '{"lockfileVersion":3}',
  'packages/a/package-lock.json': '{"a":1}',
  'packages/b/package-lock.json': '{"b":2}',
  'packages/b/src/index.ts': 'export {};',
  '.config/tool.json': '{}',
};

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'hash-files-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, file)), { recursive: true });
    writeFileSync(join(ws, file), content);
  }
  const outside = mkdtempSync(join(tmpdir(), 'hash-files-outside-'));
  writeFileSync(join(outside, 'package-lock.json'), 'outside');
  symlinkSync(outside, join(ws, 'linked'));
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** The definition: SHA-256 over the binary SHA-256 digests of the files, in order. */
function expected(paths: string[]): string {
  const all = createHash('sha256');
  for (const p of paths) all.update(createHash('sha256').update(files[p]!).digest());
  return all.digest('hex');
}
const hash = (expression: string) => plain(evaluateExpression(expression, { contexts: {}, workspace: ws }));

describe('hashFiles', () => {
  it('hashes every matched file, in path order, with globs relative to the workspace', () => {
    expect(hash(`hashFiles('**/package-lock.json')`)).toBe(expected(['package-lock.json', 'packages/a/package-lock.json', 'packages/b/package-lock.json']));
    expect(hash(`hashFiles('package-lock.json')`)).toBe(expected(['package-lock.json']));
    expect(hash(`hashFiles('packages/*/package-lock.json', '.config/*.json')`)).toBe(
      expected(['.config/tool.json', 'packages/a/package-lock.json', 'packages/b/package-lock.json']),
    );
  });

  it('matches everything under a matched directory, and `!` excludes (the last matching pattern decides)', () => {
    expect(hash(`hashFiles('packages/b')`)).toBe(expected(['packages/b/package-lock.json', 'packages/b/src/index.ts']));
    expect(hash(`hashFiles('packages/**', '!**/src/**')`)).toBe(expected(['packages/a/package-lock.json', 'packages/b/package-lock.json']));
    expect(hash(`hashFiles('packages/**', '!packages/b/**', 'packages/b/src/*')`)).toBe(expected(['packages/a/package-lock.json', 'packages/b/src/index.ts']));
  });

  it("is '' when nothing matches, and symlinked directories are followed only when asked", () => {
    expect(hash(`hashFiles('**/*.lock')`)).toBe('');
    expect(hash(`hashFiles('linked/*')`)).toBe('');
    const followed = createHash('sha256').update(createHash('sha256').update('outside').digest()).digest('hex');
    expect(hash(`hashFiles('--follow-symbolic-links', 'linked/*')`)).toBe(followed);
  });

  it('is an unknown function where no workspace is known, and needs a pattern', () => {
    expect(() => evaluateExpression(`hashFiles('x')`, { contexts: {} })).toThrow(TemplateError);
    expect(() => hash(`hashFiles('--follow-symbolic-links')`)).toThrow(TemplateError);
  });
});
