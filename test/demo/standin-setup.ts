/**
 * One GitHub stand-in for the stand-in's own tests (standin.test.ts: REST and webhooks;
 * standin-runner.test.ts: the local runner): an app key pair, a webhook receiver, a local
 * OIDC issuer, a repository `octo-demo/demo` with a variable and a secret, a fake
 * prebuild action, and a dispatchable workflow pushed to `main`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandIn, type StandIn } from '../../demo/github/index.js';
import { LocalActionsIssuer } from '../../demo/github/oidc-issuer.js';
import { validateResponse } from '../helpers/openapi.js';
import { appKeyPair } from '../helpers/github.js';
import { appJwt, installationToken, restClient, scratch, webhookReceiver, WorkingCopy } from '../helpers/standin.js';
import { validateWebhook } from '../helpers/webhook-schemas.js';

export { appJwt };

export const APP_ID = 4242;
export const SECRET = 'webhook-secret';

const ACTION_YML = `name: fake prebuild
description: stands in for the product's action
inputs:
  store: { required: true }
  sha: { required: true }
  base: { default: '' }
  token: { default: '\${{ github.token }}' }
  extra input: { default: 'x-y' }
runs:
  using: node20
  main: index.mjs
`;

const ACTION_JS = `import { appendFileSync, existsSync } from 'node:fs';
const e = process.env;
console.log('::add-mask::s3cr3t-value');
console.log('printing s3cr3t-value here');
console.log('::group::details');
console.log('store=' + e.INPUT_STORE + ' sha=' + e.INPUT_SHA + ' base=' + e.INPUT_BASE + ' extra=' + e['INPUT_EXTRA_INPUT']);
console.log('::endgroup::');
const checks = [e.GITHUB_ACTIONS === 'true', existsSync(e.GITHUB_WORKSPACE + '/hello.txt'), e.GITHUB_EVENT_NAME === 'workflow_dispatch',
  !!e.RUNNER_TEMP, e.RUNNER_OS === 'Linux', existsSync(e.GITHUB_EVENT_PATH), e.INPUT_TOKEN && e.INPUT_TOKEN.startsWith('ghs_'), /^\\d+$/.test(e.GITHUB_RUN_ID)];
if (checks.some((c) => !c)) { console.log('::error::environment check failed ' + JSON.stringify(checks)); process.exit(1); }
const msg = JSON.stringify({ key: 'k,1:2', sha: e.INPUT_SHA, size: 42 });
console.log('::notice title=prebuild-result%3A %2Ctitle::' + msg.replace(/%/g, '%25').replace(/\\n/g, '%0A'));
console.log('::warning file=a.txt,line=3,col=2::multi%0Aline');
appendFileSync(e.GITHUB_OUTPUT, 'key=out-key\\n');
if (e.INPUT_SHA === 'fail') process.exit(3);
`;

const WORKFLOW = `name: Prebuild
run-name: "Prebuild \${{ inputs.prebuild-id }} for \${{ github.event.inputs.configuration }}"
on:
  workflow_dispatch:
    inputs:
      configuration: { required: true, type: string }
      sha: { required: true }
      base: { required: false, default: '' }
      prebuild-id: { required: true }
      sleep: { required: false, default: '0' }
      timeout: { required: false, default: '' }
jobs:
  prebuild:
    name: prebuild (\${{ inputs.configuration }})
    runs-on: ubuntu-latest
    timeout-minutes: \${{ fromJSON(inputs.timeout || '0.05') }}
    steps:
      - uses: actions/checkout@v5
        with:
          ref: \${{ inputs.sha }}
      - run: sleep \${{ inputs.sleep }}
      - id: pb
        uses: ./action
        with:
          store: \${{ vars.PREBUILDS_STORE }}
          sha: \${{ inputs.sha }}
          base: \${{ inputs.base || 'none' }}
      - run: echo "key=\${{ steps.pb.outputs.key }} ref=\${{ github.ref }} secret=\${{ secrets.MY_SECRET }}"
      - if: failure()
        run: echo "cleanup after failure"
`;

/** What {@link useStandIn} starts; read its fields inside tests (they are set in `beforeAll`). */
export interface StandInSetup {
  gh: StandIn;
  hooks: Awaited<ReturnType<typeof webhookReceiver>>;
  wc: WorkingCopy;
  api: ReturnType<typeof restClient>;
  keys: ReturnType<typeof appKeyPair>;
  /** The first commit on `main` (hello.txt, the workflow, src/a.js). */
  sha1: string;
  issuer: LocalActionsIssuer;
}

/** Registers `beforeAll`/`afterAll` that start and stop the stand-in; returns the setup they fill in. */
export function useStandIn(): StandInSetup {
  const s = { keys: appKeyPair() } as StandInSetup;
  beforeAll(async () => {
    const actionDir = scratch('fake-action-');
    writeFileSync(join(actionDir, 'action.yml'), ACTION_YML);
    writeFileSync(join(actionDir, 'index.mjs'), ACTION_JS);
    s.hooks = await webhookReceiver(SECRET);
    s.issuer = await LocalActionsIssuer.start();
    s.gh = await startStandIn({ appId: APP_ID, publicKey: s.keys.publicKey, webhookSecret: SECRET, actionDir, webhookUrl: s.hooks.url, oidcIssuer: s.issuer });
    const repo = await s.gh.createRepo('demo', { variables: { PREBUILDS_STORE: 'dir:/tmp/store' }, secrets: { MY_SECRET: 'hunter2' } });
    s.wc = new WorkingCopy(repo.remote);
    s.sha1 = s.wc.commit({ 'hello.txt': 'hello\n', '.github/workflows/prebuild.yml': WORKFLOW, 'src/a.js': 'a\n' }, 'initial');
    s.wc.push('main');
    s.api = restClient(s.gh.apiUrl, await installationToken(s.gh.apiUrl, APP_ID, s.keys.privateKey));
  });
  afterAll(async () => {
    await s.gh?.stop();
    await s.hooks?.close();
    await s.issuer?.stop();
  });
  return s;
}

/**
 * Every REST answer the stand-in gave and every webhook it sent, checked against GitHub's
 * published descriptions (@octokit/openapi, the webhook schemas).
 * @returns one line per problem; empty when all match
 */
export function undocumentedShapes(s: StandInSetup): string[] {
  const problems: string[] = [];
  for (const x of s.gh.exchanges) {
    if (x.template === null && x.status === 404) continue;
    if (x.template?.startsWith('/_standin/')) continue;
    const p = validateResponse(x.method, x.path, x.status, x.responseBody);
    if (p) problems.push(`${x.method} ${x.path} → ${x.status}: ${p}`);
  }
  for (const h of s.hooks.received) {
    const p = validateWebhook(h.event, h.payload);
    if (p) problems.push(p);
  }
  return problems;
}
