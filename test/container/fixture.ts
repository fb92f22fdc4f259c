/** The container-mode fixture (demo/container-fixture) as a git repository, for the Docker tests. */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from '../action/bundle.js';
import { tempDir } from '../action/helpers.js';
import { BASE_IMAGE } from '../helpers/docker.js';

const fixture = fileURLToPath(new URL('../../demo/container-fixture', import.meta.url));
/** Time allowed for one image build + prebuild, ms. */
export const BUILD_TIMEOUT = 240_000;

/**
 * A git repository with the fixture, built FROM the base image of this machine; `extra`
 * files (repository-relative path → content) written over it before the first commit.
 */
export async function fixtureRepo(dirs: string[], extra: Record<string, string> = {}): Promise<{ repo: string; sha: string }> {
  const repo = await tempDir('container-repo-');
  dirs.push(repo);
  await cp(fixture, repo, { recursive: true });
  const config = path.join(repo, '.devcontainer/devcontainer.json');
  await writeFile(config, (await readFile(config, 'utf8')).replace('"BASE_IMAGE": "local/debian:bookworm"', `"BASE_IMAGE": "${BASE_IMAGE}"`));
  for (const [file, content] of Object.entries(extra)) {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), content);
  }
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first');
  return { repo, sha: git(repo, 'rev-parse', 'HEAD') };
}

/** A fresh clone of `repo` at `sha`. */
export async function cloneAt(dirs: string[], repo: string, sha: string): Promise<string> {
  const ws = await tempDir('container-clone-');
  dirs.push(ws);
  git(ws, 'clone', '-q', repo, '.');
  git(ws, 'checkout', '-q', sha);
  return ws;
}

const composeFixture = fileURLToPath(new URL('../fixtures/compose-project', import.meta.url));

/**
 * A git repository with the Docker Compose fixture (test/fixtures/compose-project: an `app`
 * service built FROM the base image of this machine, a `cache` service from the same base),
 * `extra` files written over it before the first commit.
 */
export async function composeRepo(dirs: string[], extra: Record<string, string> = {}): Promise<{ repo: string; sha: string }> {
  const repo = await tempDir('compose-repo-');
  dirs.push(repo);
  await cp(composeFixture, repo, { recursive: true });
  const compose = path.join(repo, '.devcontainer/docker-compose.yml');
  await writeFile(compose, (await readFile(compose, 'utf8')).replaceAll('local/debian:bookworm', BASE_IMAGE));
  for (const [file, content] of Object.entries(extra)) await writeFile(path.join(repo, file), content);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first');
  return { repo, sha: git(repo, 'rev-parse', 'HEAD') };
}
