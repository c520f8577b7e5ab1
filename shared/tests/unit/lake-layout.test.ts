import { directBulkPartKey, evaluatePrefix, FIREHOSE_BACKUP_PREFIX, FIREHOSE_CURATED_PREFIX, FIREHOSE_ERROR_PREFIX, PrefixExpressionError, vendorBulkOrigin } from '../../src';

describe('Firehose prefix expressions', () => {
  const at = new Date('2026-11-22T09:05:07Z');

  test('curated, backup and error prefixes evaluate as Firehose would', () => {
    expect(evaluatePrefix(FIREHOSE_CURATED_PREFIX, { at, partitionKeys: { dataset: 'events', dt: '2026-11-21' } })).toBe(
      'curated/dataset=events/dt=2026-11-21/',
    );
    expect(evaluatePrefix(FIREHOSE_BACKUP_PREFIX, { at })).toBe('raw-data/2026/11/22/09/');
    expect(evaluatePrefix(FIREHOSE_ERROR_PREFIX, { at, errorOutputType: 'processing-failed' })).toBe(
      'errors/processing-failed/dt=2026-11-22/',
    );
  });

  test('a missing partition key or unknown expression is an error, never an empty path segment', () => {
    expect(() => evaluatePrefix(FIREHOSE_CURATED_PREFIX, { at, partitionKeys: { dataset: 'events' } })).toThrow(PrefixExpressionError);
    expect(() => evaluatePrefix('x/!{nope:y}/', { at })).toThrow('cannot evaluate !{nope:y}');
  });
});

describe('keys the collector writes directly (decision 0018)', () => {
  test.each([
    ['app_market_daily', '2026-11-20', '2026-11-20', 1, 'curated/dataset=app_market_daily/dt=2026-11-20/app_market_daily-2026-11-20-part-00001.parquet'],
    ['app_market_daily', '2026-11-19', '2026-11-20', 42, 'curated/dataset=app_market_daily/dt=2026-11-19/app_market_daily-2026-11-20-part-00042.parquet'],
  ])('a part of %s in dt=%s of snapshot %s, part %d: one fixed key', (dataset, dt, snapshot, part, key) => {
    expect(directBulkPartKey(dataset, dt, snapshot, part)).toBe(key);
  });

  test.each([
    ['2026-11-2', '2026-11-20', 1, 'dt: expected YYYY-MM-DD'],
    ['2026-11-20', '20261120', 1, 'snapshot: expected YYYY-MM-DD'],
    ['2026-11-20', '2026-11-20', 0, 'part: expected an integer 1..99999'],
    ['2026-11-20', '2026-11-20', 100_000, 'part: expected an integer 1..99999'],
  ])('refuses dt %s, snapshot %s, part %d by name', (dt, snapshot, part, message) => {
    expect(() => directBulkPartKey('app_market_daily', dt, snapshot, part)).toThrow(message);
  });

  test('the origin of a vendor file\'s rows, before #line', () => {
    expect(vendorBulkOrigin('app_market', '2026-11-20', 'app_market_daily.csv.gz')).toBe('vendor-bulk:app_market/snapshot=2026-11-20/app_market_daily.csv.gz');
  });
});
