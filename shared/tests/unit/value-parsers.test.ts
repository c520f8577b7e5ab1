import {
  formatTimestamp,
  parseBoolean,
  parseDate,
  parseDecimal,
  parseDouble,
  parseInt32,
  parseInt64,
  parseTimestamp,
} from '../../src';

describe('value parsers', () => {
  test.each([
    [42, 42],
    ['-17', -17],
    ['+5', 5],
    [2147483647, 2147483647],
    [2147483648, undefined],
    ['1.5', undefined],
    [1.5, undefined],
    ['', undefined],
    ['12abc', undefined],
    [true, undefined],
  ])('parseInt32(%p) = %p', (input, expected) => expect(parseInt32(input)).toBe(expected));

  test.each([
    ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775808', undefined],
    ['007', '7'],
    [12345, '12345'],
    [2 ** 60, undefined],
    ['1e3', undefined],
  ])('parseInt64(%p) = %p', (input, expected) => expect(parseInt64(input)).toBe(expected));

  test.each([
    ['3.25', 3.25],
    ['-1e-3', -0.001],
    [Infinity, undefined],
    ['NaN', undefined],
    ['1,5', undefined],
  ])('parseDouble(%p) = %p', (input, expected) => expect(parseDouble(input)).toBe(expected));

  test.each([
    ['TRUE', true],
    ['0', false],
    [false, false],
    ['yes', undefined],
  ])('parseBoolean(%p) = %p', (input, expected) => expect(parseBoolean(input)).toBe(expected));

  test.each([
    ['12.5', 18, 4, '12.5000'],
    [12.5, 18, 4, '12.5000'],
    ['-0.0001', 18, 4, '-0.0001'],
    ['-0.0000', 18, 4, '0.0000'],
    ['00012', 5, 2, '12.00'],
    ['1234', 5, 2, undefined],
    ['1.23456', 18, 4, undefined],
    ['1.23450', 18, 4, '1.2345'],
    ['.5', 3, 1, '0.5'],
    ['.', 3, 1, undefined],
    ['1e5', 18, 4, undefined],
  ])('parseDecimal(%p, %p, %p) = %p', (input, precision, scale, expected) =>
    expect(parseDecimal(input, precision, scale)).toBe(expected),
  );

  test.each([
    ['2026-02-28', '2026-02-28'],
    ['2024-02-29', '2024-02-29'],
    ['2026-02-29', undefined],
    ['2026-13-01', undefined],
    ['26-01-01', undefined],
    [20260101, undefined],
  ])('parseDate(%p) = %p', (input, expected) => expect(parseDate(input)).toBe(expected));

  test.each([
    ['2026-11-22T10:15:30Z', '2026-11-22 10:15:30.000'],
    ['2026-11-22T10:15:30.123456+09:00', '2026-11-22 01:15:30.123'],
    ['2026-11-22 10:15:30', '2026-11-22 10:15:30.000'],
    ['2026-11-22T00:30:00-0130', '2026-11-22 02:00:00.000'],
    ['2026-11-22', '2026-11-22 00:00:00.000'],
    [1_763_806_530_000, '2025-11-22 10:15:30.000'],
    ['1763806530000', '2025-11-22 10:15:30.000'],
    // seconds instead of milliseconds lands in 1970: refused rather than silently wrong
    [1_763_806_530, undefined],
    ['2026-11-22T25:00:00Z', undefined],
    ['yesterday', undefined],
  ])('parseTimestamp(%p) = %p', (input, expected) => expect(parseTimestamp(input)).toBe(expected));

  test('formatTimestamp pads every field', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02 03:04:05.006');
  });
});
