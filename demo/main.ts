/**
 * `npm run demo`: the whole product on one machine — a local GitHub stand-in,
 * the app as a real server, the action run by a local runner — prebuilding a
 * small project three times. Exit code 0 when all three prebuilds succeeded.
 *
 * Flags: `--verbose` (app logs at info, every job log line), `--cleanup`
 * (remove the work directory at the end), `--keep` (keep the app running so the
 * Prebuilds page can be opened; Ctrl-C ends it), `--container` (container mode:
 * prebuilds inside the dev container, images in the local registry, ends with
 * `prebuilds up`; needs `sudo scripts/services/docker.sh` once).
 */
import { formatTable, runDemo } from './run-demo.js';

/** Parses the flags, runs the demo, prints the table; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const cleanup = argv.includes('--cleanup');
  const keep = argv.includes('--keep');
  const container = argv.includes('--container');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm run demo [-- --verbose] [-- --cleanup] [-- --keep] [-- --container]');
    return 0;
  }
  try {
    const result = await runDemo({ verbose, cleanup, keep, container });
    console.log('');
    console.log(formatTable(result.rows));
    console.log('');
    console.log(`snapshots        ${result.snapshotDir}${cleanup ? ' (removed)' : ''}`);
    for (const f of result.snapshotFiles) console.log(`                 ${f}`);
    console.log(`total            ${(result.totalMs / 1000).toFixed(1)} s`);
    if (result.page) {
      console.log(`Prebuilds page   ${result.page.url}${keep ? '' : '  (run with -- --keep to open it)'}`);
      console.log(`                 log in with the token ${result.page.token}`);
    }
    if (!result.ok) {
      console.error('\nThe demo did not go as expected:');
      for (const p of result.problems) console.error(`  - ${p}`);
      return 1;
    }
    console.log(
      container
        ? '\nAll three prebuilds succeeded in the dev container, and `prebuilds up` started a ready one from the last of them.'
        : '\nAll three prebuilds succeeded, and a fresh workspace was restored from the last one.',
    );
    if (keep) {
      console.log('The app keeps running; Ctrl-C stops it.');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await result.stop();
    }
    return 0;
  } catch (err) {
    console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
