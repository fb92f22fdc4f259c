import { keptUp } from '../../bench/replicas.js';

/**
 * The replicas benchmark's "below saturation" test (issue 11: dispatch p99 < 1 s at a
 * rate below saturation): a run kept up only when its backlog never piled up more than
 * two seconds' arrivals, left at most one second's when the offer stopped, and it got
 * through 90 % of the offer, with the machine's cores not all busy (at most 90 % of their time).
 */
describe("the replicas benchmark's kept-up test", () => {
  const run = { offeredPerSecond: 100, sustainedPerSecond: 98, backlogAtEnd: 40, backlogMax: 150, machineCpuBusy: 0.8 };
  it.each([
    ['a steady run', run, true],
    ['a backlog left at the end of more than a second', { ...run, backlogAtEnd: 101 }, false],
    ['a burst of more than two seconds of arrivals during the run', { ...run, backlogMax: 201 }, false],
    ['a burst of two seconds at most', { ...run, backlogMax: 200 }, true],
    ['less than 90 % of the offer got through', { ...run, sustainedPerSecond: 89 }, false],
    ['a tiny rate, a backlog of two', { offeredPerSecond: 1, sustainedPerSecond: 1, backlogAtEnd: 1, backlogMax: 2, machineCpuBusy: 0.1 }, true],
    ['every core busy 97 % of the time, the backlog steady', { ...run, machineCpuBusy: 0.97 }, false],
    ['cores busy 90 % of the time', { ...run, machineCpuBusy: 0.9 }, true],
    ['the machine not measured (no /proc/stat)', { ...run, machineCpuBusy: null }, true],
  ])('%s', (_name, r, expected) => {
    expect(keptUp(r)).toBe(expected);
  });
});
