/** The stand-in's expression subset: toJSON, which the shipped prebuild workflow uses to pass every secret. */
import { interpolate } from '../../demo/github/runner/expressions.js';

describe('toJSON', () => {
  it('writes a context as pretty JSON, like GitHub, and nests in other expressions', () => {
    const ctx = { contexts: { secrets: { GITHUB_TOKEN: 'ghs_x', NPM_TOKEN: 'n"1' }, inputs: {} } };
    const text = interpolate('${{ toJSON(secrets) }}', ctx);
    expect(text).toBe('{\n  "GITHUB_TOKEN": "ghs_x",\n  "NPM_TOKEN": "n\\"1"\n}');
    expect(JSON.parse(text)).toEqual(ctx.contexts.secrets);
    expect(interpolate("${{ toJSON(inputs.missing || 'x') }}", ctx)).toBe('"x"');
  });
});
