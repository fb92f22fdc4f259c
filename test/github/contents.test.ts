/**
 * Configuration files read through the contents API (src/github/contents.ts) from
 * the GitHub stand-in (real HTTP, a real git repository): files over GitHub's 1 MB
 * inline limit come back with `encoding: "none"` and are read with the raw media
 * type, so a large devcontainer.json or Dockerfile never fails a delivery; the size
 * cap, symlinks and invalid UTF-8 become problems, not exceptions. Every exchange
 * is checked against GitHub's published description.
 */
import { Octokit as RestOctokit } from '@octokit/rest';
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { resolveConfigurations } from '../../src/config/index.js';
import { RAW_MEDIA_TYPE, repoFileSource } from '../../src/github/contents.js';
import type { Octokit } from '../../src/github/octokit.js';
import { appKeyPair } from '../helpers/github.js';
import { validateResponse } from '../helpers/openapi.js';
import { installationToken, WorkingCopy } from '../helpers/standin.js';

const APP_ID = 4343;
const repo = { owner: 'octo-demo', repo: 'big' };
/** Over GitHub's 1 MB inline limit and over the default 1 MiB cap. */
const BIG = 1_300_000;

function bigDevcontainer(): string {
  const filler = `// ${'x'.repeat(BIG)}\n`;
  return `${filler}{ "build": { "dockerfile": "Dockerfile" }, "onCreateCommand": "npm ci" }\n`;
}

describe('repoFileSource (contents API)', () => {
  let gh: StandIn;
  let octokit: Octokit;
  let sha: string;
  const keys = appKeyPair();

  beforeAll(async () => {
    gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: 's' });
    const created = await gh.createRepo('big');
    const wc = new WorkingCopy(created.remote);
    sha = wc.commit(
      {
        '.devcontainer/devcontainer.json': bigDevcontainer(),
        '.devcontainer/Dockerfile': `FROM debian\n# ${'y'.repeat(BIG)}\n`,
      },
      'large configuration files',
    );
    // A file that is not UTF-8 (written as bytes), and a symlink leaving the repository.
    const { writeFileSync, symlinkSync, mkdirSync } = await import('node:fs');
    mkdirSync(`${wc.dir}/bad`, { recursive: true });
    writeFileSync(`${wc.dir}/bad/devcontainer.json`, Buffer.from([0x7b, 0x0a, 0x20, 0x22, 0x61, 0xff, 0x22, 0x3a, 0x31, 0x7d]));
    symlinkSync('/etc/passwd', `${wc.dir}/bad/link.json`);
    sha = wc.commit({}, 'hostile files');
    wc.push('main');
    const token = await installationToken(gh.apiUrl, APP_ID, keys.privateKey);
    octokit = new RestOctokit({ auth: token, baseUrl: gh.apiUrl }) as unknown as Octokit;
  });

  afterAll(async () => {
    await gh?.stop();
  });

  it('answers files over 1 MB with encoding "none", as GitHub does, and the raw media type with the bytes', async () => {
    const meta = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...repo, path: '.devcontainer/devcontainer.json', ref: sha });
    expect(meta.data).toMatchObject({ type: 'file', encoding: 'none', content: '', size: bigDevcontainer().length });
    const raw = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repo,
      path: '.devcontainer/devcontainer.json',
      ref: sha,
      headers: { accept: RAW_MEDIA_TYPE },
    });
    expect(String(raw.data)).toBe(bigDevcontainer());
  });

  it('resolves a configuration whose devcontainer.json and Dockerfile are over 1 MB (cap raised)', async () => {
    const source = repoFileSource(octokit, repo, sha, { maxFileBytes: 2 * 1024 * 1024 });
    const result = await resolveConfigurations(source, { defaultBranch: 'main' });
    expect(result.problems).toEqual([]);
    expect(result.configurations).toHaveLength(1);
    expect(result.configurations[0]!.environment.lifecycle.onCreateCommand).toEqual({ kind: 'shell', command: 'npm ci' });
    expect(result.configurations[0]!.identityFiles).toEqual(['.devcontainer/Dockerfile', '.devcontainer/devcontainer.json']);
  });

  it('turns a file over the cap into a problem, decided from its size before its content is fetched', async () => {
    const before = gh.exchanges.length;
    const result = await resolveConfigurations(repoFileSource(octokit, repo, sha), { defaultBranch: 'main' });
    expect(result.configurations).toEqual([]);
    expect(result.problems).toEqual([
      expect.objectContaining({
        file: '.devcontainer/devcontainer.json',
        line: 1,
        column: 1,
        message: expect.stringMatching(/^`\.devcontainer\/devcontainer\.json` is 1\.2 MiB, more than the 1 MiB limit/),
      }),
    ]);
    const raw = gh.exchanges.slice(before).filter((x) => String(x.contentType ?? '').includes('raw'));
    expect(raw).toEqual([]);
  });

  it('reports invalid UTF-8 with its position and a symlink out of the repository as problems', async () => {
    const source = repoFileSource(octokit, repo, sha);
    const { resolveConfiguration, defaultSettings } = await import('../../src/config/index.js');
    const bad = await resolveConfiguration(source, defaultSettings('bad/devcontainer.json', 'devcontainer', 'main'));
    expect(bad.problems).toEqual([
      expect.objectContaining({
        file: 'bad/devcontainer.json',
        line: 2,
        column: 4,
        message: expect.stringContaining('is not valid UTF-8 (byte 0xff at offset 5'),
      }),
    ]);
    const link = await resolveConfiguration(source, defaultSettings('bad/link.json', 'devcontainer', 'main'));
    expect(link.problems).toEqual([expect.objectContaining({ message: '`bad/link.json` is a symlink whose target is not a file of the repository' })]);
  });

  it('answers only with documented shapes', () => {
    const problems: string[] = [];
    for (const x of gh.exchanges) {
      if (x.template === null && x.status === 404) continue;
      if (typeof x.responseBody === 'string') continue; // raw media type: the file's bytes
      const p = validateResponse(x.method, x.path, x.status, x.responseBody);
      if (p) problems.push(`${x.method} ${x.path} → ${x.status}: ${p}`);
    }
    expect(problems).toEqual([]);
    expect(gh.errors).toEqual([]);
  });
});
