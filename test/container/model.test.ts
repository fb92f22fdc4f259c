import type { ResolvedConfiguration } from '../../src/config/model.js';
import {
  chooseExecutionMode,
  composeService,
  containerUnsupported,
  gitpodDevcontainer,
  DEFAULT_MAX_IMAGE_LAYERS,
  hookTimesFromLog,
  layerLimitReason,
  parseMaxImageLayers,
  imageRepository,
  imageTags,
  parseUpResult,
  pinned,
  prebuiltConfig,
} from '../../src/container/model.js';
import { selectMode } from '../../action/src/container.js';
import { DEVCONTAINERS_CLI_VERSION } from '../../src/container/tools.js';
import { readFileSync } from 'node:fs';
import { parseGitpod } from '../../src/config/gitpod.js';

function config(environment: Partial<ResolvedConfiguration['environment']>, name = 'web app'): ResolvedConfiguration {
  return {
    settings: { name } as ResolvedConfiguration['settings'],
    environment: {
      format: 'devcontainer',
      file: '.devcontainer/devcontainer.json',
      dockerComposeFiles: [],
      features: {},
      lifecycle: {},
      ...environment,
    } as ResolvedConfiguration['environment'],
    identity: 'e'.repeat(64),
    identityFiles: [],
  };
}

describe('the mode choice', () => {
  const image = config({ image: 'local/debian:bookworm' });
  const ok = { dockerProblem: null, registry: '127.0.0.1:5000/prebuilds' };

  it('auto runs in the container when the configuration names an image or Dockerfile, Docker answers and a registry is set', () => {
    expect(chooseExecutionMode('auto', image, ok).mode).toBe('container');
    expect(chooseExecutionMode('auto', config({ build: { dockerfile: '.devcontainer/Dockerfile', context: '.devcontainer', args: {} } }), ok).mode).toBe(
      'container',
    );
  });

  it('auto runs a Docker Compose configuration in the container when it names its service', () => {
    const compose = config({ dockerComposeFiles: ['.devcontainer/docker-compose.yml'], parsed: { dockerComposeFile: 'docker-compose.yml', service: 'app' } });
    expect(containerUnsupported(compose)).toBeNull();
    expect(composeService(compose.environment)).toBe('app');
    expect(chooseExecutionMode('auto', compose, ok)).toEqual({
      mode: 'container',
      reason: 'container-mode: auto, and the configuration names an image, a Dockerfile or compose files',
    });
    expect(() => chooseExecutionMode('container', config({ dockerComposeFiles: ['c.yml'], parsed: { service: 3 } }), ok)).toThrow(
      'container-mode: container cannot run: .devcontainer/devcontainer.json uses Docker Compose but names no `service`',
    );
  });

  it('auto falls back to host with the reason', () => {
    expect(chooseExecutionMode('auto', config({}), ok)).toEqual({
      mode: 'host',
      reason: 'container-mode: auto chose host: .devcontainer/devcontainer.json names no image and no Dockerfile',
    });
    expect(chooseExecutionMode('auto', image, { ...ok, dockerProblem: 'the docker client is not installed' }).reason).toMatch(
      /Docker cannot be used: the docker client is not installed/,
    );
    expect(chooseExecutionMode('auto', image, { ...ok, registry: '' }).reason).toMatch(/no registry is set/);
    expect(chooseExecutionMode('auto', config({ dockerComposeFiles: ['.devcontainer/docker-compose.yml'], parsed: { service: ' ' } }), ok).reason).toBe(
      'container-mode: auto chose host: .devcontainer/devcontainer.json uses Docker Compose but names no `service` (the compose service of the dev container)',
    );
    expect(containerUnsupported(config({ format: 'gitpod', file: '.gitpod.yml' }))).toBe('.gitpod.yml names no image and no Dockerfile');
    expect(containerUnsupported(config({ format: 'gitpod', file: '.gitpod.yml', image: 'x' }))).toBeNull();
  });

  it('host is host; container fails with the reason when it cannot run', () => {
    expect(chooseExecutionMode('host', image, ok).mode).toBe('host');
    expect(() => chooseExecutionMode('container', image, { ...ok, dockerProblem: 'the Docker engine does not answer' })).toThrow(
      'container-mode: container cannot run: Docker cannot be used: the Docker engine does not answer',
    );
  });

  it('asks Docker only when the answer matters', async () => {
    const asked: string[] = [];
    const probe = async () => {
      asked.push('docker info');
      return 'down';
    };
    expect((await selectMode('host', image, ok.registry, {}, probe)).mode).toBe('host');
    expect((await selectMode('auto', config({}), ok.registry, {}, probe)).mode).toBe('host');
    expect((await selectMode('auto', image, '', {}, probe)).mode).toBe('host');
    expect(asked).toEqual([]);
    expect((await selectMode('auto', image, ok.registry, {}, probe)).reason).toMatch(/Docker cannot be used: down/);
    expect(asked).toEqual(['docker info']);
  });
});

describe('image names', () => {
  it('puts each configuration in its own repository under the registry, tagged by sha and identity', () => {
    const repo = imageRepository('ghcr.io/Octo/App/prebuilds/', 'Web App');
    expect(repo).toBe('ghcr.io/octo/app/prebuilds/web-app');
    expect(imageTags(repo, 'a'.repeat(40), 'b'.repeat(64))).toEqual({
      sha: `${repo}:sha-${'a'.repeat(40)}`,
      identity: `${repo}:identity-${'b'.repeat(32)}`,
    });
    expect(imageRepository('127.0.0.1:5000', 'devcontainer')).toBe('127.0.0.1:5000/devcontainer');
    expect(() => imageRepository('https://ghcr.io/x', 'a')).toThrow(/Invalid registry "https:\/\/ghcr.io\/x"/);
  });

  it('pins a tagged reference by digest (registry ports kept)', () => {
    expect(pinned('127.0.0.1:5000/p/web:sha-abc', 'sha256:123')).toBe('127.0.0.1:5000/p/web@sha256:123');
    expect(pinned('ghcr.io/o/r/web', 'sha256:1')).toBe('ghcr.io/o/r/web@sha256:1');
  });
});

describe('the configuration for a prebuilt image', () => {
  it('keeps how the workspace is mounted, drops how the image is built and what its metadata label carries', () => {
    const parsed = {
      name: 'x',
      build: { dockerfile: 'Dockerfile' },
      features: { './f': {} },
      onCreateCommand: 'npm ci',
      postCreateCommand: 'x',
      containerEnv: { A: '1' },
      remoteUser: 'node',
      workspaceFolder: '/w',
      runArgs: ['--cap-add=SYS_PTRACE'],
      initializeCommand: 'echo host',
    };
    expect(prebuiltConfig({ format: 'devcontainer', parsed }, 'r/web@sha256:1')).toEqual({
      name: 'x',
      workspaceFolder: '/w',
      runArgs: ['--cap-add=SYS_PTRACE'],
      initializeCommand: 'echo host',
      image: 'r/web@sha256:1',
    });
  });
});

describe('the configuration for a prebuilt Docker Compose service', () => {
  it('names the generated compose file instead of the original ones, keeps service and runServices, and has no image', () => {
    const parsed = {
      name: 'x',
      dockerComposeFile: ['../docker-compose.yml', 'docker-compose.yml'],
      service: 'app',
      runServices: ['app', 'db'],
      workspaceFolder: '/workspaces/x',
      features: { 'ghcr.io/devcontainers/features/go:1': {} },
      onCreateCommand: 'make deps',
      remoteUser: 'node',
      shutdownAction: 'stopCompose',
    };
    expect(prebuiltConfig({ format: 'devcontainer', parsed }, 'r/web@sha256:1', '/ws/.prebuilds/docker-compose.prebuilt.yml')).toEqual({
      name: 'x',
      dockerComposeFile: ['/ws/.prebuilds/docker-compose.prebuilt.yml'],
      service: 'app',
      runServices: ['app', 'db'],
      workspaceFolder: '/workspaces/x',
    });
  });
});

describe('a .gitpod.yml in container mode', () => {
  const yml = [
    'image: local/debian:bookworm',
    'tasks:',
    '  - name: deps',
    '    before: export A=1',
    '    init: echo init > init.txt',
    '    command: echo started > /tmp/started',
    '    env:',
    '      MODE: dev',
  ].join('\n');

  it('becomes the devcontainer.json the CLI builds: the image, the tasks as bash commands with their env', () => {
    const { environment } = parseGitpod('.gitpod.yml', yml);
    const config = gitpodDevcontainer(environment!, '/ws');
    expect(config.image).toBe('local/debian:bookworm');
    expect(config.updateContentCommand).toEqual(['env', 'MODE=dev', 'bash', '-c', expect.stringContaining('echo init > init.txt')]);
    expect(config.postStartCommand).toEqual(['env', 'MODE=dev', 'bash', '-c', expect.stringContaining('echo started > /tmp/started')]);
    expect(prebuiltConfig({ format: 'gitpod', parsed: { tasks: [] } }, 'r@sha256:1')).toEqual({ image: 'r@sha256:1' });
  });

  it('builds image.file with absolute paths', () => {
    const { environment } = parseGitpod('.gitpod.yml', 'image:\n  file: .gitpod.Dockerfile\n');
    expect(gitpodDevcontainer(environment!, '/ws')).toMatchObject({ build: { dockerfile: '/ws/.gitpod.Dockerfile', context: '/ws' } });
  });
});

describe('reading the Dev Containers CLI', () => {
  it('reads the result line of devcontainer up', () => {
    expect(parseUpResult('log\n{"outcome":"success","containerId":"c1","remoteUser":"node","remoteWorkspaceFolder":"/workspaces/repo"}\n')).toEqual({
      containerId: 'c1',
      remoteUser: 'node',
      remoteWorkspaceFolder: '/workspaces/repo',
    });
    expect(() => parseUpResult('{"outcome":"error","message":"Command failed: npm ci","description":"x"}')).toThrow(
      'devcontainer up failed: x (Command failed: npm ci)',
    );
    expect(() => parseUpResult('{"outcome":"error","message":"boom"}')).toThrow('devcontainer up failed: boom');
    expect(() => parseUpResult('no json')).toThrow(/no result line/);
  });

  it('cuts an incremental image chain before the layer limit: one place decides', () => {
    expect(layerLimitReason(9, 10)).toBeNull(); // 9 + the prebuild's layer = 10: still incremental
    expect(layerLimitReason(10, 10)).toBe(
      "the base's image has 10 layers and an incremental prebuild adds one, past max-image-layers 10 (overlay2 mounts at most 128)",
    );
    expect(layerLimitReason(DEFAULT_MAX_IMAGE_LAYERS - 1, DEFAULT_MAX_IMAGE_LAYERS)).toBeNull();
    expect(parseMaxImageLayers('')).toBe(DEFAULT_MAX_IMAGE_LAYERS);
    expect(parseMaxImageLayers(' 12 ')).toBe(12);
    for (const bad of ['1', '126', '10.5', 'many']) expect(() => parseMaxImageLayers(bad)).toThrow(`Invalid "max-image-layers" input "${bad}"`);
  });

  it('times the hooks from the text log of devcontainer up', () => {
    const log = [
      "[2026-01-01T00:00:01.000Z] Running the onCreateCommand from Feature './hello'...",
      '[2026-01-01T00:00:01.500Z] Running the onCreateCommand from devcontainer.json...',
      '[2026-01-01T00:00:04.000Z] Running the updateContentCommand from devcontainer.json...',
    ].join('\n');
    expect(hookTimesFromLog(log, Date.parse('2026-01-01T00:00:05.250Z'))).toEqual({
      onCreateCommand: { startedAt: '2026-01-01T00:00:01.000Z', durationMs: 3000 },
      updateContentCommand: { startedAt: '2026-01-01T00:00:04.000Z', durationMs: 1250 },
    });
  });

  it('pins the CLI version package.json installs', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['@devcontainers/cli']).toBe(DEVCONTAINERS_CLI_VERSION);
  });
});
