import { decideScaling, DEFAULT_SCALING_POLICY } from '../../src/scaling-decision';

const MiB = 1_048_576;
const load = (openShards: number, bytesPerSecond: number, recordsPerSecond = 0, extra: { throttledWrites?: number; updatesInLast24Hours?: number } = {}) => ({
  openShards,
  peakBytesPerSecond: bytesPerSecond,
  peakRecordsPerSecond: recordsPerSecond,
  throttledWrites: extra.throttledWrites ?? 0,
  updatesInLast24Hours: extra.updatesInLast24Hours ?? 0,
});

describe('decideScaling', () => {
  test.each([
    ['80 % of byte capacity on 2 shards → 4 (to ~50 %)', load(2, 1.6 * MiB), { action: 'update', targetShards: 4 }],
    ['75 % exactly scales up', load(4, 3 * MiB), { action: 'update', targetShards: 6 }],
    ['the records limit binds when records are small', load(2, 0.1 * MiB, 1_700), { action: 'update', targetShards: 4 }],
    ['a surge needing 10× is capped at doubling per call', load(2, 10 * MiB), { action: 'update', targetShards: 4 }],
    ['throttling counts as full utilisation', load(4, 0.5 * MiB, 0, { throttledWrites: 12 }), { action: 'update', targetShards: 8 }],
    ['50 % stays', load(4, 2 * MiB), { action: 'none' }],
    ['10 % on 8 shards halves at most → 4', load(8, 0.8 * MiB), { action: 'update', targetShards: 4 }],
    ['25 % on 4 shards → 2', load(4, 1 * MiB), { action: 'update', targetShards: 2 }],
    ['idle at the minimum stays', load(1, 0), { action: 'none' }],
    ['the 24 h call limit stops any change', load(2, 1.9 * MiB, 0, { updatesInLast24Hours: 10 }), { action: 'none' }],
  ])('%s', (_label, input, expected) => {
    expect(decideScaling(input)).toMatchObject(expected);
  });

  test('never exceeds maxShards', () => {
    expect(decideScaling(load(64, 60 * MiB), DEFAULT_SCALING_POLICY)).toMatchObject({ action: 'none', reason: 'at maxShards 64' });
  });
});
