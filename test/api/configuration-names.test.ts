import fc from 'fast-check';
import { configurationFromId, configurationId } from '../../src/api/configuration-id.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { csrfToken } from '../../src/web/session.js';
import { REPO, startHarness, succeeded, type Harness } from './harness.js';

/**
 * Issue 14, failure 6: every name `.github/prebuilds.yml` accepts (1–100 characters)
 * works in the API, the CLI and the page's buttons, addressed by its URL-safe id.
 */
const NAMES = ["Bob's env", 'front end/web', 'données ✓ 🚀', '..', '.', '~tilde', '50% off?#frag', 'a\\b', '<b>&"x"</b>', 'x'.repeat(100)];
const API = `/api/repos/${REPO.owner}/${REPO.repo}`;

describe('configuration names prebuilds.yml accepts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (const name of NAMES) await h.seed({ configuration: name }, succeeded());
  });
  afterAll(() => h.stop());

  it('ids survive any URL: they round-trip through path normalisation for every name of 1–100 characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }).filter((s) => [...s].length <= 100),
        (name) => {
          const id = configurationId(name);
          expect(id).toMatch(/^[A-Za-z0-9~._-]+$/);
          const segment = new URL(`http://app.example/api/repos/o/r/configurations/${id}/pause`).pathname.split('/')[6]!;
          expect(configurationFromId(decodeURIComponent(segment))).toBe(name);
        },
      ),
      { numRuns: 500 },
    );
    expect(configurationId('devcontainer')).toBe('devcontainer');
    expect(configurationId("Bob's env")).toBe('~Qm9iJ3MgZW52');
    expect(configurationFromId('~Qm9iJ3MgZW52x')).toBeNull(); // not the id of any name
  });

  it('the API lists each name with its id and answers every configuration route by id', async () => {
    const list = await h.call('GET', `${API}/configurations`);
    expect(list.status).toBe(200);
    expect(list.json.map((c: { name: string }) => c.name).sort()).toEqual([...NAMES].sort());
    for (const c of list.json as Array<{ name: string; id: string }>) {
      expect(c.id).toBe(configurationId(c.name));
      const one = await h.call('GET', `${API}/configurations/${c.id}`);
      expect(one).toMatchObject({ status: 200, json: { name: c.name, id: c.id } });
      expect(await h.call('PATCH', `${API}/configurations/${c.id}`, { body: { commitInterval: 3 } })).toMatchObject({
        status: 200,
        json: { name: c.name, overrides: { commitInterval: 3 } },
      });
      expect(await h.call('POST', `${API}/configurations/${c.id}/pause`)).toMatchObject({ status: 200, json: { name: c.name, paused: true } });
      expect(await h.call('POST', `${API}/configurations/${c.id}/resume`)).toMatchObject({ status: 200, json: { name: c.name, paused: false } });
      const filtered = await h.call('GET', `/api/prebuilds?${new URLSearchParams({ repository: 'octo/app', configuration: c.name })}`);
      expect(filtered.status).toBe(200);
      expect(filtered.json.prebuilds.map((p: { configuration: string }) => p.configuration)).toEqual([c.name]);
    }
  });

  it('a percent-encoded name still works where a URL can carry it', async () => {
    const r = await h.call('GET', `${API}/configurations/${encodeURIComponent("Bob's env")}`);
    expect(r).toMatchObject({ status: 200, json: { name: "Bob's env" } });
    expect((await h.call('GET', `${API}/configurations/nope`)).status).toBe(404);
    expect(await h.call('GET', `${API}/configurations/~bm9wZQ`)).toMatchObject({ status: 400, json: { field: 'name' } }); // "nope" spelled as a non-canonical id
    expect(await h.call('GET', `${API}/configurations/~%25%25`)).toMatchObject({ status: 400, json: { field: 'name' } });
    expect(await h.call('PATCH', `${API}/configurations/${'y'.repeat(101)}`, { body: { commitInterval: 2 } })).toMatchObject({
      status: 400,
      json: { field: 'name' },
    });
  });

  it('the CLI pauses, updates and shows them by name', async () => {
    const run = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s), isTTY: false },
        env: { PREBUILDS_URL: h.server.url, PREBUILDS_TOKEN: h.scoped, PREBUILDS_REPO: 'octo/app' },
        readFile: async () => '',
        setExitCode: () => undefined,
      };
      return { code: await main(args, io), stdout, stderr };
    };
    for (const name of NAMES) {
      const paused = await run(['pause', name, '--json']);
      expect({ code: paused.code, stderr: paused.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(paused.stdout)).toMatchObject({ name, paused: true });
      expect((await run(['resume', name])).code).toBe(0);
      expect((await run(['update', name, '--retention', '4'])).code).toBe(0);
      const info = await run(['info', '--configuration', name, '--json']);
      expect(JSON.parse(info.stdout)).toMatchObject({ name, overrides: { retention: 4 }, paused: false });
    }
  });

  it("the page's Pause buttons post to URLs that reach the right configuration", async () => {
    const login = await fetch(`${h.server.url}/prebuilds/login`, {
      method: 'POST',
      body: new URLSearchParams({ token: h.scoped, next: '/prebuilds/octo/app' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const page = await (await fetch(`${h.server.url}/prebuilds/octo/app`, { headers: { cookie } })).text();
    const actions = [...page.matchAll(/action="([^"]+\/configurations\/[^"]+\/pause)"/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));
    expect(actions).toHaveLength(NAMES.length);
    for (const action of actions) {
      const r = await fetch(`${h.server.url}${action}`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: csrfToken(cookie.split('=')[1]!) }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        redirect: 'manual',
      });
      expect(r.status).toBe(303);
    }
    for (const name of NAMES) expect((await h.store.getConfigurationState(REPO, name)).paused).toBe(true);
  });
});
