/**
 * A configured `timeoutMinutes` other than 60, end to end on the wire: the app
 * dispatches it as the `timeout-minutes` input of the shipped prebuild.yml; the
 * stand-in's runner evaluates the job's `timeout-minutes: ${{ fromJSON(inputs.timeout-minutes || '60') }}`
 * with GitHub's own libraries and, one minute in, kills the action and the long
 * onCreateCommand it runs (their process groups); the job concludes `cancelled` with
 * GitHub's timeout annotation, and the app ends the prebuild `timed_out`: a `timed_out`
 * check run and a `timed_out` decision. Real processes and a real minute (the
 * configuration takes whole minutes), so this file takes about 70 s.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appKeyPair, startStandIn, type StandIn } from '../../demo/github/index.js';
import { startAppServer, type AppServer } from '../../src/server.js';
import { FINAL_STATES, type PrebuildRecord } from '../../src/store/types.js';
import { WorkingCopy } from '../helpers/standin.js';

const APP_ID = 4545;
const OWNER = 'octo-demo';
const REPO = 'slow';

const PREBUILDS_YML = `prebuilds:
  - name: slow
    devcontainer: .devcontainer/devcontainer.json
    timeoutMinutes: 1
`;

/** The hook records its process id, then runs far past the timeout. */
const DEVCONTAINER = JSON.stringify({
  name: 'slow',
  onCreateCommand: 'echo $$ > "$HOOK_PID_FILE"; echo hook started; sleep 600; echo never',
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('timeoutMinutes reaches the runner', () => {
  let gh: StandIn;
  let app: AppServer;
  let dir: string;
  const pidFile = () => join(dir, 'hook.pid');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'job-timeout-'));
    const keys = appKeyPair();
    gh = await startStandIn({
      appId: APP_ID,
      publicKey: keys.publicKey,
      webhookSecret: 'timeout-secret',
      owner: OWNER,
      actionDir: join(process.cwd(), 'action'),
      workRoot: join(dir, 'github'),
      runnerEnv: { HOOK_PID_FILE: join(dir, 'hook.pid') },
    });
    const repo = await gh.createRepo(REPO, { variables: { PREBUILDS_STORE: `dir:${join(dir, 'snapshots')}` } });
    app = await startAppServer({
      appId: APP_ID,
      privateKey: keys.privateKey,
      webhookSecret: 'timeout-secret',
      baseUrl: gh.apiUrl,
      databasePath: join(dir, 'prebuilds.sqlite'),
      logLevel: 'fatal',
      // Nothing but the runner may end the run: the reconciler's own timeout is off.
      runtime: { reconcileIntervalMs: 0, scheduleIntervalMs: 0 },
    });
    gh.setWebhookUrl(app.webhookUrl);
    const wc = new WorkingCopy(repo.remote);
    wc.commit(
      {
        '.github/workflows/prebuild.yml': readFileSync('.github/workflows/prebuild.yml', 'utf8'),
        '.github/prebuilds.yml': PREBUILDS_YML,
        '.devcontainer/devcontainer.json': DEVCONTAINER,
      },
      'a slow prebuild',
    );
    wc.push('main');
    await gh.recordHead(REPO, 'main');
  });

  afterAll(async () => {
    await app?.stop();
    await gh?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends a hook past a configured timeoutMinutes of 1, and the app reports the prebuild timed out', async () => {
    await gh.installationCreated();
    let prebuild: PrebuildRecord | undefined;
    const deadline = Date.now() + 150_000;
    while (!prebuild || !FINAL_STATES.includes(prebuild.state)) {
      if (Date.now() > deadline) throw new Error(`the prebuild did not end (${prebuild?.state ?? 'none recorded'})`);
      await new Promise((r) => setTimeout(r, 500));
      await app.idle();
      [prebuild] = await app.store.listPrebuilds({ owner: OWNER, repo: REPO });
    }

    // The dispatch carried the configuration's timeout; the job was cancelled at 1 minute.
    const [run] = gh.runs(REPO);
    expect(run!.inputs['timeout-minutes']).toBe('1');
    expect(run!.conclusion).toBe('cancelled');
    const [job] = gh.jobs(run!.id);
    expect(job!.conclusion).toBe('cancelled');
    expect(job!.log.join('\n')).toContain('hook started');
    expect(job!.log.some((line) => /Z never$/.test(line))).toBe(false);
    const annotations = gh.state.checkRuns.get(job!.id)!.annotations.map((a) => a.message);
    expect(annotations).toContain('The job running on runner stand-in-runner 1 has exceeded the maximum execution time of 1 minutes.');
    const ranMs = job!.completedAt!.getTime() - job!.startedAt!.getTime();
    expect(ranMs).toBeGreaterThanOrEqual(60_000);
    expect(ranMs).toBeLessThan(120_000);

    // The hook's process is gone with the job.
    expect(existsSync(pidFile())).toBe(true);
    const pid = Number(readFileSync(pidFile(), 'utf8').trim());
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);

    // The app: timed out, not cancelled, with GitHub's reason; its check run and decision say so.
    expect(prebuild).toMatchObject({ state: 'timed_out', timeoutMinutes: 1 });
    expect(prebuild.reason).toMatch(/exceeded the maximum execution time of 1 minutes/);
    expect(gh.state.checkRuns.get(prebuild.checkRunId!)).toMatchObject({ status: 'completed', conclusion: 'timed_out' });
    const decisions = await app.store.listDecisions({ owner: OWNER, repo: REPO }, prebuild.sha);
    expect(decisions.map((d) => d.decision)).toContain('timed_out');
  }, 180_000);
});
