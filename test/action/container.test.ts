import type { ResolvedConfiguration } from '../../src/config/model.js';
import { chooseMode, devcontainerUpArgs, dockerCommitArgs, onPath, parseUpResult, snapshotImage } from '../../action/src/container.js';

const sha = 'd'.repeat(40);
function config(name: string, file = '.devcontainer/devcontainer.json', format: 'devcontainer' | 'gitpod' = 'devcontainer'): ResolvedConfiguration {
  return {
    settings: { name } as ResolvedConfiguration['settings'],
    environment: { format, file } as ResolvedConfiguration['environment'],
    identity: 'e'.repeat(64),
    identityFiles: [],
  };
}

describe('chooseMode', () => {
  const all = () => true;
  it('is host by default and container when asked', () => {
    expect(chooseMode('', all)).toBe('host');
    expect(chooseMode('host', () => false)).toBe('host');
    expect(chooseMode('container', all)).toBe('container');
  });

  it('names the missing tools', () => {
    expect(() => chooseMode('container', (t) => t === 'docker')).toThrow(/container-mode: container needs "devcontainer" on PATH/);
    expect(() => chooseMode('container', () => false)).toThrow(/needs "docker" and "devcontainer" on PATH .*@devcontainers\/cli/);
    expect(() => chooseMode('podman', all)).toThrow(/Invalid "container-mode" input "podman"/);
  });

  it('looks executables up on PATH', () => {
    expect(onPath('sh', { PATH: '/usr/bin:/bin' })).toBe(true);
    expect(onPath('sh', { PATH: '' })).toBe(false);
    expect(onPath('definitely-not-a-tool-xyz')).toBe(false);
  });
});

describe('devcontainer and docker arguments', () => {
  const p = { workspace: '/ws/repo', configuration: config('web app'), sha, prebuildId: '42' };

  it('builds devcontainer up --prebuild with id labels', () => {
    expect(devcontainerUpArgs(p)).toEqual([
      'up', '--prebuild', '--workspace-folder', '/ws/repo',
      '--id-label', 'prebuild=42',
      '--id-label', 'prebuild.configuration=web app',
      '--id-label', `prebuild.sha=${sha}`,
      '--id-label', `prebuild.identity=${'e'.repeat(64)}`,
      '--remove-existing-container', '--log-format', 'text',
    ]);
  });

  it('passes --config for a configuration outside the default lookup', () => {
    const args = devcontainerUpArgs({ ...p, configuration: config('py', '.devcontainer/python/devcontainer.json') });
    expect(args.slice(0, 6)).toEqual(['up', '--prebuild', '--workspace-folder', '/ws/repo', '--config', '/ws/repo/.devcontainer/python/devcontainer.json']);
    expect(() => devcontainerUpArgs({ ...p, configuration: config('gp', '.gitpod.yml', 'gitpod') })).toThrow(/needs a devcontainer.json/);
  });

  it('commits the container to a labelled image named after the prebuild', () => {
    expect(snapshotImage(p)).toBe(`prebuilds/web-app:${sha.slice(0, 12)}-42`);
    expect(dockerCommitArgs('abc123', p)).toEqual([
      'commit',
      '--change', 'LABEL prebuild="42"',
      '--change', 'LABEL prebuild.configuration="web app"',
      '--change', `LABEL prebuild.sha="${sha}"`,
      '--change', `LABEL prebuild.identity="${'e'.repeat(64)}"`,
      'abc123', `prebuilds/web-app:${sha.slice(0, 12)}-42`,
    ]);
  });

  it('reads the result line of devcontainer up', () => {
    expect(parseUpResult('log\n{"outcome":"success","containerId":"c1","remoteUser":"node","remoteWorkspaceFolder":"/workspaces/repo"}\n')).toEqual({
      containerId: 'c1',
      remoteWorkspaceFolder: '/workspaces/repo',
    });
    expect(() => parseUpResult('{"outcome":"error","message":"Command failed: npm ci","description":"x"}')).toThrow('devcontainer up failed: Command failed: npm ci');
    expect(() => parseUpResult('no json')).toThrow(/no result line/);
  });
});
