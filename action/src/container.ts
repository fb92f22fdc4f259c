/**
 * Container mode: the prebuild runs inside the dev container through
 * @devcontainers/cli (`devcontainer up --prebuild` stops after
 * updateContentCommand and sees features' lifecycle commands, which host mode does
 * not), and the snapshot is the committed container image. This module holds the
 * mode choice and the command lines as pure functions; `runContainerPrebuild` runs them.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfiguration } from '../../src/config/model.js';
import { keySegment } from '../../src/lifecycle/snapshot-key.js';
import { ContainerModes, Inputs } from './constants.js';

/** Where a prebuild runs. */
export type ExecutionMode = (typeof ContainerModes)[keyof typeof ContainerModes];

/** Executables container mode needs on PATH. */
export const CONTAINER_TOOLS = ['docker', 'devcontainer'] as const;

/** Whether an executable `name` is on `PATH` (as `env.PATH` lists it). */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      accessSync(path.join(dir, name), fsConstants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * The execution mode for a `container-mode` input: `host` by default, `container`
 * when asked for.
 * @param has tells whether an executable is available (default: {@link onPath})
 * @throws Error naming the missing tools when container mode is asked for without them,
 *   or for an unknown value
 */
export function chooseMode(input: string, has: (tool: string) => boolean = (t) => onPath(t)): ExecutionMode {
  const value = input.trim() || ContainerModes.Host;
  if (value === ContainerModes.Host) return ContainerModes.Host;
  if (value !== ContainerModes.Container) {
    throw new Error(`Invalid "${Inputs.ContainerMode}" input "${value}": expected ${ContainerModes.Host} or ${ContainerModes.Container}`);
  }
  const missing = CONTAINER_TOOLS.filter((t) => !has(t));
  if (missing.length > 0) {
    throw new Error(
      `${Inputs.ContainerMode}: ${ContainerModes.Container} needs ${missing.map((m) => `"${m}"`).join(' and ')} on PATH ` +
        `(install Docker and @devcontainers/cli: npm install -g @devcontainers/cli), or use ${Inputs.ContainerMode}: ${ContainerModes.Host}`,
    );
  }
  return ContainerModes.Container;
}

/** Identity of one container prebuild. */
export interface ContainerPrebuild {
  /** Absolute workspace path on the runner. */
  workspace: string;
  configuration: ResolvedConfiguration;
  sha: string;
  prebuildId: string;
}

/** Docker labels that identify the prebuild's container and image. */
export function prebuildLabels(p: ContainerPrebuild): Record<string, string> {
  return {
    prebuild: p.prebuildId,
    'prebuild.configuration': p.configuration.settings.name,
    'prebuild.sha': p.sha,
    'prebuild.identity': p.configuration.identity,
  };
}

/**
 * Arguments of `devcontainer up` for a prebuild: `--prebuild` (stop after
 * updateContentCommand), the workspace, the configuration file when it is not the
 * default lookup, and `--id-label`s that make the container unique to this prebuild.
 * @throws Error for a `.gitpod.yml` configuration (container mode needs a devcontainer.json)
 */
export function devcontainerUpArgs(p: ContainerPrebuild): string[] {
  const env = p.configuration.environment;
  if (env.format !== 'devcontainer') throw new Error(`Container mode needs a devcontainer.json; "${env.file}" is a ${env.format} configuration`);
  const args = ['up', '--prebuild', '--workspace-folder', p.workspace];
  if (env.file !== '.devcontainer/devcontainer.json' && env.file !== '.devcontainer.json') {
    args.push('--config', path.join(p.workspace, env.file));
  }
  for (const [k, v] of Object.entries(prebuildLabels(p))) args.push('--id-label', `${k}=${v}`);
  args.push('--remove-existing-container', '--log-format', 'text');
  return args;
}

/** The image a container prebuild is committed to: `prebuilds/<configuration>:<sha12>-<id>` (lower-case). */
export function snapshotImage(p: Pick<ContainerPrebuild, 'configuration' | 'sha' | 'prebuildId'>): string {
  const repo = keySegment(p.configuration.settings.name).toLowerCase().replace(/^[._-]+/, '') || 'default';
  const tag = `${p.sha.slice(0, 12)}-${p.prebuildId}`.toLowerCase().slice(0, 128);
  return `prebuilds/${repo}:${tag}`;
}

/** Arguments of `docker commit` turning the prebuilt container into {@link snapshotImage}, labelled. */
export function dockerCommitArgs(containerId: string, p: ContainerPrebuild): string[] {
  const args = ['commit'];
  for (const [k, v] of Object.entries(prebuildLabels(p))) args.push('--change', `LABEL ${k}=${JSON.stringify(v)}`);
  return [...args, containerId, snapshotImage(p)];
}

/** Arguments of `docker save` writing the image to `file` (the archive the snapshot store keeps). */
export function dockerSaveArgs(p: ContainerPrebuild, file: string): string[] {
  return ['save', '-o', file, snapshotImage(p)];
}

/**
 * Reads the JSON result line `devcontainer up` prints last on stdout.
 * @returns the container id and the workspace folder inside the container
 * @throws Error with the CLI's message for `{"outcome":"error"}` or unreadable output
 */
export function parseUpResult(stdout: string): { containerId: string; remoteWorkspaceFolder: string } {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    let v: { outcome?: unknown; containerId?: unknown; remoteWorkspaceFolder?: unknown; message?: unknown; description?: unknown };
    try {
      v = JSON.parse(line) as typeof v;
    } catch {
      continue;
    }
    if (v.outcome === 'success' && typeof v.containerId === 'string') {
      return { containerId: v.containerId, remoteWorkspaceFolder: String(v.remoteWorkspaceFolder ?? '') };
    }
    if (v.outcome === 'error') throw new Error(`devcontainer up failed: ${String(v.message ?? v.description ?? 'unknown error')}`);
  }
  throw new Error('devcontainer up printed no result line');
}
