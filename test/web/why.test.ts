import { FILES, githubRepository, REPO, SHA_A, SHA_B, startHarness, type Harness } from '../api/harness.js';

/** SPEC.md rule 10 on the page: every decision for a commit, as `prebuilds why SHA` prints them. */
describe('the Prebuilds page answers "why?" for a commit', () => {
  let h: Harness;
  let cookie: string;
  beforeAll(async () => {
    h = await startHarness();
    githubRepository(h.github, FILES);
    await h.seed({}, { state: 'success' });
    await h.server.store.recordDecision({
      deliveryId: 'd-1',
      ...REPO,
      sha: SHA_A,
      event: 'push',
      configuration: 'devcontainer',
      decision: 'started',
      reason: 'started: no prebuild running',
      prebuildId: 1,
    });
    await h.server.store.recordDecision({
      deliveryId: 'd-1',
      ...REPO,
      sha: SHA_A,
      event: 'push',
      configuration: 'python',
      decision: 'skipped',
      reason: 'interval 2/5 <b>',
      prebuildId: null,
    });
    const login = await fetch(`${h.server.url}/prebuilds/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: h.scoped, next: '/prebuilds/octo/app' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(() => h.stop());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.server.url}${path}`, { headers, redirect: 'manual' });

  it('the repository page links each prebuilt commit to its decisions and offers a "why?" form', async () => {
    const body = await (await get('/prebuilds/octo/app', { cookie })).text();
    expect(body).toContain(`href="/prebuilds/octo/app/why?sha=${SHA_A}"`);
    expect(body).toContain('action="/prebuilds/octo/app/why"');
  });

  it('lists every decision of the commit (abbreviated sha too), escaped, with its event, configuration and reason', async () => {
    const r = await get(`/prebuilds/octo/app/why?sha=${SHA_A.slice(0, 7)}`, { cookie });
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body.match(/data-decision="/g)).toHaveLength(2);
    expect(body).toContain('data-decision="started"');
    expect(body).toContain('started: no prebuild running');
    expect(body).toContain('interval 2/5 &#60;b&#62;');
    expect(body).not.toContain('interval 2/5 <b>');
  });

  it('says when nothing was recorded, refuses a bad sha (400) and asks to sign in without a session (401)', async () => {
    expect(await (await get(`/prebuilds/octo/app/why?sha=${SHA_B}`, { cookie })).text()).toContain('No decision recorded for this commit');
    expect((await get('/prebuilds/octo/app/why?sha=xyz', { cookie })).status).toBe(400);
    expect((await get(`/prebuilds/octo/app/why?sha=${SHA_A}`)).status).toBe(401);
  });
});
