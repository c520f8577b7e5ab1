import { MetricsHistory, type PipelineSample } from '../../src/pipeline-metrics-history';

const sample = (seconds: number, recordsIn: Record<string, number>, more: Partial<PipelineSample> = {}): PipelineSample => ({
  at: seconds * 1000,
  recordsIn,
  failedRows: {},
  shardRecords: {},
  freshnessSeconds: {},
  ...more,
});

const series = (history: MetricsHistory, id: string) => Object.fromEntries(history.charts().find((c) => c.id === id)!.series.map((s) => [s.label, s.values]));

describe('MetricsHistory', () => {
  test.each([
    // [cumulative recordsIn of "s" at t = 0, 30, 60, 90, 120 s] → records in the trailing minute at each sample
    ['steady 10 per 30 s', [10, 20, 30, 40, 50], [10, 20, 20, 20, 20]],
    ['a burst, then nothing', [0, 100, 100, 100, 100], [0, 100, 100, 0, 0]],
    ['nothing at all', [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]],
  ])('records in the last minute: %s', (_case, cumulative, expected) => {
    const history = new MetricsHistory();
    cumulative.forEach((n, i) => history.record(sample(i * 30, { s: n })));
    expect(series(history, 'records-in')).toEqual({ s: expected });
    expect(history.charts()[0]!.timestamps).toEqual([0, 30, 60, 90, 120]);
  });

  test('a key that appears later counts 0 before it; failures, shards and freshness get their own charts', () => {
    const history = new MetricsHistory();
    history.record(sample(0, { a: 5 }, { freshnessSeconds: { events: null } }));
    history.record(sample(10, { a: 5, b: 7 }, { failedRows: { not_json: 2 }, shardRecords: { 'a/shardId-0': 3 }, freshnessSeconds: { events: 1.5 } }));
    expect(series(history, 'records-in')).toEqual({ a: [5, 5], b: [0, 7] });
    expect(series(history, 'failures')).toEqual({ not_json: [0, 2] });
    expect(series(history, 'shard-load')).toEqual({ 'a/shardId-0': [0, 3] });
    expect(series(history, 'freshness')).toEqual({ events: [null, 1.5] });
  });

  test('forgets samples past the retention but keeps the baseline the oldest shown window needs', () => {
    const history = new MetricsHistory({ windowMs: 60_000, retentionMs: 120_000 });
    for (let i = 0; i <= 10; i++) history.record(sample(i * 30, { s: i * 10 }));
    const chart = history.charts().find((c) => c.id === 'records-in')!;
    expect(chart.timestamps).toEqual([180, 210, 240, 270, 300]);
    expect(chart.series[0]!.values).toEqual([20, 20, 20, 20, 20]);
  });

  test.each([
    [{ windowMs: 0 }, /windowMs must be > 0/],
    [{ windowMs: 60_000, retentionMs: 1_000 }, /retentionMs must be ≥ windowMs/],
  ])('refuses %p', (options, message) => expect(() => new MetricsHistory(options)).toThrow(message));

  test('refuses samples out of time order', () => {
    const history = new MetricsHistory();
    history.record(sample(10, {}));
    expect(() => history.record(sample(5, {}))).toThrow(/time order/);
  });
});
