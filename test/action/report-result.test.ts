/**
 * Prebuild mode's result report is best effort: whatever goes wrong (no app-url, no
 * id-token permission, a prebuild the app did not dispatch, the app unreachable or
 * hanging), it says why, resolves false within its time limit and never throws, so the
 * step goes on and the app reads the result from the run. The report reaching the app is
 * test/app/result-reports.test.ts's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportResult } from '../../action/src/report-result.js';
import type { ReportDeps } from '../../action/src/app-report.js';
import { freePort } from '../../src/server.js';
import type { PrebuildResult } from '../../src/lifecycle/result.js';
import { SHA_B } from '../helpers/ids.js';

const result: PrebuildResult = {
  prebuildId: '12',
  configuration: 'devcontainer',
  sha: SHA_B,
  snapshotKey: `prebuild-devcontainer-${SHA_B}-12`,
  snapshotBytes: 1024,
  durationMs: 1000,
  hooks: {},
  base: null,
  identity: '',
};
const ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://runner.invalid/token' };
const said: string[] = [];
const deps = (over: Partial<ReportDeps> = {}): ReportDeps => ({
  getIDToken: async () => 'job-token',
  fetch,
  info: (m) => said.push(`info: ${m}`),
  warning: (m) => said.push(`warning: ${m}`),
  ...over,
});

afterEach(() => {
  said.length = 0;
});

describe('reportResult', () => {
  it('does not report without app-url, for a prebuild the app did not dispatch, or without id-token write', async () => {
    expect(await reportResult('', 'aud', result, ENV, deps())).toBe(false);
    expect(await reportResult('http://127.0.0.1:1', 'aud', { ...result, prebuildId: '4242-1' }, ENV, deps())).toBe(false);
    expect(await reportResult('http://127.0.0.1:1', 'aud', result, {}, deps())).toBe(false);
    expect(said).toEqual([
      expect.stringMatching(/^info: The result was not reported to the app .*set the app-url input/),
      expect.stringMatching(/^info: .*prebuild 4242-1 was not dispatched by the app/),
      expect.stringMatching(/^warning: .*add permissions: id-token: write/),
    ]);
  });

  it('keeps going when the app is unreachable, hangs, refuses, or the token cannot be had', async () => {
    const closedPort = await freePort('127.0.0.1');
    expect(await reportResult(`http://127.0.0.1:${closedPort}`, 'aud', result, ENV, deps())).toBe(false);
    const sockets = new Set<import('node:net').Socket>();
    const hanging: Server = createServer(() => undefined); // never answers
    hanging.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const refusing: Server = createServer((_req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"not your run"}'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const at = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      expect(await reportResult(at(hanging), 'aud', result, ENV, deps(), 300)).toBe(false);
      expect(await reportResult(at(refusing), 'aud', result, ENV, deps())).toBe(false);
      expect(await reportResult(at(refusing), 'aud', result, ENV, deps({ getIDToken: () => new Promise<string>(() => undefined) }), 300)).toBe(false);
      expect(await reportResult(at(refusing), 'aud', result, ENV, deps({ getIDToken: () => Promise.reject(new Error('token endpoint said 500')) }))).toBe(
        false,
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hanging.close(r));
      await new Promise((r) => refusing.close(r));
    }
    expect(said).toEqual([
      expect.stringMatching(/^warning: The result was not reported to the app .*: fetch failed/),
      expect.stringMatching(/^warning: .*: The operation was aborted due to timeout/),
      expect.stringMatching(/^warning: .*: HTTP 403 \{"error":"not your run"\}/),
      expect.stringMatching(/^warning: .*: no OIDC token within 300 ms/),
      expect.stringMatching(/^warning: .*: token endpoint said 500/),
    ]);
  });
});
