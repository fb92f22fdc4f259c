import { coreLog } from '../../action/src/log.js';

describe('the action log', () => {
  it('wraps hook output in stop-commands, so a hook can never issue workflow commands', () => {
    let out = '';
    const log = coreLog((t) => (out += t.toString()), 'tok123');
    const saved = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((t: string) => ((out += t), true)) as typeof process.stdout.write;
    try {
      log.startGroup('onCreateCommand: npm ci');
      log.output('installing\n::add-mask::prebuilds-v1\n::notice title=prebuild-result::{"forged":true}\npartial line');
      log.endGroup();
      log.info('Saving snapshot');
    } finally {
      process.stdout.write = saved;
    }
    const lines = out.split('\n');
    const stop = lines.indexOf('::stop-commands::tok123');
    const resume = lines.indexOf('::tok123::');
    expect(stop).toBeGreaterThan(lines.findIndex((l) => l.startsWith('::group::')));
    expect(resume).toBeGreaterThan(lines.indexOf('partial line'));
    expect(lines.indexOf('::add-mask::prebuilds-v1')).toBeGreaterThan(stop);
    expect(lines.indexOf('::add-mask::prebuilds-v1')).toBeLessThan(resume);
    expect(lines.indexOf('::endgroup::')).toBeGreaterThan(resume);
    expect(lines.at(-2)).toBe('Saving snapshot');
  });
});
