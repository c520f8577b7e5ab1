import {
  DeliverySettingsError,
  deliveryStreamSettings,
  parseDeliveryInputs,
  parseDeliverySettings,
  streamedDatasets,
  type DeliverySettings,
} from '../../src';

const DEV_DELIVERY: DeliverySettings = { bufferIntervalSeconds: 60, bufferSizeMb: 64, lambdaBufferSizeMb: 1, lambdaBufferIntervalSeconds: 60 };

describe('the delivery model infra deploys and local runs', () => {
  const streams = deliveryStreamSettings({ project: 'ingest-lake', environment: 'dev', delivery: DEV_DELIVERY });

  test('one delivery stream per streamed dataset, named as deployed', () => {
    expect(streams.map((s) => s.dataset)).toEqual(streamedDatasets.map((d) => d.name));
    expect(streams.map((s) => [s.deliveryStreamName, s.sourceStreamName, s.processor.functionName])).toEqual([
      ['ingest-lake-dev-events', 'ingest-lake-dev-events', 'ingest-lake-dev-transform-events'],
      ['ingest-lake-dev-app-market-daily', 'ingest-lake-dev-app-market-daily', 'ingest-lake-dev-transform-app-market-daily'],
    ]);
    expect(streams.every((s) => s.destination.bucketName === 'ingest-lake-dev-lake')).toBe(true);
  });

  test('processor: the transform with its dataset routing, Firehose buffer hints from config, 3 retries, 60 s timeout', () => {
    expect(streams[1]!.processor).toEqual({
      functionName: 'ingest-lake-dev-transform-app-market-daily',
      environment: { DATASETS: 'app_market_daily', DEFAULT_DATASET: 'events', POWERTOOLS_SERVICE_NAME: 'transform-app-market-daily', POWERTOOLS_METRICS_NAMESPACE: 'IngestLake' },
      timeoutSeconds: 60,
      bufferSizeMb: 1,
      bufferIntervalSeconds: 60,
      numberOfRetries: 3,
      errorOutputType: 'processing-failed',
    });
  });

  test('destination, partitioning and backup: the lake layout, SNAPPY Parquet, GZIP backup, missing keys → partitioning-failed', () => {
    expect(streams[0]).toMatchObject({
      destination: {
        bufferIntervalSeconds: 60,
        bufferSizeMb: 64,
        prefix: 'curated/dataset=!{partitionKeyFromLambda:dataset}/dt=!{partitionKeyFromLambda:dt}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        parquetCompression: 'SNAPPY',
      },
      dynamicPartitioning: { partitionKeys: ['dataset', 'dt'], retryDurationSeconds: 300, missingKeysErrorOutputType: 'partitioning-failed' },
      backup: { prefix: 'raw-data/!{timestamp:yyyy/MM/dd/HH}/', bufferIntervalSeconds: 60, bufferSizeMb: 5, compression: 'GZIP' },
    });
  });

  test('config values flow through: a longer buffer and a larger processor buffer change every stream', () => {
    const changed = deliveryStreamSettings({
      project: 'ingest-lake',
      environment: 'qa',
      delivery: { ...DEV_DELIVERY, bufferIntervalSeconds: 300, lambdaBufferSizeMb: 3 },
    });
    expect(changed.map((s) => [s.destination.bufferIntervalSeconds, s.backup.bufferIntervalSeconds, s.processor.bufferSizeMb])).toEqual([
      [300, 300, 3],
      [300, 300, 3],
    ]);
    expect(changed[0]!.sourceStreamName).toBe('ingest-lake-qa-events');
  });
});

describe('validation names the source and the field', () => {
  test.each([
    [{ ...DEV_DELIVERY, bufferIntervalSeconds: 30 }, 'delivery.bufferIntervalSeconds'],
    [{ ...DEV_DELIVERY, bufferSizeMb: 5 }, 'delivery.bufferSizeMb'],
    [{ ...DEV_DELIVERY, lambdaBufferSizeMb: 4 }, 'delivery.lambdaBufferSizeMb'],
    [{ ...DEV_DELIVERY, extra: 1 }, 'delivery: Unrecognized key'],
    [undefined, 'delivery: '],
  ])('%j → %s', (delivery, field) => {
    expect(() => parseDeliverySettings(delivery, 'dev.json')).toThrow(DeliverySettingsError);
    expect(() => parseDeliverySettings(delivery, 'dev.json')).toThrow(`config dev.json: ${field}`);
  });

  test('parseDeliveryInputs takes project, environment and delivery from a whole config and ignores the rest', () => {
    expect(parseDeliveryInputs({ project: 'ingest-lake', environment: 'dev', delivery: DEV_DELIVERY, network: { azCount: 2 } }, 'dev.json')).toEqual({
      project: 'ingest-lake',
      environment: 'dev',
      delivery: DEV_DELIVERY,
    });
    expect(() => parseDeliveryInputs({ environment: 'dev', delivery: DEV_DELIVERY }, 'x.json')).toThrow('config x.json: project: expected a string');
    expect(() => parseDeliveryInputs([], 'x.json')).toThrow(DeliverySettingsError);
  });

  test('a malformed name part is refused, naming it', () => {
    expect(() => deliveryStreamSettings({ project: 'Ingest', environment: 'dev', delivery: DEV_DELIVERY })).toThrow('project: ');
  });
});
