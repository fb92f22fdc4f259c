/**
 * Docker Compose configurations in container mode (devcontainer.json `dockerComposeFile`
 * + `service` + `runServices`): @devcontainers/cli brings the compose project up and runs
 * the lifecycle commands in the `service` container; this module names the project, makes
 * the compose file that starts the service from a prebuilt image, and takes a project down.
 * Node-only, shared by the action and the CLI.
 *
 * The compose binary is the one @devcontainers/cli picks: `docker compose` (v2 plugin)
 * when `docker compose version` answers, else `docker-compose` (v1, ≥ 1.21 here).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import type { Environment } from '../config/model.js';
import { composeService } from './model.js';
import { docker, runTool } from './tools.js';

/**
 * A compose project name as compose ≥ 1.21 and @devcontainers/cli write it: lower case,
 * only `a-z 0-9 - _` kept.
 */
export function toProjectName(name: string): string {
  return name.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

/**
 * The project name @devcontainers/cli (0.89, `getProjectName`) gives a configuration's
 * compose project in `workspace`, first that is set:
 * 1. `COMPOSE_PROJECT_NAME` in the environment;
 * 2. `COMPOSE_PROJECT_NAME=` in the workspace's `.env` (the CLI's working directory);
 * 3. the top-level `name` of the merged compose configuration (`compose config`), unless
 *    it is `devcontainer` and no compose file sets `name` itself (compose v2's default
 *    for files in a `.devcontainer` folder, not a name the developer chose);
 * 4. `<workspace folder>_devcontainer` when the first compose file is in
 *    `workspace/.devcontainer`, else the first compose file's folder name.
 * Each normalised by {@link toProjectName}. Starting from a prebuilt image uses a
 * generated compose file elsewhere, so the name is passed explicitly: the project is the
 * one the developer's own `devcontainer up` finds.
 * @param mergedName the merged configuration's `name` ({@link composeConfigName}), asked
 *   only when 1 and 2 do not decide; absent: none
 * @throws what `mergedName` throws (compose cannot read the files)
 */
export async function defaultProjectName(
  workspace: string,
  composeFiles: readonly string[],
  env: NodeJS.ProcessEnv,
  mergedName?: () => Promise<string | undefined>,
): Promise<string> {
  const fromEnv = toProjectName(env.COMPOSE_PROJECT_NAME ?? '');
  if (fromEnv) return fromEnv;
  const dotEnv = await readFile(path.join(workspace, '.env'), 'utf8').catch(() => '');
  const fromFile = toProjectName(/^COMPOSE_PROJECT_NAME=(.+)$/m.exec(dotEnv)?.[1]?.trim() ?? '');
  if (fromFile) return fromFile;
  const files = composeFiles.map((f) => path.resolve(workspace, f));
  const name = await mergedName?.();
  if (name && (name !== 'devcontainer' || (await someFileNamesTheProject(files)))) return toProjectName(name);
  const first = files[0] ? path.dirname(files[0]) : workspace;
  return first === path.join(workspace, '.devcontainer') ? toProjectName(`${path.basename(workspace)}_devcontainer`) : toProjectName(path.basename(first));
}

/** Whether one of the compose files sets a top-level `name` itself (an unreadable file does not). */
async function someFileNamesTheProject(files: readonly string[]): Promise<boolean> {
  for (const file of [...files].reverse()) {
    try {
      const doc = yaml.load(await readFile(file, 'utf8')) as { name?: unknown } | null;
      if (doc?.name) return true;
    } catch {
      // As the CLI: a file it cannot read or parse sets no name.
    }
  }
  return false;
}

/**
 * The top-level `name` of the merged compose configuration (`compose -f FILES config`, as
 * @devcontainers/cli reads it for the project name), or undefined when it has none.
 * Compose v1 (`docker-compose`) knows no top-level `name` (it rejects a file that has
 * one), so it is not asked: no process is started for it.
 * @throws ToolError when compose cannot read the files
 */
export async function composeConfigName(workspace: string, composeFiles: readonly string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const compose = await composeCommand(env);
  if (compose[0] === 'docker-compose') return undefined;
  const { stdout } = await runTool([...compose, ...fileArgs(workspace, composeFiles), 'config'], { env, cwd: workspace });
  const name = (yaml.load(stdout) as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name ? name : undefined;
}

/** {@link composeCommand}'s answers, by what they depend on. */
const composeArgv = new Map<string, Promise<string[]>>();

/**
 * `['docker', 'compose']` when the v2 plugin answers, else `['docker-compose']` (the CLI's
 * own choice). The answer depends only on which binaries `env` finds: `PATH` (the `docker`
 * client, `docker-compose`) and where the client looks for CLI plugins (`DOCKER_CONFIG`,
 * else `HOME`/.docker/cli-plugins, besides the system plugin folders, which change only
 * with a package install). It is kept per process under those values, so `docker compose
 * version` runs once per environment: a caller with another `PATH` or `DOCKER_CONFIG` gets
 * its own answer. Never rejects.
 */
export function composeCommand(env: NodeJS.ProcessEnv): Promise<string[]> {
  const key = JSON.stringify([env.PATH ?? '', env.DOCKER_CONFIG ?? '', env.HOME ?? '']);
  let argv = composeArgv.get(key);
  if (!argv) {
    argv = docker(['compose', 'version', '--short'], { env }).then(
      () => ['docker', 'compose'],
      () => ['docker-compose'],
    );
    composeArgv.set(key, argv);
  }
  return argv;
}

/** `-f` arguments for the configuration's compose files in `workspace`. */
function fileArgs(workspace: string, composeFiles: readonly string[]): string[] {
  return composeFiles.flatMap((f) => ['-f', path.resolve(workspace, f)]);
}

/**
 * The compose document that starts `service` from `image`: the merged, resolved project
 * (`docker compose config`: paths absolute, variables substituted) with the service's
 * `build` dropped and its `image` replaced. Other services are left as they are (they are
 * not in the prebuilt image: a database starts from its own image, or is built). Pure.
 * @throws Error when the document has no such service
 */
export function prebuiltComposeDocument(merged: unknown, service: string, image: string): Record<string, unknown> {
  const doc = typeof merged === 'object' && merged !== null ? structuredClone(merged as Record<string, unknown>) : {};
  const services = doc.services as Record<string, Record<string, unknown>> | undefined;
  const entry = services?.[service];
  if (!entry || typeof entry !== 'object') throw new Error(`The compose files define no service "${service}" (devcontainer.json \`service\`)`);
  delete entry.build;
  entry.image = image;
  // Compose v1 keys the project by `-p`; a `name` from v2's config would pin another one.
  delete doc.name;
  return doc;
}

/**
 * Writes `docker-compose.prebuilt.yml` into `dir` (0600: `config` substitutes variables
 * from the environment), made by {@link prebuiltComposeDocument} from the configuration's
 * compose files in `workspace`.
 * @returns its path
 * @throws ToolError when compose cannot read the files; Error when `service` is not in them
 */
export async function writePrebuiltCompose(
  dir: string,
  environment: Pick<Environment, 'dockerComposeFiles' | 'parsed'>,
  workspace: string,
  image: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const service = composeService(environment);
  if (!service) throw new Error('A Docker Compose configuration needs `service`: the compose service of the dev container');
  const compose = await composeCommand(env);
  const { stdout } = await runTool([...compose, ...fileArgs(workspace, environment.dockerComposeFiles), 'config'], { env, cwd: workspace });
  const file = path.join(dir, 'docker-compose.prebuilt.yml');
  await writeFile(file, yaml.dump(prebuiltComposeDocument(yaml.load(stdout), service, image), { lineWidth: -1, noRefs: true }), { mode: 0o600 });
  return file;
}

/** Ids of the images the project's containers run (what a prebuild's cleanup may remove). */
export async function projectImages(project: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const { stdout } = await docker(['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`], { env }).catch(() => ({
    stdout: '',
  }));
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const images = await docker(['inspect', '--format', '{{.Image}}', ...ids], { env }).catch((err: { output?: string }) => ({ stdout: err.output ?? '' }));
  return [...new Set(images.stdout.split('\n').filter((l) => l.startsWith('sha256:')))];
}

/**
 * Takes the compose project down: `compose -p PROJECT -f FILES… down --volumes
 * --remove-orphans --timeout 0` (every container of the project, its networks, its named
 * and anonymous volumes; no grace period: the containers are thrown away, and a service
 * whose PID 1 ignores SIGTERM, e.g. `sleep infinity`, would hold it 10 s), then removes by the `com.docker.compose.project` label whatever is still there
 * (compose could not read the files, or a container came from another file set). Never
 * throws (cleanup).
 */
export async function composeDown(project: string, workspace: string, composeFiles: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const compose = await composeCommand(env);
  await runTool([...compose, '-p', project, ...fileArgs(workspace, composeFiles), 'down', '--volumes', '--remove-orphans', '--timeout', '0'], {
    env,
    cwd: workspace,
  }).catch(() => undefined);
  const label = `label=com.docker.compose.project=${project}`;
  const list = async (args: string[]) => (await docker(args, { env }).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
  const containers = await list(['ps', '--all', '--quiet', '--filter', label]);
  if (containers.length > 0) await docker(['rm', '--force', '--volumes', ...containers], { env }).catch(() => undefined);
  const networks = await list(['network', 'ls', '--quiet', '--filter', label]);
  if (networks.length > 0) await docker(['network', 'rm', ...networks], { env }).catch(() => undefined);
  const volumes = await list(['volume', 'ls', '--quiet', '--filter', label]);
  if (volumes.length > 0) await docker(['volume', 'rm', '--force', ...volumes], { env }).catch(() => undefined);
}
