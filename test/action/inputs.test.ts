import { commit, initRepo } from '../helpers/git.js';
import { tempDir } from '../helpers/tmp.js';
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { Inputs, Outputs } from '../../action/src/constants.js';
import { readInputs } from '../../action/src/inputs.js';
import { parseStoreSpec } from '../../action/src/snapshot/store.js';

const sha = 'c'.repeat(40);

describe('action.yml', () => {
  it('declares exactly the inputs and outputs of constants.ts, on node24', async () => {
    const doc = yaml.load(await readFile(new URL('../../action/action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
      runs: { using: string; main: string };
    };
    expect(Object.keys(doc.inputs).sort()).toEqual(Object.values(Inputs).sort());
    expect(Object.keys(doc.outputs).sort()).toEqual(Object.values(Outputs).sort());
    expect(doc.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('restore/action.yml points into the shared bundle with mode preset to restore', async () => {
    const doc = yaml.load(await readFile(new URL('../../action/restore/action.yml', import.meta.url), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
      outputs: Record<string, unknown>;
      runs: { using: string; main: string };
    };
    expect(doc.runs).toEqual({ using: 'node24', main: '../dist/index.js' });
    expect(doc.inputs[Inputs.Mode]?.default).toBe('restore');
    expect(doc.inputs[Inputs.Token]?.default).toBe('${{ github.token }}');
    const names = Object.values(Inputs) as string[];
    for (const name of Object.keys(doc.inputs)) expect(names).toContain(name);
    expect(Object.keys(doc.outputs).sort()).toEqual(
      [
        Outputs.DurationMs,
        Outputs.PrebuildHit,
        Outputs.PrebuildSha,
        Outputs.RestoreMs,
        Outputs.SnapshotKey,
        Outputs.ExecutionMode,
        Outputs.Image,
        Outputs.ContainerId,
        Outputs.RestoreReported,
      ].sort(),
    );
  });
});

describe('parseStoreSpec', () => {
  it('parses dir: and actions-cache, and picks the cache only where the service exists', () => {
    expect(parseStoreSpec('dir:/srv/prebuilds', {})).toEqual({ kind: 'dir', path: '/srv/prebuilds' });
    expect(parseStoreSpec(' dir: rel/store ', {})).toEqual({ kind: 'dir', path: 'rel/store' });
    expect(parseStoreSpec('actions-cache', { ACTIONS_RESULTS_URL: 'https://results' })).toEqual({ kind: 'actions-cache' });
    expect(parseStoreSpec('', { ACTIONS_CACHE_URL: 'https://cache' })).toEqual({ kind: 'actions-cache' });
    expect(() => parseStoreSpec('', {})).toThrow(/No snapshot store.*ACTIONS_RESULTS_URL.*dir:<path>/);
    expect(() => parseStoreSpec('actions-cache', {})).toThrow(/not available here/);
    expect(() => parseStoreSpec('dir:', {})).toThrow(/names no directory/);
    expect(() => parseStoreSpec('s3://bucket', {})).toThrow(/Unknown "store" input/);
  });

  it('parses oci:REGISTRY/NAME and refuses what is not one', () => {
    expect(parseStoreSpec('oci:ghcr.io/octo/app/prebuilds', {})).toEqual({ kind: 'oci', ref: { registry: 'ghcr.io', name: 'octo/app/prebuilds' } });
    expect(parseStoreSpec('oci:127.0.0.1:5000/snapshots', {})).toEqual({ kind: 'oci', ref: { registry: '127.0.0.1:5000', name: 'snapshots' } });
    expect(() => parseStoreSpec('oci:snapshots', {})).toThrow(/is not REGISTRY\/NAME/);
    expect(() => parseStoreSpec('oci:ghcr.io/Octo/App', {})).toThrow(/not a valid repository name/);
  });
});

describe('readInputs', () => {
  const get = (values: Record<string, string>) => (name: string) => values[name] ?? '';

  it('reads every input', async () => {
    const inputs = await readInputs(
      get({
        sha,
        'prebuild-id': '42',
        base: 'prebuilds-v1/x/y/1',
        expire: ' prebuilds-v1/web/a/1  prebuilds-v1/web/b/2 ',
        store: 'dir:/s',
        workspace: '/tmp',
        configuration: 'web',
        'container-mode': 'host',
        registry: ' ghcr.io/o/r/prebuilds ',
        'app-url': ' https://prebuilds.example.com ',
        audience: 'https://prebuilds.example.com',
      }),
      {},
    );
    expect(inputs).toEqual({
      mode: 'prebuild',
      configuration: 'web',
      sha,
      prebuildId: '42',
      base: 'prebuilds-v1/x/y/1',
      expire: ['prebuilds-v1/web/a/1', 'prebuilds-v1/web/b/2'],
      store: 'dir:/s',
      workspace: '/tmp',
      containerMode: 'host',
      token: '',
      registry: 'ghcr.io/o/r/prebuilds',
      secrets: '',
      appUrl: 'https://prebuilds.example.com',
      audience: 'https://prebuilds.example.com',
      maxImageLayers: 100,
    });
  });

  it('defaults from the runner environment', async () => {
    const inputs = await readInputs(get({}), { GITHUB_WORKSPACE: '/nonexistent-ws', GITHUB_SHA: sha, GITHUB_RUN_ID: '99', GITHUB_RUN_ATTEMPT: '2' });
    expect(inputs).toMatchObject({
      workspace: '/nonexistent-ws',
      sha,
      prebuildId: '99-2',
      base: null,
      containerMode: 'auto',
      mode: 'prebuild',
      registry: '',
      appUrl: '',
      audience: 'prebuilds-for-github',
    });
  });

  it('resolves an abbreviated sha to the full one in the checkout, and refuses one it cannot', async () => {
    const tmp = tempDir();
    try {
      initRepo(tmp.dir);
      const full = commit(tmp.dir, 'one', { 'a.txt': '1' });
      const inputs = await readInputs(get({ sha: full.slice(0, 8), workspace: tmp.dir }), {});
      expect(inputs.sha).toBe(full);
      await expect(readInputs(get({ sha: 'abcdef1', workspace: tmp.dir }), {})).rejects.toThrow('an abbreviated sha must name a commit of the checkout');
    } finally {
      tmp.cleanup();
    }
  });

  it('rejects invalid values, naming the input', async () => {
    await expect(readInputs(get({ sha: 'main' }), {})).rejects.toThrow('Invalid "sha" input "main"');
    await expect(readInputs(get({ sha, 'prebuild-id': 'a/b' }), {})).rejects.toThrow('Invalid "prebuild-id" input "a/b"');
    await expect(readInputs(get({ sha, mode: 'rebuild' }), {})).rejects.toThrow('Invalid "mode" input "rebuild": expected one of prebuild, restore');
    await expect(readInputs(get({ sha, 'container-mode': 'vm' }), {})).rejects.toThrow('Invalid "container-mode" input "vm"');
    await expect(readInputs(get({ sha, 'max-image-layers': '200' }), {})).rejects.toThrow('Invalid "max-image-layers" input "200"');
    await expect(readInputs(get({ workspace: '/nonexistent-ws' }), {})).rejects.toThrow('No commit sha: set the "sha" input');
  });
});
