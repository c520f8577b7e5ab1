import { streamedDatasets, streamName } from '@ingest-lake/shared';
import { ConfigError, loadEnvironmentConfig, parseEnvironmentConfig, streamRetentionHours, type EnvironmentConfig } from '../../src/config/environment-config';
import { cleanUpApps, environment, resources, synth } from './support';

afterAll(cleanUpApps);

/** The dev config with `streaming` replaced, as a config file would give it. */
const withStreaming = (streaming: Record<string, unknown>): unknown => ({ ...loadEnvironmentConfig('dev'), streaming });

describe('stream retention: one value for every stream, overridden per streamed dataset', () => {
  test.each([
    ['no override: every stream the same', { mode: 'on-demand', retentionHours: 48 }, { events: 48, app_market_daily: 48 }],
    ['an empty override', { mode: 'on-demand', retentionHours: 48, retentionHoursByDataset: {} }, { events: 48, app_market_daily: 48 }],
    ['the data file stream shorter', { mode: 'provisioned', shardCount: 1, retentionHours: 168, retentionHoursByDataset: { app_market_daily: 24 } }, { events: 168, app_market_daily: 24 }],
    ['both named', { mode: 'on-demand', retentionHours: 24, retentionHoursByDataset: { events: 72, app_market_daily: 8760 } }, { events: 72, app_market_daily: 8760 }],
  ])('%s', (_label, streaming, expected) => {
    const config = parseEnvironmentConfig(withStreaming(streaming), 'test.json');
    expect(Object.fromEntries(streamedDatasets.map((dataset) => [dataset.name, streamRetentionHours(config, dataset.name)]))).toEqual(expected);
  });

  test.each([
    ['a dataset without a stream', { app_market: 24 }, 'config test.json: streaming.retentionHoursByDataset: not a streamed dataset: "app_market" (expected one of events, app_market_daily)'],
    ['a dimension dataset', { app_market_publishers: 24, events: 48 }, 'streaming.retentionHoursByDataset: not a streamed dataset: "app_market_publishers" (expected one of events, app_market_daily)'],
    ['under the 24 h a shard-hour includes', { events: 12 }, 'streaming.retentionHoursByDataset.events: Too small: expected number to be >=24'],
    ['over a year', { app_market_daily: 8761 }, 'streaming.retentionHoursByDataset.app_market_daily: Too big: expected number to be <=8760'],
    ['not whole hours', { events: 36.5 }, 'streaming.retentionHoursByDataset.events: '],
    ['a string', { events: '168' }, 'streaming.retentionHoursByDataset.events: '],
    ['a list', [24], 'streaming.retentionHoursByDataset: '],
  ])('%s is refused, naming the field', (_label, retentionHoursByDataset, message) => {
    const parse = () => parseEnvironmentConfig(withStreaming({ mode: 'provisioned', shardCount: 1, retentionHours: 168, retentionHoursByDataset }), 'test.json');
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });

  test('the default is still required and checked', () => {
    expect(() => parseEnvironmentConfig(withStreaming({ mode: 'on-demand', retentionHoursByDataset: { events: 24 } }), 'test.json')).toThrow('streaming.retentionHours: ');
    expect(() => parseEnvironmentConfig(withStreaming({ mode: 'on-demand', retentionHours: 23 }), 'test.json')).toThrow('streaming.retentionHours: Too small');
  });
});

describe('the synthesized streams keep what the config gives their dataset', () => {
  /** Each stream's `retention_period`, by the name shared gives it. */
  const synthesizedRetention = (name: string, override?: (config: EnvironmentConfig) => EnvironmentConfig) => {
    const streams = resources(synth(environment(name, override).streaming), 'aws_kinesis_stream');
    return Object.fromEntries(streams.map((stream) => [String(stream.name), stream.retention_period]));
  };

  test('prod: the events stream a week (HTTP events have no other replay before Firehose), the data file stream a day (raw/ replays it)', () => {
    expect(synthesizedRetention('prod')).toEqual({ 'ingest-lake-prod-events': 168, 'ingest-lake-prod-app-market-daily': 24 });
  });

  test('dev: every stream a day', () => {
    expect(synthesizedRetention('dev')).toEqual({ 'ingest-lake-dev-events': 24, 'ingest-lake-dev-app-market-daily': 24 });
  });

  test.each(['dev', 'prod'])('%s: each stream equals streamRetentionHours of its dataset, with an override on either', (name) => {
    for (const dataset of streamedDatasets) {
      const override = (config: EnvironmentConfig): EnvironmentConfig => ({ ...config, streaming: { ...config.streaming, retentionHoursByDataset: { [dataset.name]: 96 } } });
      const config = parseEnvironmentConfig(override(loadEnvironmentConfig(name)), 'test.json');
      expect(synthesizedRetention(name, override)).toEqual(Object.fromEntries(streamedDatasets.map((d) => [streamName(config.project, name, d.name), streamRetentionHours(config, d.name)])));
      expect(streamRetentionHours(config, dataset.name)).toBe(96);
    }
  });
});
