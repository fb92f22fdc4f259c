import { Octokit as RestOctokit } from '@octokit/rest';
import type { Octokit } from '../../src/github/octokit.js';
import { FAILURE_LABEL, issueMarker, mentions, notifyOutcome } from '../../src/prebuilds/notify.js';
import type { PrebuildRecord } from '../../src/store/types.js';
import { errorBody } from '../../demo/github/index.js';
import { settings } from '../api/harness.js';
import { startGitHub, type TestGitHub } from '../helpers/github.js';
import { INSTALLATION_ID, REPO, SHA_A, SHA_B } from '../helpers/ids.js';

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  comments: string[];
}

/** The issues of octo/app on the fake, oldest first. */
function issuesOf(github: TestGitHub): Issue[] {
  return github.standIn
    .issues(REPO.repo)
    .map((i) => ({ number: i.number, title: i.title, body: i.body ?? '', state: i.state, labels: [...i.labels], comments: i.comments.map((c) => c.body) }));
}

function prebuild(over: Partial<PrebuildRecord>): PrebuildRecord {
  return {
    id: 7,
    reportedState: null,
    ...REPO,
    installationId: INSTALLATION_ID,
    configuration: 'devcontainer',
    identity: 'i',
    branch: 'main',
    sha: SHA_A,
    prNumber: null,
    trigger: 'push',
    state: 'failure',
    workflow: 'prebuild.yml',
    timeoutMinutes: 60,
    settings: settings({ notify: ['@alice', '@octo/devs'] }),
    baseKey: null,
    baseSha: null,
    baseReason: null,
    snapshotKey: null,
    snapshotBytes: null,
    cachesKey: null,
    expireKeys: null,
    runReport: null,
    durationMs: 1000,
    hooks: null,
    checkRunId: null,
    workflowRunId: 99,
    workflowRunUrl: 'https://github.com/octo/app/actions/runs/99',
    reason: 'onCreateCommand `npm ci` exited with 1',
    deliveryId: null,
    createdAt: 0,
    dispatchedAt: 0,
    startedAt: 0,
    endedAt: 0,
    ...over,
  };
}

describe('failure notifications', () => {
  let github: TestGitHub;
  let issues: () => Issue[];
  let octokit: Octokit;
  const repo = REPO;

  beforeEach(async () => {
    github = await startGitHub();
    issues = () => issuesOf(github);
    octokit = new RestOctokit({ auth: github.standIn.state.issueToken().token, baseUrl: github.apiUrl }) as unknown as Octokit;
  });
  afterEach(async () => {
    await github.stop();
    expect(github.problems()).toEqual([]);
  });

  it('opens one issue naming the commit, the failing command and the log, mentioning notify', async () => {
    expect(await notifyOutcome(octokit, repo, prebuild({}))).toBe('opened');
    expect(issues()).toHaveLength(1);
    const [issue] = issues();
    expect(issue!.labels).toEqual([FAILURE_LABEL]);
    expect(issue!.title).toBe('Prebuild failing: devcontainer on main');
    expect(issue!.body).toContain(issueMarker('devcontainer'));
    expect(issue!.body).toContain(SHA_A);
    expect(issue!.body).toContain('onCreateCommand `npm ci` exited with 1');
    expect(issue!.body).toContain('https://github.com/octo/app/actions/runs/99');
    expect(issue!.body).toContain('cc @alice @octo/devs');
  });

  it('updates the open issue with a comment on the next failure: never a second issue', async () => {
    await notifyOutcome(octokit, repo, prebuild({}));
    expect(await notifyOutcome(octokit, repo, prebuild({ id: 8, sha: SHA_B, state: 'timed_out', reason: 'timed out after 60 minutes' }))).toBe('commented');
    expect(await notifyOutcome(octokit, repo, prebuild({ id: 9, sha: SHA_B }))).toBe('commented');
    expect(issues()).toHaveLength(1);
    expect(issues()[0]!.comments).toHaveLength(2);
    expect(issues()[0]!.comments[0]).toContain(SHA_B);
    expect(issues()[0]!.comments[0]).toContain('timed out after 60 minutes');
    expect(github.made('POST', /\/issues$/)).toHaveLength(1);
  });

  it('closes the issue with a comment when a prebuild of the configuration succeeds again', async () => {
    await notifyOutcome(octokit, repo, prebuild({}));
    expect(await notifyOutcome(octokit, repo, prebuild({ id: 10, state: 'success', reason: null }))).toBe('closed');
    expect(issues()[0]!.state).toBe('closed');
    expect(issues()[0]!.comments[0]).toMatch(/Fixed: prebuild #10/);
    expect(github.made('PATCH', /\/issues\/1$/)[0]!.requestBody).toMatchObject({ state: 'closed', state_reason: 'completed' });
    // a later success with no open issue does nothing; a new failure opens a new one
    expect(await notifyOutcome(octokit, repo, prebuild({ id: 11, state: 'success' }))).toBeNull();
    expect(await notifyOutcome(octokit, repo, prebuild({ id: 12 }))).toBe('opened');
    expect(issues().filter((i) => i.state === 'open')).toHaveLength(1);
  });

  it('keeps one issue per configuration, found by label and marker', async () => {
    await notifyOutcome(octokit, repo, prebuild({}));
    await notifyOutcome(octokit, repo, prebuild({ configuration: 'python', settings: settings({ name: 'python', notify: ['bob'] }) }));
    expect(issues().map((i) => i.body.includes(issueMarker('python')))).toEqual([false, true]);
    expect(issues()[1]!.body).toContain('cc @bob');
    await notifyOutcome(octokit, repo, prebuild({ configuration: 'python', state: 'success', settings: settings({ name: 'python', notify: ['bob'] }) }));
    expect(issues().map((i) => i.state)).toEqual(['open', 'closed']);
  });

  it('does nothing without notify, for pull requests, off its branches, or for other outcomes', async () => {
    expect(await notifyOutcome(octokit, repo, prebuild({ settings: settings({ notify: [] }) }))).toBeNull();
    expect(await notifyOutcome(octokit, repo, prebuild({ settings: null }))).toBeNull();
    expect(await notifyOutcome(octokit, repo, prebuild({ prNumber: 4 }))).toBeNull();
    expect(await notifyOutcome(octokit, repo, prebuild({ branch: 'feature' }))).toBeNull();
    expect(await notifyOutcome(octokit, repo, prebuild({ state: 'cancelled' }))).toBeNull();
    expect(github.calls.filter((c) => c.path.includes('/issues'))).toEqual([]);
  });

  it('never throws when GitHub refuses (issues disabled: 410)', async () => {
    github.standIn.override('POST', '/repos/{owner}/{repo}/issues', { status: 410, body: errorBody('Issues are disabled for this repo', 410) });
    expect(await notifyOutcome(octokit, repo, prebuild({}))).toBeNull();
  });

  it('mentions only well-formed users and teams; a reason cannot break out of its code block', async () => {
    expect(mentions(['alice', '@octo/devs', 'evil <script>', '@'])).toEqual(['@alice', '@octo/devs']);
    await notifyOutcome(octokit, repo, prebuild({ reason: 'boom\n```\n@everyone look' }));
    expect(issues()[0]!.body).toMatch(/````\nboom\n```\n@everyone look\n````/);
  });
});
