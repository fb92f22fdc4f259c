/**
 * `--json snapshot --tree DIR`: the throughput half alone on an existing directory, so
 * the flag used to tune the secret scan cannot rot. Asserts the keys and what they are
 * made of (every save really ran, shares are shares), never timings.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../bench/snapshot.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'snapshot-tree-'));
  for (let i = 0; i < 20; i++) {
    await mkdir(path.join(root, `pkg-${i}`), { recursive: true });
    await writeFile(path.join(root, `pkg-${i}`, 'index.js'), `module.exports = ${JSON.stringify(randomBytes(4096).toString('hex'))};\n`);
  }
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('npm run bench -- --json snapshot --tree DIR', () => {
  it(
    'measures saves (plain, scanned, with and without a cat relay) and restores of DIR only',
    async () => {
      const lines: string[] = [];
      const { metrics, rows } = await run({ argv: ['--tree', root], log: (l) => lines.push(l) });
      expect(metrics.treeBytes).toBeGreaterThan(20 * 8192);
      for (const key of ['saveMBps', 'restoreMBps', 'scannedSaveMBps', 'tarSaveMBps', 'tarRestoreMBps']) {
        expect(metrics[key]).toBeGreaterThan(0);
      }
      for (const key of ['scanSharePct', 'scanCpuSharePct', 'relayFloorSharePct', 'relayFloorCpuSharePct']) {
        expect(Number.isFinite(metrics[key])).toBe(true); // a share of one run's saves, not NaN from a save that did not run
        expect(metrics[key]).toBeLessThanOrEqual(100);
      }
      expect(metrics).not.toHaveProperty('coldMs'); // no lifecycle steps
      expect(rows.map((r) => r.metric)).toContain('(g) floor of any relay between tar and zstd (`cat`)');
      expect(lines[0]).toContain('(g) snapshot throughput');
    },
    5 * 60_000,
  );
});
