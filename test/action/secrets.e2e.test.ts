/**
 * Secrets and retention through the BUNDLED action (issue 13 items 1 and 3): a real
 * repository with `.github/prebuilds.yml` naming a secret, the run's secrets passed
 * as `${{ toJSON(secrets) }}` would pass them, a dir: store.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git, runBundle } from './bundle.js';
import { cleanup, tempDir } from './helpers.js';

const dirs: string[] = [];
afterAll(() => cleanup(dirs));

const TOKEN = 'npm_s3cr3t_value_0123456789';
const OTHER = 'other_s3cr3t_value_987654';
const secrets = JSON.stringify({ github_token: 'ghs_job_token_value_1234', NPM_TOKEN: TOKEN, OTHER });

async function makeRepo(onCreateCommand: string, retention = 3): Promise<{ repo: string; sha: string }> {
  const repo = await tempDir('repo-');
  dirs.push(repo);
  git(repo, 'init', '-q', '-b', 'main');
  await mkdir(path.join(repo, '.devcontainer'));
  await mkdir(path.join(repo, '.github'));
  await writeFile(path.join(repo, '.devcontainer/devcontainer.json'), JSON.stringify({ image: 'x', onCreateCommand }));
  await writeFile(path.join(repo, '.github/prebuilds.yml'), `prebuilds:\n  - name: web\n    secrets: [NPM_TOKEN]\n    retention: ${retention}\n`);
  await writeFile(path.join(repo, '.gitignore'), '.prebuilds/\nseen.txt\nconfig/\n');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'first');
  return { repo, sha: git(repo, 'rev-parse', 'HEAD') };
}

const probe =
  'printf %s "${NPM_TOKEN:-}" | wc -c | tr -d " " > seen.txt; ' +
  'echo "other=${OTHER:-unset} input=${INPUT_SECRETS:-unset} token-input=${INPUT_TOKEN:-unset}" >> seen.txt';

describe('secrets', () => {
  it('hooks get only the named secrets; every value is masked; the action inputs carrying secrets stay out', async () => {
    const { repo, sha } = await makeRepo(probe);
    const store = await tempDir('store-');
    dirs.push(store);
    const run = await runBundle(repo, { store: `dir:${store}`, sha, 'prebuild-id': '1', secrets, token: 'ghs_input_token_5678' }, dirs);
    expect(run.stdout).not.toContain('::error::');
    expect(run.status).toBe(0);
    expect(await readFile(path.join(repo, 'seen.txt'), 'utf8')).toBe(`${TOKEN.length}\nother=unset input=unset token-input=unset\n`);
    for (const value of [TOKEN, OTHER, 'ghs_job_token_value_1234']) expect(run.stdout).toContain(`::add-mask::${value}`);
  });

  it('refuses to save a snapshot holding a secret value, naming the file; nothing is stored', async () => {
    const { repo, sha } = await makeRepo('mkdir -p config && echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > config/.npmrc');
    const store = await tempDir('store-');
    dirs.push(store);
    const run = await runBundle(repo, { store: `dir:${store}`, sha, 'prebuild-id': '2', secrets }, dirs);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^::error::Refusing to save the snapshot: config\/\.npmrc contains the value of the secret NPM_TOKEN/m);
    expect(run.stdout.split('\n').filter((l) => l.includes(TOKEN) && !l.startsWith('::add-mask::'))).toEqual([]);
    expect(await readdir(store)).toEqual([]);
    expect(run.result).toBeNull();
  });

  it('gives a fork pull request none, with a warning', async () => {
    const { repo, sha } = await makeRepo(probe);
    const store = await tempDir('store-');
    dirs.push(store);
    const event = path.join(store, 'event.json');
    await writeFile(
      event,
      JSON.stringify({
        repository: { default_branch: 'main' },
        pull_request: { head: { repo: { full_name: 'mallory/app' } }, base: { repo: { full_name: 'octo/app' } } },
      }),
    );
    const run = await runBundle(repo, { store: `dir:${store}/s`, sha, 'prebuild-id': '3', secrets }, dirs, { GITHUB_EVENT_PATH: event });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^::warning::Lifecycle commands get none of the secrets NPM_TOKEN: the pull request comes from mallory\/app, not octo\/app/m);
    expect(await readFile(path.join(repo, 'seen.txt'), 'utf8')).toMatch(/^0\n/);
  });

  it('warns about a named secret the run does not have', async () => {
    const { repo, sha } = await makeRepo(probe);
    const store = await tempDir('store-');
    dirs.push(store);
    const run = await runBundle(repo, { store: `dir:${store}`, sha, 'prebuild-id': '4', secrets: JSON.stringify({ OTHER }) }, dirs);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^::warning::Secrets named in \.github\/prebuilds\.yml are not set for this run: NPM_TOKEN/m);
  });
});

describe('retention of a dir: store, from the action', () => {
  it('keeps the newest `retention` snapshots and the base in use; deletes the files of the others', async () => {
    const { repo, sha } = await makeRepo('echo built > seen.txt', 2);
    const store = await tempDir('store-');
    dirs.push(store);
    const key = (id: number) => `prebuilds-v1/web/${sha}/${id}`;
    for (const id of [1, 2, 3]) {
      const run = await runBundle(repo, { store: `dir:${store}`, sha, 'prebuild-id': String(id) }, dirs);
      expect(run.status).toBe(0);
    }
    const names = async () => (await readdir(store)).filter((n) => n.endsWith('.json')).sort();
    expect(await names()).toEqual([`prebuilds-v1+web+${sha}+2.json`, `prebuilds-v1+web+${sha}+3.json`]);
    expect((await readdir(store)).length).toBe(4); // archives went with their manifests

    // Prebuild 4 starts from base 2 (older than 3): 4 and 3 are the newest two, 2 stays as the base in use.
    const run = await runBundle(repo, { store: `dir:${store}`, sha, 'prebuild-id': '4', base: key(2) }, dirs);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('Retention (2 kept)'); // nothing deleted: 2 is protected
    expect(await names()).toEqual([2, 3, 4].map((id) => `prebuilds-v1+web+${sha}+${id}.json`));
    const run5 = await runBundle(repo, { store: `dir:${store}`, sha, 'prebuild-id': '5', base: key(4) }, dirs);
    expect(run5.stdout).toContain(`Retention (2 kept): deleted 2 older snapshots: ${key(3)}, ${key(2)}`);
    expect(await names()).toEqual([4, 5].map((id) => `prebuilds-v1+web+${sha}+${id}.json`));
  });
});
