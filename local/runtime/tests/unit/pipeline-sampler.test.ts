import { parseLakeTimestamp } from '../../src/pipeline-sampler';

describe('parseLakeTimestamp', () => {
  test.each([
    ['2026-12-02 01:15:11.326', Date.UTC(2026, 11, 2, 1, 15, 11, 326)],
    ['2026-12-02 01:15:11', Date.UTC(2026, 11, 2, 1, 15, 11)],
    ['2026-12-02 03:15:11+02', Date.UTC(2026, 11, 2, 1, 15, 11)],
    ['2026-12-02T01:15:11Z', Date.UTC(2026, 11, 2, 1, 15, 11)],
  ])('%s', (text, expected) => expect(parseLakeTimestamp(text)).toBe(expected));

  test('names the text it cannot read', () => expect(() => parseLakeTimestamp('yesterday')).toThrow(/"yesterday"/));
});
