/**
 * Differential tests against the reference implementation, @devcontainers/cli 0.89
 * (a devDependency): what it reads from a devcontainer.json must be what we read.
 * The CLI runs for real; only `docker` is replaced (through its `--docker-path`
 * option) by a script that records its arguments and answers the few queries the
 * CLI makes (`ps`, `inspect`, `version`), so no Docker engine is needed and the
 * exact `docker buildx build … CONTEXT` line the CLI would run can be read.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseDevcontainer, substituteDeep } from '../../src/config/index.js';
import type { LifecycleCommand, LifecycleHook } from '../../src/config/model.js';
import { corpusFiles, repoRoot } from './helpers.js';

const run = promisify(execFile);
const CLI = path.join(repoRoot, 'node_modules/@devcontainers/cli/devcontainer.js');

let tmp: string;
let fakeDocker: string;
let callsLog: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'reference-cli-'));
  fakeDocker = path.join(tmp, 'docker');
  callsLog = path.join(tmp, 'docker-calls.log');
  writeFileSync(
    fakeDocker,
    `#!/bin/sh
echo "$@" >> "${callsLog}"
case "$1" in
  buildx) [ "$2" = version ] && echo "github.com/docker/buildx v0.12.0 0"; exit 0;;
  version) echo 24.0.0; exit 0;;
  -v) echo "Docker version 24.0.0, build 0"; exit 0;;
  inspect) echo '[{"Id":"sha256:0","Config":{"Env":["PATH=/bin"],"Labels":{},"User":"root"},"Os":"linux","Architecture":"amd64"}]'; exit 0;;
  *) exit 0;;
esac
`,
  );
  chmodSync(fakeDocker, 0o755);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let workspaces = 0;
/** A fresh workspace with `files` (repository-relative paths). */
function workspace(files: Record<string, string>): string {
  const ws = path.join(tmp, `ws${++workspaces}`);
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, p)), { recursive: true });
    writeFileSync(path.join(ws, p), content);
  }
  return ws;
}

/** Runs the CLI; resolves with its last stdout line parsed, and whether it exited 0. */
async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; result: Record<string, any>; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--docker-path', fakeDocker], { env, timeout: 60_000, maxBuffer: 16 << 20 });
    return { ok: true, result: JSON.parse(stdout.trim().split('\n').pop()!), stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    const last = (e.stdout ?? '').trim().split('\n').pop() ?? '';
    return { ok: false, result: last.startsWith('{') ? JSON.parse(last) : {}, stderr: e.stderr ?? '' };
  }
}

/** Our normalised lifecycle command back in devcontainer.json form (string, array or object). */
function rawForm(command: LifecycleCommand): unknown {
  if (command.kind === 'shell') return command.command;
  if (command.kind === 'exec') return command.argv;
  return Object.fromEntries(Object.entries(command.commands).map(([name, c]) => [name, rawForm(c)]));
}

const HOOKS: LifecycleHook[] = ['initializeCommand', 'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'];

/** The CLI starts in about half a second; the corpus test runs it once per file. */
const CLI_TIMEOUT = 180_000;

describe('@devcontainers/cli as the reference', () => {
  it(
    'substitutes ${localEnv:…} as the CLI does: a variable set to "" stays empty, the default is for unset ones',
    async () => {
      const raw =
        'echo [${localEnv:EMPTYV:dflt}] [${localEnv:UNSETV:dflt2}] [${localEnv:SETV:x}] [${localEnv:UNSETV}] [${env:UNSETV:a:b}] ${localWorkspaceFolderBasename} ${containerWorkspaceFolder}';
      const ws = workspace({ '.devcontainer/devcontainer.json': JSON.stringify({ image: 'x', onCreateCommand: raw }) });
      const env: NodeJS.ProcessEnv = { ...process.env, EMPTYV: '', SETV: 'v' };
      delete env.UNSETV;
      const { ok, result } = await cli(['read-configuration', '--workspace-folder', ws], env);
      expect(ok).toBe(true);
      const ours = parseDevcontainer('.devcontainer/devcontainer.json', JSON.stringify({ image: 'x', onCreateCommand: raw }));
      const vars = { localWorkspaceFolder: ws, containerWorkspaceFolder: result.workspace.workspaceFolder as string, localEnv: env };
      expect(substituteDeep(rawForm(ours.environment!.lifecycle.onCreateCommand!), vars)).toBe(result.configuration.onCreateCommand);
      expect(result.configuration.onCreateCommand).toContain('echo [] [dflt2] [v] [] [a]');
    },
    CLI_TIMEOUT,
  );

  it(
    'refuses ${localEnv} without a name, as the CLI does, with the position of the string',
    async () => {
      const text = '{\n  "image": "x",\n  "postCreateCommand": "echo ${localEnv}"\n}\n';
      const ws = workspace({ '.devcontainer/devcontainer.json': text });
      const { ok, stderr } = await cli(['read-configuration', '--workspace-folder', ws, '--log-level', 'trace']);
      expect(ok).toBe(false);
      expect(stderr).toContain('no environment variable name is given');
      const ours = parseDevcontainer('.devcontainer/devcontainer.json', text);
      expect(ours.environment).toBeUndefined();
      expect(ours.problems).toEqual([
        expect.objectContaining({
          line: 3,
          column: 24,
          keyPath: 'postCreateCommand',
          message: expect.stringContaining('`${localEnv}` names no environment variable'),
        }),
      ]);
      // An empty name is the same mistake (the CLI silently reads it as ""): also a problem.
      expect(parseDevcontainer('d.json', '{"image": "x", "containerEnv": {"A": "${localEnv:}"}}').problems[0]).toMatchObject({ keyPath: 'containerEnv.A' });
    },
    CLI_TIMEOUT,
  );

  it.each([
    ['no context: the Dockerfile folder', { build: { dockerfile: 'docker/Dockerfile' } }],
    ['an empty context: the Dockerfile folder', { build: { dockerfile: 'docker/Dockerfile', context: '' } }],
    ['build.context', { build: { dockerfile: 'docker/Dockerfile', context: '..' } }],
    ['a Dockerfile above the file', { build: { dockerfile: '../Dockerfile' } }],
    ['legacy dockerFile with build.context (ignored)', { dockerFile: 'docker/Dockerfile', build: { context: '..' } }],
    ['build.dockerfile with a legacy context (ignored)', { build: { dockerfile: 'docker/Dockerfile' }, context: '..' }],
    ['legacy dockerFile and context', { dockerFile: 'docker/Dockerfile', context: '..' }],
  ])(
    'builds from the context the CLI uses: %s',
    async (_name, doc) => {
      const file = '.devcontainer/devcontainer.json';
      const ws = workspace({ [file]: JSON.stringify(doc), '.devcontainer/docker/Dockerfile': 'FROM scratch\n', Dockerfile: 'FROM scratch\n' });
      writeFileSync(callsLog, '');
      const { ok, result } = await cli(['build', '--workspace-folder', ws]);
      expect({ ok, result }).toMatchObject({ ok: true, result: { outcome: 'success' } });
      const build = readFileSync(callsLog, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('buildx build ') || l.startsWith('build '))!;
      const cliContext = path.relative(ws, build.trim().split(' ').pop()!) || '.';
      const ours = parseDevcontainer(file, JSON.stringify(doc));
      expect(ours.problems).toEqual([]);
      expect(ours.environment!.build!.context).toBe(cliContext);
    },
    CLI_TIMEOUT,
  );

  it(
    'reads the lifecycle commands of every corpus file as the CLI does',
    async () => {
      const files = corpusFiles().filter((f) => f.kind === 'devcontainer');
      const mismatches: string[] = [];
      for (const f of files) {
        const ws = workspace({ [f.originalPath]: f.text });
        const { ok, result } = await cli(['read-configuration', '--workspace-folder', ws, '--config', path.join(ws, f.originalPath)]);
        if (!ok) {
          mismatches.push(`${f.name}: the CLI failed`);
          continue;
        }
        const ours = parseDevcontainer(f.originalPath, f.text);
        const vars = { localWorkspaceFolder: ws, containerWorkspaceFolder: result.workspace.workspaceFolder as string, localEnv: process.env };
        for (const hook of HOOKS) {
          const theirs = result.configuration[hook];
          const mine = ours.environment!.lifecycle[hook];
          // The CLI keeps empty commands ("", [], {}) that it then skips; we drop them.
          const empty = theirs === undefined || theirs === null || theirs === '' || (Array.isArray(theirs) && theirs.length === 0);
          const expected = mine ? substituteDeep(rawForm(mine), vars) : undefined;
          if (empty ? expected !== undefined : JSON.stringify(expected) !== JSON.stringify(theirs))
            mismatches.push(`${f.name} ${hook}: ${JSON.stringify(theirs)} vs ${JSON.stringify(expected)}`);
        }
      }
      expect(mismatches).toEqual([]);
      expect(files.length).toBeGreaterThanOrEqual(20);
    },
    CLI_TIMEOUT,
  );
});
