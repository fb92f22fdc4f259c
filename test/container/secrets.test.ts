/** The secrets file handed to @devcontainers/cli (`--secrets-file`): named secrets only, 0600 in a 0700 directory, removed. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { namedSecrets, writeSecretsFile } from '../../src/container/secrets.js';
import { cleanup, tempDir } from '../action/helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

describe('the secrets file', () => {
  it('holds the named secrets present in the environment, nothing else', () => {
    expect(namedSecrets(['API_TOKEN', 'MISSING', 'EMPTY'], { API_TOKEN: 'v1', EMPTY: '', PATH: '/bin' })).toEqual({ API_TOKEN: 'v1' });
  });

  it('is written 0600 in a new 0700 directory and removed with it', async () => {
    const parent = await tempDir('secrets-file-');
    dirs.push(parent);
    const written = await writeSecretsFile({ API_TOKEN: 'tok-"quoted"\nline' }, parent);
    const file = written.file!;
    expect(path.dirname(path.dirname(file))).toBe(parent);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ API_TOKEN: 'tok-"quoted"\nline' });
    await written.remove();
    await expect(stat(path.dirname(file))).rejects.toMatchObject({ code: 'ENOENT' });
    await written.remove(); // twice: still no error
  });

  it('is not written at all without secrets', async () => {
    const written = await writeSecretsFile({});
    expect(written.file).toBeUndefined();
    await written.remove();
  });
});
