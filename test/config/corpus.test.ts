/**
 * Every real configuration file of the shared corpus, inspected as the app would see
 * it at its original repository path. The snapshots were read and checked by hand
 * against the files (see the notes in gitpod.test.ts and the final report).
 */
import { inspectPath } from '../../src/config/inspect.js';
import { inspectFile } from '../../src/config/inspect.js';
import { memoryFileSource } from '../../src/config/index.js';
import { corpusFiles } from './helpers.js';

const files = corpusFiles();

describe('corpus', () => {
  it('has files of both formats', () => {
    expect(files.filter((f) => f.kind === 'devcontainer').length).toBeGreaterThanOrEqual(20);
    expect(files.filter((f) => f.kind === 'gitpod').length).toBeGreaterThanOrEqual(8);
  });

  it.each(files.map((f) => [f.name, f] as const))('inspects %s', async (_name, f) => {
    const source = memoryFileSource({ [f.originalPath]: f.text });
    const report = await inspectFile(source, f.originalPath, f.kind, 'main');
    expect(report.problems).toEqual([]);
    expect(report.configurations).toHaveLength(1);
    expect(report).toMatchSnapshot();
  });

  it.each(files.map((f) => [f.name, f] as const))('inspectPath reads %s in place', async (_name, f) => {
    const report = await inspectPath(f.absolute, { defaultBranch: 'main' });
    expect(report.format).toBe(f.kind);
    const outside = report.problems.filter((p) => !/points outside the repository/.test(p.message));
    expect(outside).toEqual([]);
    for (const p of report.problems) expect(p.line).toBeGreaterThanOrEqual(1);
  });
});
