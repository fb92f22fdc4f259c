/**
 * Secrets in container mode with the real engine: the configuration's named secrets reach
 * the lifecycle commands inside the dev container (the CLI's --secrets-file), in a prebuild
 * through the BUNDLED action and in `prebuilds up`; the pushed image's configuration and
 * history hold no value; the file is gone after the run; an image that would carry a value
 * (containerEnv from the host's environment) is not pushed. Skipped with a printed reason
 * only when Docker cannot run here; never in CI.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git, runBundle } from '../action/bundle.js';
import { cleanup, tempDir } from '../action/helpers.js';
import { describeWithDocker, docker, startRegistry, type TestRegistry } from '../helpers/docker.js';
import { BUILD_TIMEOUT, cloneAt, fixtureRepo } from './fixture.js';

const cliMain = fileURLToPath(new URL('../../lib/src/cli/main.js', import.meta.url));
const dirs: string[] = [];
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Writes the hash of $API_TOKEN (never the value: the snapshot would be refused) to secret-$1.sha256; fails without it. */
const SECRET_SCRIPT = `#!/bin/sh
set -e
[ -n "$API_TOKEN" ] || { echo "API_TOKEN is not set" >&2; exit 4; }
printf %s "$API_TOKEN" | sha256sum | cut -c1-64 > "secret-$1.sha256"
`;
const PREBUILDS_YML = 'prebuilds:\n  - name: devcontainer\n    secrets: [API_TOKEN]\n';

async function secretRepo(extraConfig = ''): Promise<{ repo: string; sha: string }> {
  const { repo } = await fixtureRepo(dirs, { 'scripts/secret.sh': SECRET_SCRIPT, '.github/prebuilds.yml': PREBUILDS_YML });
  const config = path.join(repo, '.devcontainer/devcontainer.json');
  let text = await readFile(config, 'utf8');
  text = text
    .replace('"onCreateCommand": "sh scripts/install.sh"', '"onCreateCommand": "sh scripts/install.sh && sh scripts/secret.sh oncreate"')
    .replace('"postCreateCommand": "touch .post-create-ran"', '"postCreateCommand": "touch .post-create-ran && sh scripts/secret.sh postcreate"')
    .replace('"containerEnv": {', `"containerEnv": {${extraConfig}`);
  await writeFile(config, text);
  await writeFile(path.join(repo, '.gitignore'), `${await readFile(path.join(repo, '.gitignore'), 'utf8')}secret-*.sha256\n`);
  git(repo, 'commit', '-q', '-a', '-m', 'secrets');
  return { repo, sha: git(repo, 'rev-parse', 'HEAD') };
}

describeWithDocker('secrets in container mode with the real engine', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    await cleanup(dirs);
  });

  it(
    'reach onCreate in the prebuild and postCreate in prebuilds up; the pushed image holds no value; the file is removed',
    async () => {
      const { repo, sha } = await secretRepo();
      const store = await tempDir('secrets-store-');
      const runner = await tempDir('secrets-runner-');
      dirs.push(store, runner);
      const inputs = { 'container-mode': 'container', registry: `${registry.host}/secrets`, store: `dir:${store}`, sha, 'prebuild-id': '1' };
      const run = await runBundle(
        repo,
        { ...inputs, secrets: JSON.stringify({ API_TOKEN: TOKEN, OTHER: 'unrelated' }) },
        dirs,
        { RUNNER_TEMP: runner },
        BUILD_TIMEOUT,
      );
      expect(run.stdout).not.toContain('::error::');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('--secrets-file');
      expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN); // the runner masks the value
      expect((await readFile(path.join(repo, 'secret-oncreate.sha256'), 'utf8')).trim()).toBe(sha256(TOKEN)); // ran inside, with the value
      expect(await readdir(runner)).not.toContainEqual(expect.stringMatching(/secrets|prebuild-container/));

      // The pushed image: configuration, labels, env and history without the value.
      const image = run.outputs['image']!;
      docker('pull', image);
      try {
        expect(docker('image', 'inspect', image)).not.toContain(TOKEN);
        expect(docker('history', '--no-trunc', image)).not.toContain(TOKEN);
        expect(docker('run', '--rm', '--entrypoint', 'env', image)).not.toContain(TOKEN);
      } finally {
        docker('image', 'rm', image);
      }

      // prebuilds up: postCreateCommand gets the named secret from the caller's environment.
      const ws = await cloneAt(dirs, repo, sha);
      const up = spawnSync(process.execPath, [cliMain, 'up', ws, '--store', `dir:${store}`], {
        encoding: 'utf8',
        timeout: BUILD_TIMEOUT,
        env: { ...process.env, API_TOKEN: TOKEN },
      });
      const outcome = JSON.parse(up.stdout || '{}') as { containerId?: string; image?: string };
      try {
        expect(up.status).toBe(0);
        expect((await readFile(path.join(ws, 'secret-postcreate.sha256'), 'utf8')).trim()).toBe(sha256(TOKEN));
        expect(docker('inspect', outcome.containerId!)).not.toContain(TOKEN); // not in the container's config either
      } finally {
        if (outcome.containerId) docker('rm', '-f', outcome.containerId);
        if (outcome.image) docker('image', 'rm', outcome.image);
      }
    },
    BUILD_TIMEOUT * 2,
  );

  it(
    'an image whose configuration would carry a secret value is not pushed (containerEnv from the host environment)',
    async () => {
      const { repo, sha } = await secretRepo('"LEAKED": "${localEnv:API_TOKEN}", ');
      const store = await tempDir('secrets-store-');
      dirs.push(store);
      const run = await runBundle(
        repo,
        {
          'container-mode': 'container',
          registry: `${registry.host}/leak`,
          store: `dir:${store}`,
          sha,
          'prebuild-id': '2',
          secrets: JSON.stringify({ API_TOKEN: TOKEN }),
        },
        dirs,
        {},
        BUILD_TIMEOUT,
      );
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/^::error::Refusing to push the prebuilt image: its configuration or history contains the value of the secret API_TOKEN$/m);
      expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN); // the runner masks the value
      expect(await registry.catalog()).not.toContain('leak/devcontainer');
      expect(await readdir(store)).toEqual([]);
      expect(docker('ps', '--all', '--quiet', '--filter', 'label=prebuilds.prebuild=2', '--filter', `label=prebuilds.sha=${sha}`)).toBe('');
      expect(docker('images', '--quiet', '--filter', `reference=${registry.host}/leak/*`)).toBe('');
    },
    BUILD_TIMEOUT,
  );
});
