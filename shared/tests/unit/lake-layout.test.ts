import { evaluatePrefix, FIREHOSE_BACKUP_PREFIX, FIREHOSE_CURATED_PREFIX, FIREHOSE_ERROR_PREFIX, PrefixExpressionError } from '../../src';

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
