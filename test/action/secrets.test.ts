/** The secrets input and registry credentials, as pure functions (the bundle is tested in secrets.e2e.test.ts). */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applySecrets, forkReason, parseSecretsInput, prebuildSecrets } from '../../action/src/secrets.js';
import { registryCredentials } from '../../src/lifecycle/snapshot/oci/credentials.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('parseSecretsInput', () => {
  it('reads toJSON(secrets) and never quotes the input in an error', () => {
    expect(parseSecretsInput('')).toEqual({});
    expect(parseSecretsInput('{\n  "github_token": "ghs_1",\n  "NPM_TOKEN": "n",\n  "EMPTY": ""\n}')).toEqual({ github_token: 'ghs_1', NPM_TOKEN: 'n' });
    for (const bad of ['{"NPM_TOKEN": "hunter2"', '["hunter2"]']) {
      const err = (() => {
        try {
          parseSecretsInput(bad);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toMatch(/toJSON\(secrets\)/);
      expect(err?.message).not.toContain('hunter2');
    }
  });
});

describe('prebuildSecrets', () => {
  const env = { PATH: '/bin', INPUT_SECRETS: '{"NPM_TOKEN":"x"}', INPUT_TOKEN: 'ghs_1', INPUT_STORE: 'dir:/s' };

  it('gives the hooks the named secrets (names matched like GitHub, case-insensitively), never the inputs carrying them', () => {
    const s = prebuildSecrets({ npm_token: 'n-value', OTHER: 'o-value' }, ['NPM_TOKEN', 'MISSING'], env);
    expect(s.hookEnv).toEqual({ PATH: '/bin', INPUT_STORE: 'dir:/s', NPM_TOKEN: 'n-value' });
    expect(s.values).toEqual([
      { name: 'npm_token', value: 'n-value' },
      { name: 'OTHER', value: 'o-value' },
    ]);
    expect(s.missing).toEqual(['MISSING']);
    expect(s.withheld).toBeNull();
  });

  it('withholds them from a fork pull request (pull_request_target checks out fork code with secrets)', async () => {
    const event = path.join(dir, 'event.json');
    await writeFile(event, JSON.stringify({ pull_request: { head: { repo: { full_name: 'mallory/app' } }, base: { repo: { full_name: 'octo/app' } } } }));
    expect(forkReason({ GITHUB_EVENT_PATH: event })).toMatch(/comes from mallory\/app, not octo\/app/);
    const s = prebuildSecrets({ NPM_TOKEN: 'n-value' }, ['NPM_TOKEN'], { ...env, GITHUB_EVENT_PATH: event });
    expect(s.hookEnv.NPM_TOKEN).toBeUndefined();
    expect(s.values).toEqual([{ name: 'NPM_TOKEN', value: 'n-value' }]); // still scanned for
    await writeFile(event, JSON.stringify({ pull_request: { head: { repo: { full_name: 'octo/app' } }, base: { repo: { full_name: 'octo/app' } } } }));
    expect(forkReason({ GITHUB_EVENT_PATH: event })).toBeNull();
    expect(forkReason({})).toBeNull();
  });

  it('masks every value, named or not', () => {
    const masked: string[] = [];
    applySecrets(JSON.stringify({ A: 'value-a', B: 'value-b' }), ['A'], {}, { mask: (v) => masked.push(v), warning: () => undefined });
    expect(masked).toEqual(['value-a', 'value-b']);
  });
});

describe('registryCredentials', () => {
  it('reads docker login credentials, then a GitHub token for ghcr.io, else none', async () => {
    const docker = path.join(dir, 'docker');
    await mkdir(docker, { recursive: true });
    await writeFile(
      path.join(docker, 'config.json'),
      JSON.stringify({
        auths: {
          'registry.example.com': { auth: Buffer.from('robot:pa:ss').toString('base64') },
          'https://other.example.com': { username: 'u', password: 'p' },
        },
      }),
    );
    const env = { DOCKER_CONFIG: docker, GITHUB_ACTOR: 'octocat' };
    expect(registryCredentials('registry.example.com', env)).toEqual({ username: 'robot', password: 'pa:ss' });
    expect(registryCredentials('other.example.com', env)).toEqual({ username: 'u', password: 'p' });
    expect(registryCredentials('ghcr.io', env, 'ghs_input')).toEqual({ username: 'octocat', password: 'ghs_input' });
    expect(registryCredentials('ghcr.io', { ...env, GITHUB_TOKEN: 'ghs_env' })).toEqual({ username: 'octocat', password: 'ghs_env' });
    expect(registryCredentials('127.0.0.1:5000', env, 'ghs_input')).toBeNull();
  });
});
