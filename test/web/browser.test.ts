import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { FILES, githubRepository, SHA_A, startHarness, succeeded, type Harness } from '../api/harness.js';
import { REPO_ROOT } from '../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const available = fs.existsSync(CHROMIUM);
const MISSING = `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`;
if (!available && !process.env.CI) {
  // Outside CI a machine without Chromium skips this end-to-end test, saying why.
  console.warn(`test/web/browser.test.ts skipped: ${MISSING}`);
}

if (!available && process.env.CI) {
  // In CI (.ci/run sets CI) the browser test never skips silently: it fails with the reason.
  describe('the Prebuilds page in headless Chromium', () => {
    it('needs Chromium in CI', () => {
      throw new Error(`CI is set but ${MISSING}`);
    });
  });
}

(available ? describe : describe.skip)('the Prebuilds page in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness();
    githubRepository(h.github, FILES);
    const now = Date.now();
    await h.seed({}, succeeded({ endedAt: now - 2 * 3600_000 }));
    await h.seed(
      { configuration: 'python' },
      {
        state: 'failure',
        reason: 'updateContentCommand `pip install -r requirements.txt` exited with 1',
        dispatchedAt: now,
        durationMs: 42_000,
        workflowRunUrl: 'https://github.com/octo/app/actions/runs/9002',
      },
    );
    // Restores reported by restore mode over the last days: two hits and a miss.
    const restore = (reportId: string, hit: 'exact' | 'ancestor' | 'miss', daysAgo: number, savedMs: number) =>
      h.store.recordRestore({
        owner: 'octo',
        repo: 'app',
        installationId: 1,
        repositoryId: '4242',
        configuration: 'devcontainer',
        sha: SHA_A,
        hit,
        prebuildSha: hit === 'miss' ? null : SHA_A,
        spentMs: 20_000,
        coldMs: 300_000,
        savedMs,
        runId: reportId,
        runAttempt: 1,
        reportId,
        createdAt: now - daysAgo * 86_400_000,
      });
    await restore('r1', 'exact', 3, 1_800_000);
    await restore('r2', 'ancestor', 2, 1_800_000);
    await restore('r3', 'miss', 1, 0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('logs in, sees the finished prebuild, clicks Rerun and sees the new prebuild appear', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const console: string[] = [];
    page.on('console', (m) => console.push(m.text()));
    await page.goto(`${h.server.url}/prebuilds/octo/app`);
    await page.fill('input[name=token]', h.scoped);
    await page.click('button[type=submit]');
    await page.waitForURL(`${h.server.url}/prebuilds/octo/app`, { timeout: 15_000 });

    const devcontainer = page.locator('section[data-configuration="devcontainer"]');
    await expect(devcontainer.locator('.status').textContent()).resolves.toContain('🚀 Prebuild ready');
    await expect(devcontainer.locator('.status').textContent()).resolves.toContain('Last run 2 hours ago');
    const rows = devcontainer.locator('tr[data-prebuild]');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('.state').textContent()).toBe('success');

    await rows.first().locator('button', { hasText: 'Rerun' }).click();
    await page.waitForURL(/\?done=rerun$/);
    expect(await page.locator('[role=status]').textContent()).toContain('Rerun requested');
    expect(await rows.count()).toBe(2);
    const newest = rows.first();
    expect(await newest.locator('.state').textContent()).toBe('dispatched');
    expect(await newest.textContent()).toContain('manual');
    expect(await newest.textContent()).toContain(SHA_A.slice(0, 7));
    expect(await devcontainer.locator('.status').textContent()).toContain('🔄 Prebuild in progress');
    expect(await page.locator('#report').textContent()).toContain('Value report');
    // Restores by hit kind and the hours they saved, beside the minutes prebuilds cost.
    expect(await page.locator('#report .restores').textContent()).toMatch(/3 restores reported \(1 exact, 1 ancestor, 1 miss\) saved\s+1 hours/);
    // The chart: server-rendered SVG, drawn by the browser within the page's CSP (no violation reported).
    const chart = page.locator('#report svg[data-configuration="devcontainer"]');
    const box = await chart.boundingBox();
    expect(box && box.width > 600 && box.height > 150).toBe(true);
    expect(await chart.locator('[data-series="prebuild-durations"] circle').count()).toBe(1);
    expect(await chart.locator('[data-series="hours-saved"]').getAttribute('data-points')).toBe('3');
    const line = await chart.locator('[data-series="hours-saved"]').boundingBox();
    expect(line && line.height > 10).toBe(true);
    expect(await chart.getAttribute('aria-label')).toMatch(/1 prebuild duration .* 3 restores saving 1 hours/);
    expect(console.filter((m) => /Content Security Policy|Refused/.test(m))).toEqual([]);

    const shot = await page.screenshot({ fullPage: true });
    fs.mkdirSync(path.join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, 'test-artifacts/prebuilds-page.png'), shot);
    fs.mkdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, 'docs/prebuilds-page.png'), shot);
    // the session cookie is out of reach of page scripts
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'prebuilds_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.close();
  });
});
