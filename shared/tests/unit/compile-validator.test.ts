import {
  compileObjectValidator,
  compileRowValidator,
  defineDataset,
  formatIssue,
  HeaderMismatchError,
  t,
  type RecordOf,
} from '../../src';

const orders = defineDataset({
  name: 'orders',
  version: 1,
  description: 'test dataset',
  columns: {
    order_id: t.bigint(),
    placed_at: t.timestamp(),
    customer: t.string({ maxLength: 8 }),
    quantity: t.int(),
    price: t.decimal(10, 2),
    discount: t.double({ nullable: true }),
    gift: t.boolean(),
    ship_date: t.date({ nullable: true }),
    note: t.string({ nullable: true }),
  },
  primaryKey: ['order_id'],
  eventTimeColumn: 'placed_at',
});

type Order = RecordOf<typeof orders>;
// Type-level check: nullable columns admit null, others do not.
const typed: Order = {
  order_id: '1',
  placed_at: '2026-01-01 00:00:00.000',
  customer: 'a',
  quantity: 1,
  price: '1.00',
  discount: null,
  gift: false,
  ship_date: null,
  note: null,
};

const valid = {
  order_id: '9007199254740993',
  placed_at: '2026-11-22T10:00:00+09:00',
  customer: 'Zoë',
  quantity: '3',
  price: 19.9,
  discount: null,
  gift: 'true',
  ship_date: '2026-11-23',
};

describe('compileObjectValidator', () => {
  const validate = compileObjectValidator(orders);

  test('normalises a valid record (types, UTC, decimals, absent nullable column)', () => {
    const result = validate(valid);
    expect(result).toEqual({
      ok: true,
      value: {
        order_id: '9007199254740993',
        placed_at: '2026-11-22 01:00:00.000',
        customer: 'Zoë',
        quantity: 3,
        price: '19.90',
        discount: null,
        gift: true,
        ship_date: '2026-11-23',
        note: null,
      },
    });
    expect(Object.keys(typed)).toEqual(Object.keys(result.ok ? result.value : {}));
  });

  test.each([
    ['not an object', [1, 2], '$', 'not_an_object'],
    ['null input', null, '$', 'not_an_object'],
    ['missing field', { ...valid, quantity: undefined }, 'quantity', 'missing_field'],
    ['null in non-nullable', { ...valid, gift: null }, 'gift', 'null_value'],
    ['extra field', { ...valid, coupon: 'X' }, 'coupon', 'unexpected_field'],
    ['wrong type for string', { ...valid, customer: 42 }, 'customer', 'wrong_type'],
    ['wrong type for int', { ...valid, quantity: { n: 1 } }, 'quantity', 'wrong_type'],
    ['bad int text', { ...valid, quantity: 'three' }, 'quantity', 'invalid_value'],
    ['int out of range', { ...valid, quantity: 2 ** 40 }, 'quantity', 'invalid_value'],
    ['decimal too precise', { ...valid, price: '1.234' }, 'price', 'invalid_value'],
    ['decimal too large', { ...valid, price: '123456789' }, 'price', 'invalid_value'],
    ['bad timestamp', { ...valid, placed_at: 'now' }, 'placed_at', 'invalid_value'],
    ['bad date', { ...valid, ship_date: '2026-02-30' }, 'ship_date', 'invalid_value'],
    ['too long', { ...valid, customer: 'abcdefghi' }, 'customer', 'too_long'],
    ['bool wrong type', { ...valid, gift: 1 }, 'gift', 'wrong_type'],
  ])('%s → %s %s', (_label, input, field, reason) => {
    const result = validate(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issue.field).toBe(field);
      expect(result.issue.reason).toBe(reason);
    }
  });

  test('issues format into one readable line that names field, reason, expectation and value', () => {
    const result = validate({ ...valid, quantity: 'three' });
    expect(result.ok || formatIssue(result.issue)).toBe(
      'field "quantity": invalid_value (expected int (32-bit integer), got "three")',
    );
  });

  test('a huge value is truncated in messages', () => {
    const result = validate({ ...valid, customer: 7, note: 'x'.repeat(10_000) });
    expect(result.ok).toBe(false);
    const big = validate({ ...valid, quantity: 'y'.repeat(10_000) });
    expect(big.ok || formatIssue(big.issue).length).toBeLessThan(200);
  });
});

describe('compileRowValidator', () => {
  const header = ['customer', 'order_id', 'placed_at', 'quantity', 'price', 'discount', 'gift', 'ship_date', 'note'];
  const validate = compileRowValidator(orders, header);

  test('maps header positions and turns empty fields into null for nullable columns', () => {
    const result = validate(['Ann', '7', '2026-11-22 10:00:00', '1', '5', '', 'false', '', '']);
    expect(result).toEqual({
      ok: true,
      value: {
        order_id: '7',
        placed_at: '2026-11-22 10:00:00.000',
        customer: 'Ann',
        quantity: 1,
        price: '5.00',
        discount: null,
        gift: false,
        ship_date: null,
        note: null,
      },
    });
  });

  test('an empty non-nullable numeric field is missing; an empty non-nullable string is kept', () => {
    const missing = validate(['Ann', '7', '2026-11-22', '', '5', '', 'false', '', '']);
    expect(missing.ok || missing.issue).toMatchObject({ field: 'quantity', reason: 'missing_field' });
    const emptyName = validate(['', '7', '2026-11-22', '1', '5', '', 'false', '', '']);
    expect(emptyName.ok && emptyName.value.customer).toBe('');
  });

  test('a short row reports the first missing column', () => {
    const result = validate(['Ann', '7']);
    expect(result.ok || result.issue).toMatchObject({ field: 'placed_at', reason: 'missing_field' });
  });

  test('a header with unknown or missing columns is refused up front with every problem listed', () => {
    expect(() => compileRowValidator(orders, ['order_id', 'bogus'])).toThrow(HeaderMismatchError);
    try {
      compileRowValidator(orders, ['order_id', 'bogus']);
    } catch (error) {
      expect((error as HeaderMismatchError).problems).toEqual(
        expect.arrayContaining(['unknown column "bogus"', 'missing column "placed_at"', 'missing column "gift"']),
      );
    }
  });

  test('an optional (nullable) column may be absent from the header', () => {
    const partial = compileRowValidator(orders, header.filter((name) => name !== 'note'));
    const result = partial(['Ann', '7', '2026-11-22', '1', '5', '', 'false', '']);
    expect(result.ok && result.value.note).toBeNull();
  });
});
