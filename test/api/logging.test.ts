import path from 'node:path';
import { PassThrough } from 'node:stream';
import { issueToken } from '../../src/api/auth.js';
import { startAppServer } from '../../src/server.js';
import { appKeyPair } from '../helpers/github.js';
import { tempDir } from '../helpers/tmp.js';

describe('logs never hold API tokens or session cookies', () => {
  it('redacts Authorization and Cookie from the HTTP request log', async () => {
    const tmp = tempDir();
    const sink = new PassThrough();
    let logged = '';
    sink.on('data', (d) => (logged += d));
    const server = await startAppServer({
      appId: 1,
      privateKey: appKeyPair().privateKey,
      webhookSecret: 's',
      databasePath: path.join(tmp.dir, 'db.sqlite'),
      logLevel: 'info',
      logDestination: sink,
      runtime: { reconcileIntervalMs: 0, scheduleIntervalMs: 0 },
    });
    try {
      const { token } = await issueToken(server.store, 'test', ['*']);
      const api = await fetch(`${server.url}/api/prebuilds`, { headers: { authorization: `Bearer ${token}`, cookie: `prebuilds_session=${token}` } });
      expect(api.status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(logged).toContain('/api/prebuilds');
      expect(logged).toContain('[redacted]');
      expect(logged).not.toContain(token);
    } finally {
      await server.stop();
      tmp.cleanup();
    }
  });
});
