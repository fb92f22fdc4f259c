import { formatKeyPath, loadYamlWithPositions, positionMapper } from '../../src/config/positions.js';

function index(text: string) {
  const r = loadYamlWithPositions('f.yml', text);
  if (!r.ok) throw new Error(r.problem.message);
  return r.positions;
}

describe('positions', () => {
  it('maps offsets to 1-based lines and columns for every line ending', () => {
    const at = positionMapper('ab\ncd\r\nef\rg');
    expect([0, 2, 3, 5, 7, 9, 10, 99].map((o) => at(o))).toEqual([
      { line: 1, column: 1 },
      { line: 1, column: 3 },
      { line: 2, column: 1 },
      { line: 2, column: 3 },
      { line: 3, column: 1 },
      { line: 3, column: 3 },
      { line: 4, column: 1 },
      { line: 4, column: 2 },
    ]);
  });

  it('formats key paths', () => {
    expect(formatKeyPath(['prebuilds', 0, 'retention'])).toBe('prebuilds[0].retention');
    expect(formatKeyPath(['onCreateCommand', 'install'])).toBe('onCreateCommand.install');
    expect(formatKeyPath(['postCreateCommand', 'Configure Build Tools'])).toBe('postCreateCommand["Configure Build Tools"]');
  });

  it('indexes YAML keys and values through comments, block scalars, flow collections and merges', () => {
    const p = index(`# head
a:
  # comment
  b: |
    text
  c: [1, {d: 2}]
e:
f: {g, h: 3}
base: &x {i: 1}
m:
  <<: *x
  j: 4
`);
    expect(p.valueAt(['a', 'b'])).toEqual({ line: 4, column: 6 });
    expect(p.keyAt(['a', 'b'])).toEqual({ line: 4, column: 3 });
    expect(p.valueAt(['a', 'c', 1, 'd'])).toEqual({ line: 6, column: 14 });
    expect(p.valueAt(['e'])).toEqual({ line: 7, column: 1 });
    expect(p.valueAt(['f', 'h'])).toEqual({ line: 8, column: 11 });
    expect(p.keyAt(['f', 'g'])).toEqual({ line: 8, column: 5 });
    expect(p.valueAt(['m', 'j'])).toEqual({ line: 12, column: 6 });
    expect(p.valueAt(['m', 'i'])).toEqual({ line: 11, column: 3 });
    expect(p.valueAt(['nope', 3])).toEqual({ line: 2, column: 1 });
  });
});
