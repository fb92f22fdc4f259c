/**
 * Runs a container-mode prebuild with the command lines of `container.ts`:
 * `devcontainer up --prebuild`, `docker commit`, `docker save` into the snapshot
 * store, then removes the container. Needs Docker; not exercised by the tests
 * (no Docker there), unlike the pure argument building.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { snapshotKey } from '../../src/lifecycle/snapshot-key.js';
import { Env } from './constants.js';
import { devcontainerUpArgs, dockerCommitArgs, dockerSaveArgs, parseUpResult, type ContainerPrebuild } from './container.js';
import { failureMessage, runCommand } from '../../src/lifecycle/run-hooks.js';
import type { PrebuildLog } from './prebuild.js';
import type { SnapshotStore } from './snapshot/store.js';

async function step(log: PrebuildLog, env: NodeJS.ProcessEnv, cwd: string, file: string, args: string[]): Promise<{ stdout: string; durationMs: number }> {
  let stdout = '';
  log.startGroup(`${file} ${args.join(' ')}`);
  const exit = await runCommand({ kind: 'exec', argv: [file, ...args] }, { cwd, env }, (chunk) => {
    stdout += chunk.toString('utf8');
    log.output(chunk);
  });
  log.endGroup();
  const message = failureMessage(file, undefined, { kind: 'exec', argv: [file, ...args] }, exit);
  if (message) throw new Error(message);
  return { stdout, durationMs: exit.durationMs };
}

/**
 * A prebuild in container mode. The base input is not used (the image is built
 * from the Dockerfile/image and its layer cache, not from a workspace snapshot).
 * @throws Error when a command fails or the snapshot cannot be saved
 */
export async function runContainerPrebuild(p: ContainerPrebuild, store: SnapshotStore, log: PrebuildLog, env: NodeJS.ProcessEnv): Promise<PrebuildResult> {
  const started = performance.now();
  const key = snapshotKey(p.configuration.settings.name, p.sha, p.prebuildId);
  const up = await step(log, env, p.workspace, 'devcontainer', devcontainerUpArgs(p));
  const { containerId } = parseUpResult(up.stdout);
  const dir = await mkdtemp(path.join(env[Env.RunnerTemp] || os.tmpdir(), 'prebuild-image-'));
  try {
    await step(log, env, p.workspace, 'docker', dockerCommitArgs(containerId, p));
    await step(log, env, p.workspace, 'docker', dockerSaveArgs(p, path.join(dir, 'image.tar')));
    const hooks = { 'devcontainer up': up.durationMs };
    const { bytes } = await store.save(key, ['image.tar'], dir, {
      sha: p.sha,
      configuration: p.configuration.settings.name,
      prebuildId: p.prebuildId,
      identity: p.configuration.identity,
      hooks: {},
      base: null,
    });
    return {
      prebuildId: p.prebuildId,
      configuration: p.configuration.settings.name,
      sha: p.sha,
      snapshotKey: key,
      snapshotBytes: bytes,
      durationMs: Math.round(performance.now() - started),
      hooks,
      base: null,
      identity: p.configuration.identity,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await step(log, env, p.workspace, 'docker', ['rm', '-f', containerId]).catch(() => undefined);
  }
}
