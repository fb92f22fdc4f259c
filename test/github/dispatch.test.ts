/**
 * `dispatchWorkflow` (src/github/actions.ts) against the GitHub stand-in (real HTTP, real
 * git, workflow files read by GitHub's own parser): the contract's inputs, the
 * configuration's timeout among them, reach a workflow that declares them; a workflow
 * copied before `timeout-minutes` existed is dispatched again without it (GitHub
 * answers 422 "Unexpected inputs provided"), and any other refused input still fails.
 */
import { readFileSync } from 'node:fs';
import { Octokit as RestOctokit } from '@octokit/rest';
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { dispatchWorkflow } from '../../src/github/actions.js';
import type { Octokit } from '../../src/github/octokit.js';
import { appKeyPair } from '../helpers/github.js';
import { installationToken, WorkingCopy } from '../helpers/standin.js';

const APP_ID = 4646;
const repo = { owner: 'octo-demo', repo: 'dispatch' };
const SHIPPED = readFileSync('.github/workflows/prebuild.yml', 'utf8');
/** The shipped workflow as it was before the `timeout-minutes` and `expire` inputs. */
const OLD = SHIPPED.replace(/\n {6}timeout-minutes:\n(?: {8}.*\n)+/, '\n')
  .replace(/\n {6}expire:\n(?: {8}.*\n)+/, '\n')
  .replace(/\n {10}# Older prebuilds.*\n {10}expire: .*\n/, '\n')
  .replace(/timeout-minutes: \$\{\{.*\}\}/, 'timeout-minutes: 60');

describe('dispatchWorkflow', () => {
  let gh: StandIn;
  let octokit: Octokit;
  const keys = appKeyPair();
  const inputs = {
    configuration: 'web',
    sha: 'a'.repeat(40),
    base: '',
    'prebuild-id': '7',
    'timeout-minutes': '15',
    expire: 'prebuilds-v1/web/' + 'b'.repeat(40) + '/3',
  };

  beforeAll(async () => {
    gh = await startStandIn({ appId: APP_ID, publicKey: keys.publicKey, webhookSecret: 's', runner: 'none' });
    const created = await gh.createRepo('dispatch');
    const wc = new WorkingCopy(created.remote);
    wc.commit({ '.github/workflows/prebuild.yml': SHIPPED, '.github/workflows/old.yml': OLD }, 'workflows');
    wc.push('main');
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    octokit = new RestOctokit({ auth: await installationToken(gh.apiUrl, APP_ID, keys.privateKey), baseUrl: gh.apiUrl, log: quiet }) as unknown as Octokit;
  });

  afterAll(async () => {
    await gh?.stop();
  });

  it('sends the timeout to the shipped workflow', async () => {
    expect(OLD).not.toContain('inputs.timeout-minutes');
    const { run, dropped } = await dispatchWorkflow(octokit, repo, 'prebuild.yml', 'main', inputs);
    expect(gh.state.runs.get(run!.runId)!.inputs).toEqual(inputs);
    expect(dropped).toEqual([]);
  });

  it('dispatches a workflow without the timeout input again without it', async () => {
    const { run, dropped } = await dispatchWorkflow(octokit, repo, 'old.yml', 'main', inputs);
    const { 'timeout-minutes': _timeout, expire: _expire, ...rest } = inputs;
    expect(gh.state.runs.get(run!.runId)!.inputs).toEqual(rest);
    expect(dropped.sort()).toEqual(['expire', 'timeout-minutes']);
    const refused = gh.exchanges.filter((e) => e.path.endsWith('/old.yml/dispatches')).map((e) => e.status);
    expect(refused).toEqual([422, 200]);
  });

  it('still fails when GitHub refuses an input the action reads', async () => {
    const withoutSha = OLD.replace(/\n {6}sha:\n(?: {8}.*\n)+/, '\n').replace(/inputs\.sha/g, 'github.sha');
    const wc = new WorkingCopy((await gh.createRepo('dispatch-2')).remote);
    wc.commit({ '.github/workflows/prebuild.yml': withoutSha }, 'no sha input');
    wc.push('main');
    await expect(dispatchWorkflow(octokit, { ...repo, repo: 'dispatch-2' }, 'prebuild.yml', 'main', inputs)).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Unexpected inputs provided'),
    });
  });
});
