/**
 * `compareCommits` (src/github/commits.ts): the files of a compare response
 * (`GET /repos/{owner}/{repo}/compare/{basehead}`, GitHub's documented shape) include
 * both names of a renamed file, so a configuration file renamed away counts as changed.
 * GitHub is answered through Octokit's `request.fetch` option (no network).
 */
import { Octokit as RestOctokit } from '@octokit/rest';
import { compareCommits } from '../../src/github/commits.js';
import type { Octokit } from '../../src/github/octokit.js';

function octokitAnswering(body: object, seen: string[]): Octokit {
  const fetch = async (url: string | URL) => {
    seen.push(String(url));
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
  };
  return new RestOctokit({ baseUrl: 'https://api.github.test', request: { fetch } }) as unknown as Octokit;
}

describe('compareCommits', () => {
  const repo = { owner: 'octo', repo: 'app' };
  const [before, after] = ['a'.repeat(40), 'b'.repeat(40)];

  it('lists both names of a renamed file, once per compare call', async () => {
    const seen: string[] = [];
    const octokit = octokitAnswering(
      {
        total_commits: 25,
        files: [
          { filename: 'src/a.ts', status: 'modified' },
          { filename: 'docker/Dockerfile', previous_filename: '.devcontainer/Dockerfile', status: 'renamed' },
        ],
      },
      seen,
    );
    expect(await compareCommits(octokit, repo, before, after)).toEqual({ count: 25, files: ['src/a.ts', 'docker/Dockerfile', '.devcontainer/Dockerfile'] });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain(`/repos/octo/app/compare/${before}...${after}`);
  });

  it('answers null files when compare listed its maximum of 300', async () => {
    const files = Array.from({ length: 300 }, (_, i) => ({ filename: `f${i}`, status: 'added' }));
    expect((await compareCommits(octokitAnswering({ total_commits: 30, files }, []), repo, before, after)).files).toBeNull();
  });
});
