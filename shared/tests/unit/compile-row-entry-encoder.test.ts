import {
  appMarket,
  ByteSink,
  compilePackEntryEncoder,
  compileRowEntryEncoder,
  compileRowValidator,
  defineDataset,
  HeaderMismatchError,
  partitionDateOf,
  SPAN_ESCAPED_QUOTES,
  SPAN_QUOTED,
  t,
  type Dataset,
} from '../../src';

/**
 * The byte-level row encoder is a fast path: for every row it must give exactly what the
 * reference path gives (row validator, then pack-entry encoder), and fail exactly when the
 * validator fails. These tests compare the two on hand-picked and on generated rows.
 */

const kinds = defineDataset({
  name: 'kinds',
  version: 1,
  description: 'one column of every kind',
  columns: {
    at: t.timestamp(),
    id: t.bigint(),
    label: t.string({ maxLength: 6 }),
    note: t.string({ nullable: true }),
    count: t.int(),
    price: t.decimal(6, 2),
    ratio: t.double({ nullable: true }),
    flag: t.boolean(),
    day: t.date({ nullable: true }),
    big: t.bigint({ nullable: true }),
  },
  primaryKey: ['id'],
  eventTimeColumn: 'at',
});

/** A CSV row as bytes plus the spans the CSV parser would produce (some fields quoted). */
function csvRow(fields: ReadonlyArray<string>, quoteAll: boolean | ((i: number) => boolean)): { src: Buffer; spans: Int32Array } {
  const parts: Buffer[] = [];
  const spans = new Int32Array(fields.length * 3);
  let offset = 0;
  fields.forEach((field, i) => {
    if (i > 0) {
      parts.push(Buffer.from(','));
      offset++;
    }
    const mustQuote = /[",\r\n]/.test(field);
    const quote = mustQuote || (typeof quoteAll === 'function' ? quoteAll(i) : quoteAll);
    const body = Buffer.from(quote ? field.replaceAll('"', '""') : field);
    const start = offset + (quote ? 1 : 0);
    spans[i * 3] = start;
    spans[i * 3 + 1] = start + body.length;
    spans[i * 3 + 2] = quote ? SPAN_QUOTED | (field.includes('"') ? SPAN_ESCAPED_QUOTES : 0) : 0;
    const encoded = quote ? Buffer.concat([Buffer.from('"'), body, Buffer.from('"')]) : body;
    parts.push(encoded);
    offset += encoded.length;
  });
  return { src: Buffer.concat([Buffer.from('xx'), ...parts]), spans: spans.map((v, i) => (i % 3 === 2 ? v : v + 2)) };
}

function compare(dataset: Dataset, header: string[], fields: string[], line: number, quote: boolean | ((i: number) => boolean) = false) {
  const validate = compileRowValidator(dataset, header);
  const encodeEntry = compilePackEntryEncoder(dataset);
  const encodeRow = compileRowEntryEncoder(dataset, header);
  const reference = validate(fields);
  const { src, spans } = csvRow(fields, quote);
  const out = new ByteSink(16);
  out.writeText('prefix');
  const dt = encodeRow(src, spans, line, out);
  const written = Buffer.from(out.bytes.subarray(6, out.length)).toString('utf8');
  return { reference, dt, written, expected: reference.ok ? encodeEntry(reference.value as never, line) : undefined };
}

const header = kinds.columnNames.slice();
const good = ['2026-11-20T11:04:23Z', '280000004', 'Zoë', 'a "q", b\\c', '6014', '12.30', '1.99', 'true', '2026-02-28', ''];

describe('compileRowEntryEncoder', () => {
  test('a canonical row is written as the reference encoder writes it, with its partition date', () => {
    const result = compare(kinds, header, good, 42);
    expect(result.written).toBe(result.expected);
    expect(result.written).toBe('[42,"2026-11-20 11:04:23.000","280000004","Zoë","a \\"q\\", b\\\\c",6014,"12.30",1.99,true,"2026-02-28",null]');
    expect(result.dt).toBe(20261120);
  });

  test.each([
    ['timestamp with offset', 0, '2026-11-20T23:30:00+09:00'],
    ['timestamp with millis', 0, '2026-11-20 11:04:23.120'],
    ['timestamp with millis and Z', 0, '2026-11-20T11:04:23.5Z'],
    ['timestamp epoch millis', 0, '1763636663000'],
    ['bigint with plus sign', 1, '+17'],
    ['bigint with leading zeros', 1, '0017'],
    ['bigint of 19 digits', 1, '9223372036854775807'],
    ['int with leading zero', 4, '007'],
    ['negative int', 4, '-12'],
    ['decimal without fraction', 5, '12'],
    ['decimal with one fraction digit', 5, '12.5'],
    ['negative decimal', 5, '-0.50'],
    ['negative zero decimal', 5, '-0.00'],
    ['double with exponent', 6, '1e3'],
    ['double with trailing zero', 6, '2.50'],
    ['double tiny', 6, '0.0000001'],
    ['boolean in capitals', 7, 'TRUE'],
    ['boolean as digit', 7, '0'],
  ])('non-canonical but valid: %s', (_label, index, value) => {
    const fields = good.slice();
    fields[index] = value;
    const result = compare(kinds, header, fields, 7);
    expect(result.reference.ok).toBe(true);
    expect(result.written).toBe(result.expected);
  });

  test.each([
    ['timestamp out of range', 0, '1899-12-31T00:00:00Z'],
    ['timestamp hour 24', 0, '2026-11-20T24:00:00Z'],
    ['February 30th', 8, '2026-02-30'],
    ['bigint overflow', 1, '9223372036854775808'],
    ['int overflow', 4, '2147483648'],
    ['decimal too precise', 5, '1.234'],
    ['decimal too large', 5, '12345.00'],
    ['double not a number', 6, 'abc'],
    ['boolean yes', 7, 'yes'],
    ['label too long (UTF-16 units)', 2, 'ab🙂cde'],
    ['missing int', 4, ''],
    ['missing timestamp', 0, ''],
  ])('invalid: %s fails exactly when the validator fails', (_label, index, value) => {
    const fields = good.slice();
    fields[index] = value;
    const result = compare(kinds, header, fields, 7);
    expect(result.reference.ok).toBe(false);
    expect(result.dt).toBe(-1);
    expect(result.written).toBe('');
  });

  test('strings are escaped as JSON.stringify escapes them, control characters included', () => {
    const fields = good.slice();
    fields[3] = 'tab\there\nnew\r\u0001\u001f\u007f\b\f 🙂 \u2028';
    const result = compare(kinds, header, fields, 1, true);
    expect(result.written).toBe(result.expected);
  });

  test('the length limit counts UTF-16 units, as String#length does', () => {
    const fields = good.slice();
    fields[2] = 'ab🙂cd'; // 6 units
    expect(compare(kinds, header, fields, 1).written).toBe(compare(kinds, header, fields, 1).expected);
  });

  test('header order may differ from the dataset order; absent nullable columns are null', () => {
    const reordered = ['flag', 'id', 'at', 'label', 'count', 'price'];
    const fields = ['false', '5', '2026-01-01 00:00:00', 'x', '1', '0.00'];
    const result = compare(kinds, reordered, fields, 3);
    expect(result.written).toBe(result.expected);
    expect(result.written).toBe('[3,"2026-01-01 00:00:00.000","5","x",null,1,"0.00",null,false,null,null]');
  });

  test('a header that does not fit the dataset is refused like the validator refuses it', () => {
    expect(() => compileRowEntryEncoder(kinds, ['id', 'mystery'])).toThrow(HeaderMismatchError);
  });

  test('generated rows: the fast path and the reference path always agree', () => {
    const values: Record<string, string[]> = {
      at: ['2026-11-20T11:04:23Z', '2026-11-21 00:00:00', '2026-11-20T11:04:23.999Z', '2026-11-20T11:4:23Z', '2026-13-01T00:00:00Z', '2024-02-29T23:59:59Z', '2023-02-29T00:00:00Z', '2026-11-20t11:04:23z', 'x'],
      id: ['1', '0', '-5', '-0', '00', '123456789012345', '1234567890123456', '-9223372036854775808', '1.0', ' 1', ''],
      label: ['', 'abcdef', 'abcdefg', '서울서울서울', '서울서울서울서', 'a,b', 'q"q', '🙂🙂🙂', '🙂🙂🙂🙂'],
      note: ['', 'x', '\\', '"', '""', 'multi\nline', 'crlf\r\nx', 'ctrl\u0000'],
      count: ['0', '-0', '1', '-1', '999999999', '2147483647', '-2147483648', '2147483648', '01', '1e2', '+3', ''],
      price: ['0.00', '-0.00', '0.5', '1.23', '9999.99', '10000.00', '.50', '1.', '01.00', '-1.20', '1.230', '1.2345', 'abc', ''],
      ratio: ['', '0', '1', '1.5', '1.50', '0.000001', '0.0000001', '123456789012345', '1234567890123456', '-1.5', '1e21', 'NaN', '.5', '5.'],
      flag: ['true', 'false', 'True', 'FALSE', '1', '0', 'yes', ''],
      day: ['', '2026-01-31', '2026-04-31', '1900-01-01', '1899-12-31', '2026-1-1', '2026/01/01'],
      big: ['', '42', '-42', '007', 'x'],
    };
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let fastAndValid = 0;
    let invalid = 0;
    for (let n = 0; n < 4000; n++) {
      const fields = header.map((name) => {
        const palette = values[name]!;
        // Mostly valid canonical values, so that whole rows often pass.
        return next() < 0.6 ? palette[0]! : palette[Math.floor(next() * palette.length)]!;
      });
      const result = compare(kinds, header, fields, n + 1, () => next() < 0.2);
      if (result.reference.ok) {
        expect(result.written).toBe(result.expected);
        const expectedDt = partitionDateOf(kinds, result.reference.value as never)!;
        expect(result.dt).toBe(Number(expectedDt.replaceAll('-', '')));
        fastAndValid++;
      } else {
        expect(result.dt).toBe(-1);
        expect(result.written).toBe('');
        invalid++;
      }
    }
    expect(fastAndValid).toBeGreaterThan(200);
    expect(invalid).toBeGreaterThan(200);
  });

  test('the vendor data file encodes as the reference encoder does', () => {
    const dataset = appMarket.dataFile.dataset;
    const fields = ['2026-11-20', '280000004', 'Puzzle 월드 Maps', 'Studio "28110", Ltd.', 'KR', 'iphone', 'ios', '6014', '36037', '38321.7257', '', '209', '1.99', 'true', '2026-11-20T11:04:23Z'];
    const result = compare(dataset, dataset.columnNames.slice(), fields, 2);
    expect(result.written).toBe(result.expected);
    expect(result.dt).toBe(20261120);
  });
});
