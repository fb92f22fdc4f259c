import { OTHER, REPO, SHA_B, suiteHarness, succeeded, type Harness } from './harness.js';

const API = '/api/repos/octo/app';

describe('management API against the real server', () => {
  const harness = suiteHarness();
  let h: Harness;
  beforeAll(() => (h = harness()));

  describe('authentication and scopes', () => {
    it('401 with a JSON error and WWW-Authenticate without a token, with a wrong one, with a revoked one', async () => {
      const none = await h.call('GET', `${API}/configurations`, { token: null });
      expect(none.status).toBe(401);
      expect(none.json.error).toMatch(/authentication required/);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(none.headers.get('content-type')).toMatch(/application\/json/);
      expect((await h.call('GET', `${API}/configurations`, { token: 'pbt_wrong' })).status).toBe(401);
      const basic = await h.call('GET', `${API}/configurations`, { token: null, headers: { authorization: 'Basic Zm9vOmJhcg==' } });
      expect(basic.status).toBe(401);
      const { issueToken } = await import('../../src/api/auth.js');
      const { token, record } = await issueToken(h.store, 'short-lived', [1]);
      expect((await h.call('GET', `${API}/configurations`, { token })).status).toBe(200);
      await h.store.revokeToken(record.id);
      const revoked = await h.call('GET', `${API}/configurations`, { token });
      expect(revoked.status).toBe(401);
      expect(revoked.json.error).toMatch(/revoked/);
    });

    it('stores only the sha256 of a token', async () => {
      const tokens = await h.store.listTokens();
      expect(tokens.length).toBeGreaterThanOrEqual(3);
      for (const t of tokens) expect(t.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      const { hashToken } = await import('../../src/api/auth.js');
      expect(tokens.map((t) => t.tokenHash)).toContain(hashToken(h.admin));
      expect(JSON.stringify(tokens)).not.toContain(h.admin);
    });

    it('404 for a token not scoped to the installation, as for what does not exist; scoped and admin tokens pass', async () => {
      const p = await h.seed({}, succeeded());
      const denied = await h.call('GET', `/api/prebuilds/${p.id}`, { token: h.outsider });
      expect(denied.status).toBe(404);
      const missing = await h.call('GET', '/api/prebuilds/999999', { token: h.outsider });
      expect(missing.status).toBe(404);
      expect(denied.json.error.replace(String(p.id), 'N')).toBe(missing.json.error.replace('999999', 'N'));
      expect((await h.call('GET', `/api/prebuilds/${p.id}`, { token: h.scoped })).status).toBe(200);
      expect((await h.call('GET', `/api/prebuilds/${p.id}`, { token: h.admin })).status).toBe(200);
      expect((await h.call('GET', `${API}/configurations`, { token: h.outsider })).status).toBe(404);
      expect((await h.call('POST', `/api/prebuilds/${p.id}/rerun`, { token: h.outsider })).status).toBe(404);
    });

    it('finds the installation of a repository without prebuilds through GET /repos/{owner}/{repo}/installation', async () => {
      const own = await h.call('GET', '/api/repos/other/lib/configurations', { token: h.outsider });
      expect(own).toMatchObject({ status: 200, json: [] });
      const foreign = await h.call('GET', '/api/repos/other/lib/configurations', { token: h.scoped });
      expect(foreign.status).toBe(404);
      const unknown = await h.call('GET', '/api/repos/nobody/nothing/configurations', { token: h.scoped });
      expect(unknown.status).toBe(404);
      expect(unknown.json.error).toMatch(/not known to the app/);
      // A token cannot tell a repository of another installation from one without the app.
      expect(foreign.json.error.replace('other/lib', 'X')).toBe(unknown.json.error.replace('nobody/nothing', 'X'));
    });

    it('404 for an unknown route and 405 with Allow for a wrong method, JSON both', async () => {
      const missing = await h.call('GET', '/api/nothing-here');
      expect(missing.status).toBe(404);
      expect(missing.json.error).toMatch(/no route/);
      const wrong = await h.call('PUT', '/api/prebuilds');
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET');
    });
  });

  describe('GET /api/prebuilds', () => {
    let ids: number[];
    beforeAll(async () => {
      ids = [];
      for (let i = 0; i < 5; i++)
        ids.push((await h.seed({ configuration: 'paged', branch: i % 2 ? 'feature' : 'main' }, i === 4 ? { state: 'failure' } : succeeded())).id);
      await h.seed({ ...OTHER, installationId: 2, configuration: 'paged' });
    });

    it('pages newest first with a cursor until the last page', async () => {
      const seen: number[] = [];
      let cursor: number | null = null;
      let pages = 0;
      do {
        const r: { status: number; json: { prebuilds: Array<{ id: number }>; nextCursor: number | null } } = await h.call(
          'GET',
          `/api/prebuilds?repository=octo/app&configuration=paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(r.status).toBe(200);
        seen.push(...r.json.prebuilds.map((p) => p.id));
        cursor = r.json.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by branch and status (several states)', async () => {
      const feature = await h.call('GET', '/api/prebuilds?repository=octo/app&configuration=paged&branch=feature');
      expect(feature.json.prebuilds.map((p: { branch: string }) => p.branch)).toEqual(['feature', 'feature']);
      const failed = await h.call('GET', '/api/prebuilds?repository=octo/app&configuration=paged&status=failure,timed_out');
      expect(failed.json.prebuilds.map((p: { id: number }) => p.id)).toEqual([ids[4]]);
    });

    it('without a repository, a scoped token sees only its installations', async () => {
      const scoped = await h.call('GET', '/api/prebuilds?configuration=paged&limit=100', { token: h.scoped });
      expect(scoped.json.prebuilds.every((p: { repository: string }) => p.repository === 'octo/app')).toBe(true);
      const outsider = await h.call('GET', '/api/prebuilds?configuration=paged&limit=100', { token: h.outsider });
      expect(outsider.json.prebuilds.map((p: { repository: string }) => p.repository)).toEqual(['other/lib']);
      const admin = await h.call('GET', '/api/prebuilds?configuration=paged&limit=100');
      expect(admin.json.prebuilds).toHaveLength(6);
    });

    it.each([
      ['status=bogus', 'status'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['cursor=abc', 'cursor'],
      ['repository=not-a-repo', 'repository'],
      ['repository=a/b/c', 'repository'],
      ['branch=a..b', 'branch'],
      // Any name prebuilds.yml accepts is a valid filter (markup is escaped where shown); longer than 100 is not.
      [`configuration=${'x'.repeat(101)}`, 'configuration'],
      ['colour=blue', 'colour'],
    ])('400 naming the field for %s', async (query, field) => {
      const r = await h.call('GET', `/api/prebuilds?${query}`);
      expect(r.status).toBe(400);
      expect(r.json.field).toBe(field);
      expect(r.json.error).toMatch(new RegExp(`^${field}:`));
    });
  });

  describe('GET /api/prebuilds/{id}', () => {
    it('gives timings, size, base, trigger, check run and log links', async () => {
      const p = await h.seed(
        { configuration: 'detail' },
        succeeded({ baseKey: 'prebuild-v1-base', baseSha: SHA_B, hooks: { onCreateCommand: 1000, updateContentCommand: 2000 } }),
      );
      const r = await h.call('GET', `/api/prebuilds/${p.id}`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        id: p.id,
        repository: 'octo/app',
        configuration: 'detail',
        status: 'success',
        trigger: 'push',
        timings: { durationMs: 300_000, queuedMs: expect.any(Number), hooks: { onCreateCommand: 1000 } },
        snapshot: { bytes: 150_000_000 },
        base: { key: 'prebuild-v1-base', sha: SHA_B },
        checkRun: { id: 7001, url: 'https://github.com/octo/app/runs/7001' },
        log: { url: 'https://github.com/octo/app/actions/runs/9001', api: `/api/prebuilds/${p.id}/logs` },
      });
      expect(r.json.timings.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('400 for a bad id, 404 for a missing one', async () => {
      expect(await h.call('GET', '/api/prebuilds/abc')).toMatchObject({ status: 400, json: { field: 'id' } });
      expect(await h.call('GET', '/api/prebuilds/0')).toMatchObject({ status: 400, json: { field: 'id' } });
      expect(await h.call('GET', '/api/prebuilds/99999')).toMatchObject({
        status: 404,
        json: { error: "prebuild #99999 does not exist (or is not in this token's installations)" },
      });
      expect(await h.call('GET', '/api/prebuilds/1?x=1')).toMatchObject({ status: 400, json: { field: 'x' } });
    });
  });

  describe('configurations', () => {
    beforeAll(async () => {
      await h.seed({ configuration: 'web' }, succeeded());
      await h.seed({ configuration: 'web', sha: SHA_B }, { state: 'running', dispatchedAt: Date.now(), workflowRunId: 9100 });
    });

    it('lists each configuration with its last prebuild and the file values', async () => {
      const r = await h.call('GET', `${API}/configurations`, { token: h.scoped });
      expect(r.status).toBe(200);
      const web = r.json.find((c: { name: string }) => c.name === 'web');
      expect(web).toMatchObject({
        name: 'web',
        paused: false,
        overrides: {},
        file: { commitInterval: 1, retention: 3 },
        lastPrebuild: { status: 'running', sha: SHA_B },
        lastSuccess: { status: 'success' },
      });
    });

    it('PATCH sets overrides shown beside the file values, null clears one, paused pauses', async () => {
      const set = await h.call('PATCH', `${API}/configurations/web`, {
        body: { commitInterval: 5, triggerFiles: ['package-lock.json'], retention: 2, paused: true },
      });
      expect(set.status).toBe(200);
      expect(set.json).toMatchObject({
        paused: true,
        file: { commitInterval: 1, retention: 3, triggerFiles: [] },
        overrides: { commitInterval: 5, retention: 2, triggerFiles: ['package-lock.json'] },
        effective: { commitInterval: 5, retention: 2 },
      });
      const cleared = await h.call('PATCH', `${API}/configurations/web`, { body: { retention: null, paused: false } });
      expect(cleared.json).toMatchObject({ paused: false, overrides: { commitInterval: 5, triggerFiles: ['package-lock.json'] }, effective: { retention: 3 } });
      expect(cleared.json.overrides.retention).toBeUndefined();
      expect(await h.store.getOverrides(REPO, 'web')).toEqual({ commitInterval: 5, triggerFiles: ['package-lock.json'] });
    });

    it.each([
      [{ commitInterval: 0 }, 'commitInterval'],
      [{ commitInterval: 2.5 }, 'commitInterval'],
      [{ retention: 101 }, 'retention'],
      [{ triggerFiles: 'x' }, 'triggerFiles'],
      [{ triggerFiles: [''] }, 'triggerFiles'],
      [{ paused: 'yes' }, 'paused'],
      [{ colour: 'blue' }, 'colour'],
      [{}, 'body'],
    ])('PATCH 400 names the field for %j', async (body, field) => {
      const r = await h.call('PATCH', `${API}/configurations/web`, { body });
      expect(r).toMatchObject({ status: 400, json: { field } });
    });

    it('PATCH refuses bad JSON (400), another content type (415), an unknown configuration (404), a bad owner (400)', async () => {
      const bad = await fetch(`${h.server.url}${API}/configurations/web`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'application/json' },
        body: '{nope',
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { field: string }).field).toBe('body');
      const form = await fetch(`${h.server.url}${API}/configurations/web`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${h.admin}`, 'content-type': 'text/plain' },
        body: 'retention=1',
      });
      expect(form.status).toBe(415);
      expect((await h.call('PATCH', `${API}/configurations/missing`, { body: { retention: 1 } })).status).toBe(404);
      expect(await h.call('GET', '/api/repos/-bad-/app/configurations')).toMatchObject({ status: 400, json: { field: 'owner' } });
      expect(await h.call('GET', `${API}/configurations/web`)).toMatchObject({ status: 200, json: { name: 'web' } });
    });

    it('DELETE removes the overrides and the snapshots not used as a base', async () => {
      const held = await h.seed({ configuration: 'gone' }, succeeded({ snapshotKey: 'prebuild-v1-gone-1' }));
      const base = await h.seed({ configuration: 'gone' }, succeeded({ snapshotKey: 'prebuild-v1-gone-2' }));
      await h.seed({ configuration: 'gone', sha: SHA_B }, { state: 'running', baseKey: 'prebuild-v1-gone-2' });
      await h.store.setOverrides(REPO, 'gone', { retention: 1 });
      for (const key of ['prebuild-v1-gone-1', 'prebuild-v1-gone-2']) h.github.standIn.recordCache(REPO.repo, { key });
      const deletedBefore = h.github.deletedCaches.length;
      const r = await h.call('DELETE', `${API}/configurations/gone`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        configuration: 'gone',
        overridesDeleted: true,
        snapshotsDeleted: ['prebuild-v1-gone-1'],
        snapshotsKept: ['prebuild-v1-gone-2'],
      });
      expect(h.github.deletedCaches.slice(deletedBefore)).toEqual(['prebuild-v1-gone-1']);
      expect((await h.store.getPrebuild(held.id))!.state).toBe('expired');
      expect((await h.store.getPrebuild(base.id))!.state).toBe('success');
      expect(await h.store.getOverrides(REPO, 'gone')).toEqual({});
    });
  });

  it('answered only documented GitHub endpoints with valid replies', () => {
    expect(h.github.calls.length).toBeGreaterThan(3);
    expect(h.github.problems()).toEqual([]);
  });
});
