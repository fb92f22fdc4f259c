/**
 * The attacker of the hostile benchmark, in its own process so its work does not
 * slow the sender it is measured against: `N` connections each POSTing 25 MB bodies
 * with forged signatures to `BENCH_WEBHOOK_URL` in a loop until told `{type:'stop'}`,
 * then answering `{type:'counts', byStatus}` (answers by HTTP status, `reset` for none).
 */
import crypto from 'node:crypto';
import { rawPost } from '../test/helpers/raw-http.js';

const url = process.env.BENCH_WEBHOOK_URL!;
const connections = Number(process.env.BENCH_ATTACKERS ?? 16);
const body = Buffer.alloc(25 * 1024 * 1024, 'f');
const byStatus: Record<string, number> = {};
let stop = false;

const attacker = async () => {
  while (!stop) {
    const answer = await rawPost(
      url,
      {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': 'sha256=' + crypto.randomBytes(32).toString('hex'),
      },
      body,
      { chunkBytes: 1024 * 1024 },
    );
    const key = String(answer.status ?? 'reset');
    byStatus[key] = (byStatus[key] ?? 0) + 1;
  }
};

const running = Array.from({ length: connections }, () => attacker());
process.on('message', (m: { type: string }) => {
  if (m.type !== 'stop') return;
  stop = true;
  void Promise.all(running).then(() => process.send!({ type: 'counts', byStatus }, () => process.exit(0)));
});
process.send!({ type: 'started' });
