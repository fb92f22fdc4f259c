import { csrfToken } from '../../src/web/session.js';

/** The session id in a `Cookie` header value (`prebuilds_session=pbs_…`). */
const idOf = (cookie: string) => cookie.split('=')[1]!;
import { escapeHtml, html, timeAgo } from '../../src/web/html.js';
import { FILES, githubRepository, REPO, SHA_A, startHarness, succeeded, type Harness } from '../api/harness.js';

const PAGE = '/prebuilds/octo/app';

describe('the Prebuilds page over HTTP', () => {
  let h: Harness;
  let cookie: string;
  let finished: number;
  beforeAll(async () => {
    h = await startHarness();
    githubRepository(h.github, FILES);
    finished = (await h.seed({}, succeeded({ endedAt: Date.now() - 3600_000 }))).id;
    await h.seed({ configuration: 'python', branch: 'main' }, { state: 'failure', reason: '<script>alert("x")</script> & exit 1' });
  });
  afterAll(() => h.stop());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.server.url}${path}`, { headers, redirect: 'manual' });
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${h.server.url}${path}`, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      redirect: 'manual',
    });

  it('asks for a token without a session (401), with a CSP that allows no script', async () => {
    const r = await get(PAGE);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const body = await r.text();
    expect(body).toContain('action="/prebuilds/login"');
    expect(body).toContain('value="/prebuilds/octo/app"');
  });

  it('refuses a wrong token and a cross-site login; keeps a good one in an HttpOnly SameSite=Strict cookie', async () => {
    expect((await post('/prebuilds/login', { token: 'pbt_wrong', next: PAGE })).status).toBe(401);
    expect((await post('/prebuilds/login', { token: h.scoped, next: PAGE }, { origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post('/prebuilds/login', { token: h.scoped, next: PAGE });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(PAGE);
    const setCookie = ok.headers.get('set-cookie')!;
    // An opaque session id, never the token.
    expect(setCookie).toMatch(/^prebuilds_session=pbs_[A-Za-z0-9_-]{43};/);
    expect(setCookie).not.toContain(h.scoped);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/prebuilds');
    cookie = setCookie.split(';')[0]!;
    const open = await post('/prebuilds/login', { token: h.scoped, next: '//evil.example/x' });
    expect(open.headers.get('location')).toBe('/prebuilds');
  });

  it('shows each configuration with its status, history and the value report, everything escaped', async () => {
    const r = await get(PAGE, { cookie });
    expect(r.status).toBe(200);
    const body = await r.text();
    expect(body).toContain('🚀 Prebuild ready');
    expect(body).toContain('Last run 1 hour ago');
    expect(body).toContain('❌ Prebuild failed');
    expect(body).toContain(`data-prebuild="${finished}"`);
    expect(body).toContain('5m 00s');
    expect(body).toContain('150.0 MB');
    expect(body).toContain('https://github.com/octo/app/actions/runs/9001');
    expect(body).toContain('Value report');
    expect(body).not.toContain('<script>');
    expect(body).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; exit 1');
    expect(body).toContain(`name="csrf" value="${csrfToken(idOf(cookie))}"`);
  });

  it('Rerun and Pause forms need the session CSRF token and a same-origin request', async () => {
    const action = `${PAGE}/prebuilds/${finished}/rerun`;
    expect((await post(action, { csrf: 'forged' }, { cookie })).status).toBe(403);
    expect((await post(action, { csrf: csrfToken(idOf(cookie)) }, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(action, { csrf: csrfToken(idOf(cookie)) })).status).toBe(401);
    const before = (await h.store.listPrebuilds({ ...REPO, configuration: 'devcontainer' })).length;
    const ok = await post(action, { csrf: csrfToken(idOf(cookie)) }, { cookie, origin: h.server.url });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`${PAGE}?done=rerun`);
    const after = await h.store.listPrebuilds({ ...REPO, configuration: 'devcontainer' });
    expect(after).toHaveLength(before + 1);
    expect(after[0]).toMatchObject({ trigger: 'manual', sha: SHA_A, state: 'dispatched' });
    const paused = await post(`${PAGE}/configurations/python/pause`, { csrf: csrfToken(idOf(cookie)) }, { cookie });
    expect(paused.status).toBe(303);
    expect((await h.store.getConfigurationState(REPO, 'python')).paused).toBe(true);
    const page = await (await get(`${PAGE}?done=pause`, { cookie })).text();
    expect(page).toContain('⏸️ Paused');
    expect(page).toContain('Configuration paused');
    expect(page).toContain(`action="${PAGE}/configurations/python/resume"`);
  });

  it('a prebuild of another repository cannot be rerun through this page; other scopes get 404', async () => {
    const foreign = await h.seed({ owner: 'other', repo: 'lib', installationId: 2 }, succeeded());
    const r = await post(`${PAGE}/prebuilds/${foreign.id}/rerun`, { csrf: csrfToken(idOf(cookie)) }, { cookie });
    expect(r.status).toBe(404);
    const login = await post('/prebuilds/login', { token: h.outsider, next: PAGE });
    const outsider = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await get(PAGE, { cookie: outsider })).status).toBe(404);
  });

  it('signs out with the CSRF token, and the session id is refused from then on', async () => {
    expect((await get(PAGE, { cookie })).status).toBe(200);
    const r = await post('/prebuilds/logout', { csrf: csrfToken(idOf(cookie)) }, { cookie });
    expect(r.status).toBe(303);
    expect(r.headers.get('set-cookie')).toMatch(/prebuilds_session=; .*Max-Age=0/);
    // A copy of the cookie kept elsewhere is dead too.
    expect((await get(PAGE, { cookie })).status).toBe(401);
    expect((await post(`${PAGE}/configurations/python/resume`, { csrf: csrfToken(idOf(cookie)) }, { cookie })).status).toBe(401);
  });

  it('revoking the token ends its sessions; a made-up session id is refused', async () => {
    const { issueToken } = await import('../../src/api/auth.js');
    const issued = await issueToken(h.store, 'short-lived', [1]);
    const login = await post('/prebuilds/login', { token: issued.token, next: PAGE });
    const session = login.headers.get('set-cookie')!.split(';')[0]!;
    expect((await get(PAGE, { cookie: session })).status).toBe(200);
    await h.store.revokeToken(issued.record.id);
    expect((await get(PAGE, { cookie: session })).status).toBe(401);
    expect((await get(PAGE, { cookie: `prebuilds_session=pbs_${'A'.repeat(43)}` })).status).toBe(401);
    // The raw token as a cookie (the old scheme) is no session.
    expect((await get(PAGE, { cookie: `prebuilds_session=${h.scoped}` })).status).toBe(401);
  });

  it('escapes by default and says how long ago', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect(html`<p title="${'"><img src=x>'}">${['<b>', html`<i>ok</i>`]}</p>`.value).toBe('<p title="&#34;&#62;&#60;img src=x&#62;">&#60;b&#62;<i>ok</i></p>');
    const now = Date.now();
    expect([timeAgo(now - 10_000, now), timeAgo(now - 5 * 60_000, now), timeAgo(now - 3600_000, now), timeAgo(now - 3 * 86_400_000, now)]).toEqual([
      'just now',
      '5 minutes ago',
      '1 hour ago',
      '3 days ago',
    ]);
  });

  it('answered only documented GitHub endpoints with valid replies', () => {
    expect(h.github.problems()).toEqual([]);
  });
});
