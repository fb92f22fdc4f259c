/**
 * Docker Compose configurations in container mode, the parts without an engine: the
 * project names (the CLI's rule), the compose document that starts the service from a
 * prebuilt image, and the corpus's compose configurations through the model.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDevcontainer } from '../../src/config/index.js';
import { composeCommand, composeConfigName, defaultProjectName, prebuiltComposeDocument, toProjectName } from '../../src/container/compose.js';
import { composeService, containerUnsupported, prebuiltConfig } from '../../src/container/model.js';
import type { ResolvedConfiguration } from '../../src/config/model.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { corpusFiles } from '../config/helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

describe('compose project names', () => {
  it('are lower case with only a-z 0-9 - _ (compose ≥ 1.21, as the CLI writes them)', () => {
    expect(toProjectName('My App.v2_devcontainer')).toBe('myappv2_devcontainer');
    expect(toProjectName('prebuild-0123abcd')).toBe('prebuild-0123abcd');
  });

  it('follow the CLI: COMPOSE_PROJECT_NAME, else the workspace .env, else <folder>_devcontainer or the compose folder', async () => {
    const ws = await tempDir('Compose Name.');
    dirs.push(ws);
    const folder = toProjectName(path.basename(ws));
    expect(await defaultProjectName(ws, ['.devcontainer/docker-compose.yml'], {})).toBe(`${folder}_devcontainer`);
    expect(await defaultProjectName(ws, ['docker/compose.yml', '.devcontainer/docker-compose.yml'], {})).toBe('docker');
    expect(await defaultProjectName(ws, ['.devcontainer/docker-compose.yml'], { COMPOSE_PROJECT_NAME: 'Mine' })).toBe('mine');
    await writeFile(path.join(ws, '.env'), 'A=1\nCOMPOSE_PROJECT_NAME=from_env_file\n');
    expect(await defaultProjectName(ws, ['.devcontainer/docker-compose.yml'], {})).toBe('from_env_file');
  });
});

describe("compose project names from the merged configuration's `name` (the CLI's rule 3)", () => {
  // What compose v2's `config` answers for these files (the name it resolved); compose v1,
  // which CI and this machine have, rejects a top-level `name` and is never asked.
  const answers = (name: string | undefined) => {
    const asked: string[] = [];
    return { asked, mergedName: async () => (asked.push('config'), name) };
  };
  let ws: string;
  let folder: string;
  beforeAll(async () => {
    ws = await tempDir('Compose Named.');
    dirs.push(ws);
    folder = toProjectName(path.basename(ws));
    await mkdir(path.join(ws, '.devcontainer'));
    await mkdir(path.join(ws, 'other'));
    await writeFile(path.join(ws, '.devcontainer', 'docker-compose.yml'), 'services:\n  app:\n    image: local/debian:bookworm\n');
    await writeFile(path.join(ws, '.devcontainer', 'named.yml'), 'name: My Stack.v2\nservices:\n  app:\n    command: sleep infinity\n');
    await writeFile(path.join(ws, 'other', 'devcontainer-named.yml'), 'name: devcontainer\nservices: {}\n');
  });

  it('a `name:` in the compose files names the project, after COMPOSE_PROJECT_NAME and the .env', async () => {
    const files = ['.devcontainer/docker-compose.yml', '.devcontainer/named.yml'];
    const v2 = answers('My Stack.v2');
    expect(await defaultProjectName(ws, files, {}, v2.mergedName)).toBe('mystackv2');
    expect(await defaultProjectName(ws, files, { COMPOSE_PROJECT_NAME: 'Mine' }, v2.mergedName)).toBe('mine');
    expect(v2.asked).toEqual(['config']); // compose is asked only when the environment does not decide
  });

  it("`devcontainer` is compose v2's default for a .devcontainer folder: it names the project only when a file sets it", async () => {
    const v2 = answers('devcontainer');
    expect(await defaultProjectName(ws, ['.devcontainer/docker-compose.yml'], {}, v2.mergedName)).toBe(`${folder}_devcontainer`);
    expect(await defaultProjectName(ws, ['.devcontainer/docker-compose.yml', 'other/devcontainer-named.yml'], {}, v2.mergedName)).toBe('devcontainer');
  });

  it('no name (compose v1): the folder rule', async () => {
    expect(await defaultProjectName(ws, ['.devcontainer/named.yml'], {}, answers(undefined).mergedName)).toBe(`${folder}_devcontainer`);
    expect(await defaultProjectName(ws, ['other/devcontainer-named.yml'], {}, answers(undefined).mergedName)).toBe('other');
  });

  it('with compose v1 (which rejects `name:`) the configuration is not read for a name', async () => {
    const compose = await composeCommand(process.env);
    if (compose[0] !== 'docker-compose') {
      console.warn(`compose v1 behaviour not checked: this machine runs ${compose.join(' ')}`);
      return;
    }
    expect(await composeConfigName(ws, ['.devcontainer/named.yml'], process.env)).toBeUndefined();
  });

  it('.env in the workspace wins over the name', async () => {
    const other = await tempDir('compose-env-');
    dirs.push(other);
    await writeFile(path.join(other, '.env'), 'COMPOSE_PROJECT_NAME=From.Env\n');
    const v2 = answers('named');
    expect(await defaultProjectName(other, ['docker-compose.yml'], {}, v2.mergedName)).toBe('fromenv');
    expect(v2.asked).toEqual([]);
  });
});

describe('which compose binary (composeCommand)', () => {
  it('is asked per environment: a Docker config with the v2 plugin gets `docker compose`, whatever another environment got', async () => {
    if (spawnSync('docker', ['--version']).status !== 0) {
      console.warn('composeCommand not checked: no docker client here');
      return;
    }
    // A Docker CLI plugin (the client's own plugin protocol: metadata, then the command) in a
    // DOCKER_CONFIG of its own: the real `docker` client finds it as a user's compose v2 plugin.
    const config = await tempDir('docker-config-');
    dirs.push(config);
    await mkdir(path.join(config, 'cli-plugins'));
    const plugin = path.join(config, 'cli-plugins', 'docker-compose');
    await writeFile(
      plugin,
      `#!/bin/sh\nif [ "$1" = docker-cli-plugin-metadata ]; then echo '{"SchemaVersion":"0.1.0","Vendor":"prebuilds test","Version":"v2.99.0"}'; exit 0; fi\necho 2.99.0\n`,
    );
    await chmod(plugin, 0o755);
    const machine = await composeCommand(process.env);
    expect(await composeCommand({ ...process.env, DOCKER_CONFIG: config })).toEqual(['docker', 'compose']);
    expect(await composeCommand(process.env)).toEqual(machine); // its own answer, kept
    // Without the plugin (an empty config): only the machine's own plugins count.
    const empty = await tempDir('docker-config-');
    dirs.push(empty);
    expect(await composeCommand({ ...process.env, DOCKER_CONFIG: empty })).toEqual(
      spawnSync('docker', ['compose', 'version', '--short'], { env: { ...process.env, DOCKER_CONFIG: empty } }).status === 0
        ? ['docker', 'compose']
        : ['docker-compose'],
    );
  });
});

describe('the compose document for a prebuilt service', () => {
  const merged = {
    version: '3.8',
    services: {
      app: { build: { context: '/ws/.devcontainer', dockerfile: 'Dockerfile' }, image: 'mine', volumes: ['/ws:/workspace:cached'], command: 'sleep infinity' },
      db: { build: { context: '/ws/db' }, environment: { POSTGRES_PASSWORD: 'x' } },
    },
    volumes: { data: {} },
  };

  it('drops the service build, sets its image, leaves the other services and the rest as they are', () => {
    expect(prebuiltComposeDocument(merged, 'app', 'r/x@sha256:1')).toEqual({
      version: '3.8',
      services: {
        app: { image: 'r/x@sha256:1', volumes: ['/ws:/workspace:cached'], command: 'sleep infinity' },
        db: merged.services.db,
      },
      volumes: { data: {} },
    });
    expect(merged.services.app.build).toBeDefined(); // not changed in place
    expect(prebuiltComposeDocument({ name: 'v2', services: { app: {} } }, 'app', 'i')).toEqual({ services: { app: { image: 'i' } } });
  });

  it('refuses a service the files do not define', () => {
    expect(() => prebuiltComposeDocument(merged, 'web', 'i')).toThrow('The compose files define no service "web" (devcontainer.json `service`)');
    expect(() => prebuiltComposeDocument(null, 'app', 'i')).toThrow(/no service "app"/);
  });
});

describe("the corpus's Docker Compose configurations", () => {
  const compose = corpusFiles().filter((f) => f.kind === 'devcontainer' && /"dockerComposeFile"/.test(f.text));

  it('exist', () => expect(compose.length).toBeGreaterThanOrEqual(4));

  it.each(compose.map((f) => [f.name, f] as const))('%s runs in container mode and starts from a prebuilt service', (_name, f) => {
    const { environment, problems } = parseDevcontainer(f.originalPath, f.text);
    expect(problems).toEqual([]);
    expect(environment!.dockerComposeFiles.length).toBeGreaterThan(0);
    const configuration = { environment, settings: { name: 'x' }, identity: 'e'.repeat(64), identityFiles: [] } as unknown as ResolvedConfiguration;
    expect(containerUnsupported(configuration)).toBeNull();
    const service = composeService(environment!);
    expect(service).toEqual((environment!.parsed as { service: string }).service);
    const config = prebuiltConfig(environment!, 'r@sha256:1', '/ws/.prebuilds/docker-compose.prebuilt.yml');
    expect(config).toMatchObject({ dockerComposeFile: ['/ws/.prebuilds/docker-compose.prebuilt.yml'], service });
    for (const gone of ['features', 'onCreateCommand', 'postCreateCommand', 'remoteUser', 'image']) expect(config).not.toHaveProperty(gone);
    expect(config.workspaceFolder).toBe((environment!.parsed as { workspaceFolder: string }).workspaceFolder);
  });
});
