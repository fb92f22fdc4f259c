import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DirStore } from '../../src/lifecycle/snapshot/dir-store.js';
import { INSTALLATION_ID } from '../helpers/ids.js';
import { REPO, SHA_A, SHA_B, suiteHarness, succeeded, twoJobRun, type Harness } from './harness.js';

const API = '/api/repos/octo/app';

describe('management API against the real server: commands', () => {
  const harness = suiteHarness();
  let h: Harness;
  beforeAll(() => (h = harness()));

  describe('one prebuild: delete, cancel, rerun, logs', () => {
    it('DELETE deletes a snapshot; 409 for a running prebuild or one without a snapshot', async () => {
      h.github.standIn.recordCache(REPO.repo, { key: 'prebuild-v1-del' });
      const p = await h.seed({ configuration: 'del' }, succeeded({ snapshotKey: 'prebuild-v1-del' }));
      // The directory store the app reaches (PREBUILDS_DIR_STORES, see the harness) holds the snapshot too: its files go.
      const dirStore = new DirStore(path.join(h.dir, 'dir-store'));
      await mkdir(path.join(h.dir, 'ws'), { recursive: true });
      await writeFile(path.join(h.dir, 'ws/f.txt'), 'x');
      await dirStore.save('prebuild-v1-del', ['.'], path.join(h.dir, 'ws'));
      const r = await h.call('DELETE', `/api/prebuilds/${p.id}`, { token: h.scoped });
      expect(r).toMatchObject({ status: 200, json: { id: p.id, status: 'expired' } });
      expect(await readdir(dirStore.root)).toEqual([]);
      expect((await h.call('DELETE', `/api/prebuilds/${p.id}`)).status).toBe(409);
      const running = await h.seed({ configuration: 'del' }, { state: 'running' });
      expect(await h.call('DELETE', `/api/prebuilds/${running.id}`)).toMatchObject({ status: 409, json: { error: expect.stringMatching(/cancel it first/) } });
    });

    it('DELETE keeps the package caches part while another kept snapshot names it, and deletes it with the last one', async () => {
      const part = `prebuilds-v1-caches/parts/${'a'.repeat(64)}`;
      h.github.standIn.recordCache(REPO.repo, { key: part });
      const dirStore = new DirStore(path.join(h.dir, 'dir-store'));
      await mkdir(path.join(h.dir, 'ws-parts/.prebuilds/caches'), { recursive: true });
      await writeFile(path.join(h.dir, 'ws-parts/.prebuilds/caches/f'), 'x');
      await dirStore.save(part, ['.prebuilds/caches'], path.join(h.dir, 'ws-parts'));
      const first = await h.seed({ configuration: 'parts' }, succeeded({ snapshotKey: 'prebuilds-v1/parts/1', cachesKey: part }));
      const second = await h.seed({ configuration: 'parts' }, succeeded({ snapshotKey: 'prebuilds-v1/parts/2', cachesKey: part }));
      expect((await h.call('DELETE', `/api/prebuilds/${first.id}`, { token: h.scoped })).status).toBe(200);
      expect(h.github.deletedCaches).not.toContain(part);
      expect(await dirStore.exists(part, ['.prebuilds/caches'])).toBe(true);
      expect((await h.call('DELETE', `/api/prebuilds/${second.id}`, { token: h.scoped })).status).toBe(200);
      expect(h.github.deletedCaches).toContain(part);
      expect(await dirStore.exists(part, ['.prebuilds/caches'])).toBe(false);
    });

    it('cancel ends a running prebuild and cancels its run; 409 once it ended', async () => {
      // The run and the check run the app made for it, on the fake.
      const run = await h.github.standIn.recordRun(REPO.repo, { ref: 'main', inputs: { configuration: 'cancel-me', sha: SHA_A } });
      const octokit = await h.server.runtime.deps.octokitFor(INSTALLATION_ID);
      const check = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
        ...REPO,
        name: 'Prebuild (cancel-me)',
        head_sha: SHA_A,
        status: 'in_progress',
      });
      const p = await h.seed(
        { configuration: 'cancel-me' },
        { state: 'running', workflowRunId: run.id, checkRunId: Number(check.data.id), dispatchedAt: Date.now() },
      );
      const r = await h.call('POST', `/api/prebuilds/${p.id}/cancel`, { token: h.scoped });
      expect(r).toMatchObject({ status: 200, json: { id: p.id, status: 'cancelled', reason: expect.stringMatching(/token "octo"/) } });
      expect(h.github.made('POST', new RegExp(`/actions/runs/${run.id}/cancel$`)).map((x) => x.status)).toEqual([202]);
      expect(h.github.made('PATCH', new RegExp(`/check-runs/${check.data.id}$`)).map((x) => x.status)).toEqual([200]);
      expect((await h.call('POST', `/api/prebuilds/${p.id}/cancel`)).status).toBe(409);
      const decisions = await h.store.listDecisions(REPO, SHA_A);
      expect(decisions.some((d) => d.prebuildId === p.id && d.decision === 'cancelled' && d.event === 'manual')).toBe(true);
    });

    it('rerun starts a manual prebuild of the same configuration and commit (202)', async () => {
      const old = await h.seed({ configuration: 'again', sha: SHA_B, branch: 'feature' }, succeeded());
      const r = await h.call('POST', `/api/prebuilds/${old.id}/rerun`);
      expect(r.status).toBe(202);
      expect(r.json).toMatchObject({
        decision: 'started',
        prebuild: { configuration: 'again', sha: SHA_B, branch: 'feature', trigger: 'manual', status: 'dispatched' },
      });
      expect(r.json.prebuild.id).toBeGreaterThan(old.id);
      expect(h.github.made('POST', /\/actions\/workflows\/prebuild\.yml\/dispatches$/).at(-1)!.requestBody).toMatchObject({
        ref: 'feature',
        inputs: { configuration: 'again', sha: SHA_B, 'prebuild-id': String(r.json.prebuild.id) },
      });
      expect((await h.call('POST', '/api/prebuilds/99999/rerun')).status).toBe(404);
    });

    it('logs: the failed job of the run, through the 302 to the log download', async () => {
      const run = await twoJobRun(h, ['2026-01-01T00:00:00Z npm ci', '2026-01-01T00:00:01Z npm ERR! boom']);
      const p = await h.seed(
        { configuration: 'logged' },
        { state: 'failure', workflowRunId: run.id, workflowRunUrl: `https://github.com/octo/app/actions/runs/${run.id}` },
      );
      const r = await h.call('GET', `/api/prebuilds/${p.id}/logs`, { token: h.scoped });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ id: p.id, jobId: run.jobIds[1], jobName: 'prebuild', log: expect.stringContaining('npm ERR! boom') });
      const none = await h.seed({ configuration: 'logged' });
      expect(await h.call('GET', `/api/prebuilds/${none.id}/logs`)).toMatchObject({ status: 404, json: { error: expect.stringMatching(/no workflow run/) } });
    });
  });

  describe('trigger, pause, resume, decisions', () => {
    it('trigger resolves the branch, reads the configuration at that commit and starts a manual prebuild', async () => {
      const r = await h.call('POST', `${API}/prebuilds`, { body: { branch: 'feature' }, token: h.scoped });
      expect(r.status).toBe(202);
      expect(r.json.prebuilds).toHaveLength(1);
      expect(r.json.prebuilds[0]).toMatchObject({
        decision: 'started',
        prebuild: { configuration: 'devcontainer', branch: 'feature', sha: SHA_B, trigger: 'manual', status: 'dispatched' },
      });
      const decisions = await h.call('GET', `${API}/decisions/${SHA_B.slice(0, 7)}`);
      expect(decisions.status).toBe(200);
      expect(decisions.json.decisions.find((d: { reason: string }) => d.reason.startsWith('manual prebuild'))).toMatchObject({
        configuration: 'devcontainer',
        decision: 'started',
        reason: expect.stringMatching(/manual prebuild of feature requested by token "octo"/),
      });
    });

    it('trigger by abbreviated sha queues on the default branch; 404 for unknown branch, commit or configuration; 400 for bad input', async () => {
      const bySha = await h.call('POST', `${API}/prebuilds`, { body: { sha: SHA_A.slice(0, 7), configuration: 'devcontainer' } });
      expect(bySha.status).toBe(202);
      expect(bySha.json.prebuilds[0].prebuild).toMatchObject({ sha: SHA_A, branch: 'main' });
      expect((await h.call('POST', `${API}/prebuilds`, { body: { branch: 'nope' } })).status).toBe(404);
      expect((await h.call('POST', `${API}/prebuilds`, { body: { sha: 'c'.repeat(40) } })).status).toBe(404);
      expect(await h.call('POST', `${API}/prebuilds`, { body: { configuration: 'missing' } })).toMatchObject({
        status: 404,
        json: { error: expect.stringMatching(/no configuration named "missing"/) },
      });
      expect(await h.call('POST', `${API}/prebuilds`, { body: { sha: 'xyz' } })).toMatchObject({ status: 400, json: { field: 'sha' } });
      expect(await h.call('POST', `${API}/prebuilds`, { body: { branch: '' } })).toMatchObject({ status: 400, json: { field: 'branch' } });
      expect(await h.call('POST', `${API}/prebuilds`, { body: { ref: 'main' } })).toMatchObject({ status: 400, json: { field: 'ref' } });
    });

    it('pause queues new prebuilds; resume starts the one that waited', async () => {
      const paused = await h.call('POST', `${API}/configurations/devcontainer/pause`);
      expect(paused).toMatchObject({ status: 200, json: { name: 'devcontainer', paused: true } });
      const running = await h.store.listPrebuilds({ ...REPO, configuration: 'devcontainer', states: ['dispatched', 'running'] });
      for (const p of running) await h.store.updatePrebuild(p.id, { state: 'success', endedAt: Date.now() });
      const queued = await h.call('POST', `${API}/prebuilds`, { body: { branch: 'main' } });
      expect(queued.json.prebuilds[0]).toMatchObject({ decision: 'queued', reason: expect.stringMatching(/paused/), prebuild: { status: 'waiting' } });
      const resumed = await h.call('POST', `${API}/configurations/devcontainer/resume`, { token: h.scoped });
      expect(resumed).toMatchObject({ status: 200, json: { paused: false } });
      expect((await h.store.getPrebuild(queued.json.prebuilds[0].prebuild.id))!.state).toBe('dispatched');
      expect((await h.call('POST', `${API}/configurations/unknown/pause`)).status).toBe(404);
      expect((await h.call('POST', `${API}/configurations/devcontainer/pause`, { token: h.outsider })).status).toBe(404);
    });

    it('decisions: 400 for a bad sha, an empty list for an unseen one', async () => {
      expect(await h.call('GET', `${API}/decisions/not-a-sha`)).toMatchObject({ status: 400, json: { field: 'sha' } });
      expect(await h.call('GET', `${API}/decisions/${'d'.repeat(40)}`)).toMatchObject({ status: 200, json: { decisions: [] } });
    });

    it('decisions: a delivery about the commit that is being retried reads "retrying: <reason>", one given up "gave up after …: <reason>"', async () => {
      const sha = 'e'.repeat(40);
      const base = { event: 'push', action: null, installationId: 1, repository: 'octo/app', sha, payload: {} };
      await h.store.recordDelivery({ ...base, id: 'retrying-delivery' });
      await h.store.recordDelivery({ ...base, id: 'given-up-delivery' });
      await h.store.countAttempt('retrying-delivery');
      const next = Date.UTC(2031, 0, 2, 3, 4, 5);
      await h.store.deferDelivery('retrying-delivery', next, 'GitHub answered 502');
      await h.store.finishDelivery('given-up-delivery', 'gave up after 80 attempts over 3 d: GitHub answered 502');
      const r = await h.call('GET', `${API}/decisions/${sha.slice(0, 7)}`);
      expect(r.status).toBe(200);
      expect(r.json.decisions).toEqual([
        expect.objectContaining({
          deliveryId: 'retrying-delivery',
          configuration: '*',
          decision: 'retrying',
          reason: 'retrying: GitHub answered 502 (attempt 1, next at 2031-01-02T03:04:05Z)',
        }),
        expect.objectContaining({ deliveryId: 'given-up-delivery', decision: 'failed', reason: 'gave up after 80 attempts over 3 d: GitHub answered 502' }),
      ]);
    });
  });

  it('answered only documented GitHub endpoints with valid replies', () => {
    expect(h.github.calls.length).toBeGreaterThan(10);
    expect(h.github.problems()).toEqual([]);
  });
});
