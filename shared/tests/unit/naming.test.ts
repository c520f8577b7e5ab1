import { collectorMetricDimensions, SNAPSHOTS_COMPLETED_METRIC, streamName, VENDOR_HEADER_DRIFT_METRIC, vendorApiKeyParameterName } from '../../src';

describe('names shared by infra, the collector and operators', () => {
  test.each([
    ['ingest-lake', 'dev', '/ingest-lake/dev/vendor/api-key'],
    ['ingest-lake', 'prod', '/ingest-lake/prod/vendor/api-key'],
  ])('vendor API key parameter of %s/%s → %s', (project, environment, expected) => {
    expect(vendorApiKeyParameterName(project, environment)).toBe(expected);
  });

  test.each([
    ['ingest-lake', 'prod', 'events', 'ingest-lake-prod-events'],
    ['ingest-lake', 'dev', 'app_market_daily', 'ingest-lake-dev-app-market-daily'],
  ])('stream of %s/%s/%s → %s', (project, environment, dataset, expected) => {
    expect(streamName(project, environment, dataset)).toBe(expected);
  });

  test('the collector metrics share one namespace and one set of dimensions (environment, vendor dataset)', () => {
    expect([VENDOR_HEADER_DRIFT_METRIC, SNAPSHOTS_COMPLETED_METRIC]).toEqual([
      { namespace: 'IngestLake/Collector', name: 'VendorHeaderDrift' },
      { namespace: 'IngestLake/Collector', name: 'SnapshotsCompleted' },
    ]);
    expect(collectorMetricDimensions('prod', 'app_market')).toEqual({ Environment: 'prod', Dataset: 'app_market' });
  });

  test.each([
    [() => vendorApiKeyParameterName('', 'dev'), 'project: '],
    [() => vendorApiKeyParameterName('ingest-lake', 'dev/x'), 'environment: '],
    [() => vendorApiKeyParameterName('Ingest', 'dev'), 'project: '],
    [() => streamName('ingest-lake', '', 'events'), 'environment: '],
    [() => streamName('ingest-lake', 'dev', 'Events'), 'dataset: '],
    [() => collectorMetricDimensions('Prod', 'app_market'), 'environment: '],
    [() => collectorMetricDimensions('prod', 'app-market'), 'vendorDataset: '],
  ])('a malformed part is refused with an error naming it (%#)', (build, argument) => {
    expect(build).toThrow(RangeError);
    expect(build).toThrow(argument);
  });
});
